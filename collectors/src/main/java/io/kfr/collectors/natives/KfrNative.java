package io.kfr.collectors.natives;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * JNI entry points of libkfr.so: library-wide (native/src/common/library_jni.c), every collector's
 * (collector*: native/src/common/collector_jni.c), each collector's open and own calls
 * (native/src/offcpu/offcpu_jni.c, native/src/cpu/cpu_jni.c), Java frames (native/src/hotspot/).
 * JNI rather than JNA: JNA's dispatch
 * library is bound to the package com.sun.jna and cannot be relocated inside the agent jar, and an
 * unrelocated JNA would clash with the application's own copy.
 *
 * Failures return 0 / a negative value and leave a one-line message for {@link #lastError()}.
 * Handles are opaque pointers; every call validates them against libkfr's own table.
 */
public final class KfrNative {
    private KfrNative() {
    }

    /** Returns memory freed by the collectors' threads to the system (malloc_trim); after a stop. */
    public static native void releaseFreedMemory();

    /** A zeroed direct buffer of {@code bytes} outside the Java heap (an anonymous mapping), or null. */
    static native ByteBuffer allocateMemory(long bytes);

    /** Unmaps a buffer from {@link #allocateMemory}; it must not be used afterwards. */
    static native void freeMemory(ByteBuffer buffer);

    /** Last error message of the calling thread, or null. */
    public static native String lastError();

    /** libkfr's version string (also proves the library loaded). */
    public static native String version();

    /**
     * Loads and attaches the off-CPU BPF programs for all threads of process {@code tgid}.
     * @param thresholdNs intervals at or above go through the ring buffer, shorter ones are aggregated
     * @param ringBufferBytes ring buffer size (power of two, multiple of the page size)
     * @param preemptedOneIn stacks of preempted switch-outs are taken for a random 1 in this many
     *        (a power of two; 1: every one); see OffCpuConfig#preemptedOneIn
     * @param javaFrames walk the Java stacks of this JVM's threads (only for its own pid); if the
     *        JVM's layout is not supported the collector runs without them, see {@link #javaFramesStatus}
     * @return a handle, or 0 on failure (see lastError)
     */
    public static long offcpuOpen(int tgid, long thresholdNs, int ringBufferBytes, int preemptedOneIn,
                                  boolean javaFrames) {
        long job = offcpuOpenBegin(tgid, thresholdNs, ringBufferBytes, preemptedOneIn, javaFrames);
        return job == 0 ? 0 : offcpuOpenEnd(awaitOpen(job));
    }

    private static native long offcpuOpenBegin(int tgid, long thresholdNs, int ringBufferBytes, int preemptedOneIn,
                                               boolean javaFrames);

    private static native long offcpuOpenEnd(long job);

    /**
     * Starts the CPU sampler for all threads of process {@code tgid}: one perf event per CPU
     * ({@code event}: "auto" = cycles where the PMU has them, else cpu-clock; "cycles"; "cpu-clock"),
     * sampling every {@code intervalNs} of CPU time, or every {@code eventCount} events if that is
     * not 0.
     * @return a handle, or 0 on failure (see lastError)
     */
    public static long cpuOpen(int tgid, long intervalNs, long eventCount, String event, int ringBufferBytes,
                               boolean javaFrames) {
        long job = cpuOpenBegin(tgid, intervalNs, eventCount, event, ringBufferBytes, javaFrames);
        return job == 0 ? 0 : cpuOpenEnd(awaitOpen(job));
    }

    private static native long cpuOpenBegin(int tgid, long intervalNs, long eventCount, String event,
                                            int ringBufferBytes, boolean javaFrames);

    private static native long cpuOpenEnd(long job);

    /**
     * Waits for a collector's open, which runs on a native thread of its own (native
     * common/open_job.h), sleeping in Java meanwhile: at exit HotSpot waits up to 300 ms for Java
     * threads inside native code, and a JVM that ends while kfr still loads its programs must not.
     * An interrupt does not end the wait (the job's result must be taken); it is kept for the caller.
     */
    private static long awaitOpen(long job) {
        boolean interrupted = false;
        for (int polls = 0; !openJobDone(job); polls++) {
            try {
                Thread.sleep(polls < 100 ? 1 : 5);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return job;
    }

    private static native boolean openJobDone(long job);

    /** The perf event in use: "cycles" or "cpu-clock". */
    public static native String cpuEvent(long handle);

    /**
     * Whether a CPU collector with Java frames set -XX:+DebugNonSafepoints (through the VMStructs
     * flag table, so that samples in compiled code name their inlined methods): 1 set, 0 it could
     * not be, -1 no such collector opened.
     */
    public static native int cpuDebugNonSafepoints();

    // ---- every collector (a handle from offcpuOpen or cpuOpen); a bad or closed handle: -EBADF
    // (nothing for the void calls), with lastError saying so

    /**
     * Copies whole records of the collector's ring buffer (off-CPU: struct kfr_offcpu_event; CPU:
     * struct kfr_cpu_sample) into the direct buffer from position 0; when none is ready, waits up
     * to {@code timeoutMs} and then takes what arrived. The kernel submits records without waking
     * the reader until part of the ring buffer is unread, so a record waits at most about one
     * timeout; {@link #collectorWake} and {@link #collectorClose} end a wait at once.
     * @return number of records copied (0 on timeout), negative errno on error
     */
    public static native int collectorPoll(long handle, ByteBuffer directBuffer, int timeoutMs);

    /**
     * Java stack records walked since the last call by any collector (struct kfr_java_stack, back
     * to back; one ring for all: native hotspot/java_maps.h) into the direct buffer from position 0
     * (at least 4112 bytes). A record precedes every record and aggregate referring to its id: call
     * after a poll or drain.
     * @return bytes copied (0 while no collector has Java frames), negative errno on error
     */
    public static native int javaStacksRead(ByteBuffer directBuffer);

    /**
     * Makes the kernel forget which Java stacks it announced: each is sent again at its next use,
     * so user space may drop the stacks it keeps. Returns how many were forgotten, or -errno.
     */
    public static native int javaStacksForget();

    /** Copies the instruction pointers of a stack map entry into ips. @return frame count (0 if absent), or -errno */
    public static native int collectorStack(long handle, int stackId, long[] ips);

    /**
     * Starts a new stack epoch (native common/stack_epochs.h): clears the stack map of the epoch
     * before last (its ids expire: {@link #collectorStack} answers -ESTALE) and lets the programs
     * write it; ids of the current epoch stay readable until the next call. Collector thread only.
     * @return stacks cleared, or negative errno (-EOPNOTSUPP: the collector's ids have no epochs)
     */
    public static native int collectorNextStackEpoch(long handle);

    /**
     * Fills {@code out} with the collector's statistics, in its own order: off-CPU (KFR_STAT__LEN,
     * offcpu_records.h) the counters, then the BPF run count, run time and recursion misses of its
     * programs, then the waker program's run count and time; CPU (KFR_CPU_STAT__LEN, cpu_records.h)
     * the counters, then run count, run time, recursion misses.
     * @return how many values were filled, or negative errno
     */
    public static native int collectorStats(long handle, long[] out);

    /**
     * Stops collecting (off-CPU: detaches the sched_switch program and waits until no run of it
     * is in progress; CPU: perf events off). Ring buffer, maps, stacks and counters stay readable
     * and the counters are final: read everything after this, then the statistics, then close.
     * Idempotent. @return 0, or negative errno
     */
    public static native int collectorDetach(long handle);

    /** Ends a waiting {@link #collectorPoll} now; a closed handle is ignored (lastError says so). */
    public static native void collectorWake(long handle);

    /** Detaches and frees everything of this handle (a waiting poll returns first). Safe to call twice. */
    public static native void collectorClose(long handle);

    /**
     * Sizes and offsets of the records and counter indexes as libkfr.so was compiled with them
     * (the C headers), by C name ("kfr_offcpu_event.tid", "sizeof kfr_cpu_sample", "KFR_CNT__MAX"):
     * the Java decoders' layouts are checked against these.
     */
    public static Map<String, Long> recordLayout() {
        Map<String, Long> layout = new TreeMap<>();
        for (String entry : recordLayoutEntries()) {
            int eq = entry.lastIndexOf('=');
            layout.put(entry.substring(0, eq), Long.parseLong(entry.substring(eq + 1)));
        }
        return layout;
    }

    private static native String[] recordLayoutEntries();

    /** "" when the last open collector walks Java frames, else why not (one line). */
    public static native String javaFramesStatus();

    /**
     * Test-only: makes one entry of the JVM's layout wrong (e.g. "ConstMethod::_name_index"), to
     * see the start-up self-test fail; 0, or -1 if the entry is not one the knob knows.
     */
    public static native int javaLayoutTestCorrupt(String entry);

    /**
     * Names of one raw Java frame (struct kfr_java_frame), read from this JVM's memory with checks.
     * One line per scope, innermost first:
     * {@code type\tbci\tline\thidden\tapprox\tpermanent\tclass\tmethod\tdescriptor\tMethod* (hex)},
     * or "!reason" if it cannot be named. Only the collector thread calls this.
     */
    public static native String javaFrameNames(long ref, int value, int cookie);

    /**
     * Names a pc of this JVM from user space (the kernel walker's pc-to-code-blob lookup, done here
     * through the code heaps' segment maps): the lines of {@link #javaFrameNames} for the compiled
     * method holding {@code pc} (inlined scopes innermost first), or null if pc is in no live
     * nmethod. For decoders of code addresses (samples, branch traces).
     */
    public static native String javaNamesAtPc(long pc);

    /**
     * Which debug-information point of its nmethod names an interrupted pc (a frame of kind
     * KIND_COMPILED_PC): frames of one nmethod (ref and cookie) with the same point have the same
     * {@link #javaFrameNames}. The nmethod's PcDesc table is read once and kept, so a new pc of a
     * known nmethod costs a few reads. A point (>= 0), or -1 if the frame must be named itself.
     */
    public static native int javaDebugPoint(long ref, int value, int cookie);

    /**
     * Forgets what libkfr keeps to name frames fast: the PcDesc tables of {@link #javaDebugPoint}
     * and the names of methods already named. Call when the JVM unloaded classes (a Symbol of an
     * unloaded class may be freed and its memory reused).
     */
    public static native void javaNameCachesClear();

    /** The raw frame {ref, value, cookie} of an interrupted pc of this JVM, or null if pc is in no live nmethod. */
    public static native long[] javaPcFrame(long pc);

    /**
     * Declares the class loader of {@code cls} as one that never unloads classes (boot,
     * application): names of its methods stay valid across class unloading. The method given by
     * name and signature locates the loader's metadata. False if it could not be found.
     */
    public static native boolean javaPermanentLoader(Class<?> cls, String method, String signature, boolean isStatic);

    /**
     * For each (classes[i], methods[i]): the loaded class named classes[i] (as {@link #javaFrameNames}
     * names it) that owns the Method* methods[i] now, or null; at most 256 pairs, one pass over the
     * loaded classes (JVMTI; no class is initialized). Null if JVMTI is unavailable.
     */
    public static native Class<?>[] javaClassesOwning(String[] classes, long[] methods);

    // ---- the off-CPU collector's own calls

    /** Which attachment is in use: "tp_btf" or "raw_tp". */
    public static native String offcpuAttachMode(long handle);

    /**
     * Swaps the aggregation maps, waits for programs still writing the old one, and copies its
     * entries (key + value, 40 bytes each) into the direct buffer, deleting them from the map.
     * If the buffer is too small the rest stays in the map and is returned by the next call with
     * {@code swap == false}.
     * @return number of entries copied, negative errno on error
     */
    public static native int offcpuDrainAggregates(long handle, ByteBuffer directBuffer, boolean swap);

    /**
     * The kernel and user stack ids (two ints each) of the intervals pending now among the threads
     * {@code tids[0..n)}: threads off the CPU, whose stacks were taken at their switch-out. Read at a
     * stack epoch change, before the map of the epoch before last is cleared.
     * @return the number of ints written to {@code out}, negative errno on error
     */
    public static native int offcpuPendingStacks(long handle, int[] tids, int n, int[] out);

    /**
     * Stops recording switch-outs of thread {@code tid} of the target process (kfr's own threads:
     * the collector's poller wakes up because of the records, so its own intervals would feed it).
     * An interval of the thread already pending when this is called is still recorded: exclude a
     * thread that has been blocked since before the collector was opened, or exclude it from
     * itself. At most KFR_MAX_EXCLUDED (4) threads.
     * @return 0, or negative errno (-ENOSPC: table full)
     */
    public static native int offcpuExcludeThread(long handle, int tid);

    /**
     * The name (comm, at most 15 bytes) an exited thread of the target process had when it
     * exited, kept by the kernel for the last few thousand exits; null if unknown (still alive,
     * exited before the collector started, or forgotten).
     */
    public static String offcpuThreadName(long handle, int tid) {
        byte[] comm = offcpuThreadNameBytes(handle, tid);
        return comm == null ? null : new String(comm, StandardCharsets.UTF_8);
    }

    /** The raw comm bytes behind {@link #offcpuThreadName} (not necessarily valid UTF-8), or null. */
    private static native byte[] offcpuThreadNameBytes(long handle, int tid);

    /**
     * "&lt;javaThreadId&gt; &lt;name&gt;" of a thread the JVM reported starting (JVMTI ThreadStart) while a
     * collector with Java frames was open, or that was alive when one opened; it may have ended
     * since. Null if unknown.
     */
    public static native String javaThreadIdentity(int tid);
}
