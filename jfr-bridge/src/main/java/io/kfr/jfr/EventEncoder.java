package io.kfr.jfr;

import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.Counter;

import java.io.IOException;

/**
 * The two forms of a kfr event: the spool record written when the event arrives (pool keys, epoch
 * nanos) and the JFR event written into a chunk (ticks of the chunk's time base). Both follow the
 * event's declaration in {@link KfrEventTypes}: the spool record holds the fields' spool forms in
 * field order, and the chunk's event is encoded from it field by field.
 */
final class EventEncoder {
    private final TimeBase timeBase;
    private final JfrBuffer body = new JfrBuffer(256);
    private long lastEndNanos;
    private long minStartNanos = Long.MAX_VALUE;
    private long maxEndNanos = Long.MIN_VALUE;

    EventEncoder(TimeBase timeBase) {
        this.timeBase = timeBase;
    }

    /** Spool form of an off-CPU sample; strings are keys of the java.lang.String pool. */
    static void spoolOffCpu(JfrBuffer r, int thread, int stack, long startNanos, long durationNanos, int state,
                            int stateDescription, int syscall, long count, boolean aggregated, int wakerThread,
                            int wakerStack, int wakerKind) {
        r.writeByte(KfrEventTypes.OFF_CPU.kind());
        r.writeRawLong(startNanos);
        r.writeVarLong(Math.max(0, durationNanos));
        r.writeVarInt(thread);
        r.writeVarInt(stack);
        r.writeVarInt(state);
        r.writeVarInt(stateDescription);
        r.writeVarLong(count);
        r.writeBoolean(aggregated);
        r.writeVarInt(syscall);
        r.writeVarInt(wakerThread);
        r.writeVarInt(wakerStack);
        r.writeVarInt(wakerKind);
    }

    static void spoolCpuSample(JfrBuffer r, int thread, int stack, long epochNanos, int cpu, long weightNanos) {
        r.writeByte(KfrEventTypes.CPU_SAMPLE.kind());
        r.writeRawLong(epochNanos);
        r.writeVarInt(thread);
        r.writeVarInt(stack);
        r.writeVarInt(cpu);
        r.writeVarLong(Math.max(0, weightNanos));
    }

    /** The same sample as jdk.ExecutionSample: a record of its own, so one record is one event. */
    static void spoolExecutionSample(JfrBuffer r, int thread, int stack, long epochNanos) {
        r.writeByte(KfrEventTypes.EXECUTION_SAMPLE.kind());
        r.writeRawLong(epochNanos);
        r.writeVarInt(thread);
        r.writeVarInt(stack);
    }

    static void spoolPageCacheMiss(JfrBuffer r, int thread, int stack, long startNanos, long waitNanos, int file, long offset,
                                   long pages) {
        r.writeByte(KfrEventTypes.PAGE_CACHE_MISS.kind());
        r.writeRawLong(startNanos);
        r.writeVarLong(Math.max(0, waitNanos));
        r.writeVarInt(thread);
        r.writeVarInt(stack);
        r.writeVarInt(file);
        r.writeVarLong(offset);
        r.writeVarLong(pages);
    }

    static void spoolWorkingSet(JfrBuffer r, long epochNanos, int file, long pages, long bytes, long missedPages, double share,
                                long waits, long waitNanos) {
        r.writeByte(KfrEventTypes.WORKING_SET.kind());
        r.writeRawLong(epochNanos);
        r.writeVarInt(file);
        r.writeVarLong(pages);
        r.writeVarLong(bytes);
        r.writeVarLong(missedPages);
        r.writeRawLong(Double.doubleToRawLongBits(share));
        r.writeVarLong(waits);
        r.writeVarLong(waitNanos);
    }

    static void spoolNativeImage(JfrBuffer r, long epochNanos, int image, int path, int buildId, long memoryStart,
                                 long memoryLimit, long fileOffset) {
        r.writeByte(KfrEventTypes.NATIVE_IMAGE.kind());
        r.writeRawLong(epochNanos);
        r.writeVarInt(image);
        r.writeVarInt(path);
        r.writeVarInt(buildId);
        r.writeVarLong(memoryStart);
        r.writeVarLong(memoryLimit);
        r.writeVarLong(fileOffset);
    }

    static void spoolNativeSymbol(JfrBuffer r, long epochNanos, int image, int symbol, long address) {
        r.writeByte(KfrEventTypes.NATIVE_SYMBOL.kind());
        r.writeRawLong(epochNanos);
        r.writeVarInt(image);
        r.writeVarInt(symbol);
        r.writeVarLong(address);
    }

