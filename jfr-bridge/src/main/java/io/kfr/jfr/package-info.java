/**
 * kfr's own JFR writer: the kfr event types, one self-contained chunk with kfr's events, and the
 * merge with the JVM's recording (the JVM's chunks followed by kfr's; a .jfr file is a sequence of
 * chunks).
 * <p>
 * Chunk layout: header (68 bytes) | events | one checkpoint event with every constant pool | the
 * metadata event. Integers are varints, constant keys count from 1 in each pool, stack frames are
 * inline in jdk.types.StackTrace entries.
 * <p>
 * What the readers (JMC 9.1 parser, jdk.jfr of JDK 17 and 25, the jfr tool) need, each checked by
 * a test that fails without it:
 * <ul>
 * <li>ticks in the JVM's first chunk's time base: the JDK 25 reader converts every chunk with it;
 * <li>a chunk start different from every other chunk's: JMC skips a chunk whose start nanos it has
 * seen ({@link io.kfr.jfr.TimeBase#rebasedNear});
 * <li>type ids apart from the JVM's (which reach the loaded-class count) and a metadata id unlike
 * the previous chunk's (else the JDK reuses that chunk's metadata);
 * <li>pooled type ids of their own per {@link io.kfr.jfr.KfrChunk}: the JDK reader carries
 * constants from chunk to chunk by (type id, key);
 * <li>JVM field sets and order for the jdk.types (JMC resolves StackFrame fields by position),
 * no empty pool, "()V" for unknown descriptors, no class name starting with '['.
 * <li>events in end-time order within the chunk: JMC's lane builder loses or duplicates events
 * that end at the same tick unless ends never decrease ({@link io.kfr.jfr.ChunkWriter});
 * <li>a JDK event type written by kfr (jdk.ExecutionSample) with the JVM's fields exactly, down to
 * jdk.types.ThreadState being a simple type: JMC merges a type name's events across chunks only
 * when field names and content types match, and otherwise renames kfr's type.
 * </ul>
 */
package io.kfr.jfr;