    static void spoolHotPath(JfrBuffer r, int thread, int stack, long startNanos, long durationNanos, long instructions,
                             long branches, int reason, long snapshot) {
        r.writeByte(KfrEventTypes.HOT_PATH.kind());
        r.writeRawLong(startNanos);
        r.writeVarLong(Math.max(0, durationNanos));
        r.writeVarInt(thread);
        r.writeVarInt(stack);
        r.writeVarLong(instructions);
        r.writeVarLong(branches);
        r.writeVarInt(reason);
        r.writeVarLong(snapshot);
    }

    static void spoolPtSpan(JfrBuffer r, int thread, long startNanos, long durationNanos, int method, int depth,
                            long instructions, long snapshot) {
        r.writeByte(KfrEventTypes.PT_SPAN.kind());
        r.writeRawLong(startNanos);
        r.writeVarLong(Math.max(0, durationNanos));
        r.writeVarInt(thread);
        r.writeVarInt(method);
        r.writeVarInt(depth);
        r.writeVarLong(instructions);
        r.writeVarLong(snapshot);
    }

    /** Every counter of the event, 0 where the collector does not fill it. */
    static void spoolStatistics(JfrBuffer r, int collector, CollectorStatistics s, int javaFramesSelfTest) {
        r.writeByte(KfrEventTypes.COLLECTOR_STATISTICS.kind());
        r.writeRawLong(s.epochNanos());
        r.writeVarLong(0);
        r.writeVarInt(collector);
        for (Counter c : KfrEventTypes.STATISTICS_COUNTERS) {
            long v = s.get(c);
            // the thread's CPU time reads -1 where the JVM cannot measure it
            r.writeVarLong(c == CollectorCounters.COLLECTOR_CPU_TIME ? Math.max(0, v) : v);
        }
        r.writeVarInt(javaFramesSelfTest);
    }

    /** Reads one spool record and appends it to {@code out} as a sized JFR event. */
    void encodeNext(EventSpool.Reader in, JfrBuffer out) throws IOException {
        body.reset();
        int kind = in.readByte();
        EventType type = KfrEventTypes.ofKind(kind);
        if (type == null) {
            throw new IOException("corrupt kfr spool: record kind " + kind);
        }
        body.writeVarLong(type.id());
        long start = 0;
        long duration = 0;
        for (EventType.Field f : type.fields()) {
            switch (f.encoding()) {
                case START:
                    start = in.readRawLong();
                    break;
                case DURATION: {
                    duration = in.readVarLong();
                    startAndDuration(start, duration);
                    break;
                }
                case INSTANT:
                    instant(in.readRawLong());
                    break;
                case REFERENCE:
                    body.writeVarLong(in.readVarInt());
                    break;
                case STRING:
                    body.writePooledString(in.readVarInt());
                    break;
                case LONG:
                    body.writeVarLong(in.readVarLong());
                    break;
                case INT:
                    body.writeVarInt(in.readVarInt());
                    break;
                case BOOLEAN:
                    body.writeBoolean(in.readByte() != 0);
                    break;
                case DOUBLE:
                    body.writeDouble(Double.longBitsToDouble(in.readRawLong()));
                    break;
                case DURATION_MILLIS:
                    body.writeDouble(duration / 1e6);
                    break;
                case RUNNABLE:
                    body.writeVarLong(JavaThreadStates.RUNNABLE);
                    break;
            }
        }
        out.writeSizedEvent(body);
    }

    /** End time of the event encoded last (epoch ns; start + duration, as readers compute it). */
    long lastEndNanos() {
        return lastEndNanos;
    }

    /** Earliest start time of the events encoded so far (epoch ns), or Long.MAX_VALUE if none. */
    long minStartNanos() {
        return minStartNanos;
    }

    /** Latest end time of the events encoded so far (epoch ns), or Long.MIN_VALUE if none. */
    long maxEndNanos() {
        return maxEndNanos;
    }

    /** An event without duration: it ends where it starts. */
    private void instant(long nanos) {
        body.writeVarLong(timeBase.toTicks(nanos));
        track(nanos, nanos);
    }

    /** Duration as end ticks - start ticks, so readers compute the same end time as the input's. */
    private void startAndDuration(long startNanos, long durationNanos) {
        long end = startNanos + durationNanos;
        long startTicks = timeBase.toTicks(startNanos);
        body.writeVarLong(startTicks);
        body.writeVarLong(Math.max(0, timeBase.toTicks(end) - startTicks));
        track(startNanos, end);
    }

    private void track(long startNanos, long endNanos) {
        lastEndNanos = endNanos;
        minStartNanos = Math.min(minStartNanos, startNanos);
        maxEndNanos = Math.max(maxEndNanos, endNanos);
    }
}
