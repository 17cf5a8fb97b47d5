package io.kfr.jfr;

import io.kfr.collectors.CollectorStatistics;

import java.io.IOException;

/**
 * The two forms of a kfr event: the spool record written when the event arrives (pool keys, epoch
 * nanos) and the JFR event written into a chunk (ticks of the chunk's time base, fields in
 * {@link KfrTypes} order). Both layouts live here so they change together.
 */
final class EventEncoder {
    private static final int OFF_CPU = 1;
    private static final int STATISTICS = 2;
    private static final int CPU_SAMPLE = 3;
    private static final int EXECUTION_SAMPLE = 4;
    /** The counters of CollectorStatistics after the collector name and time, in field order. */
    private static final int STATISTICS_COUNTERS = 33;

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
        r.writeByte(OFF_CPU);
        r.writeVarInt(thread);
        r.writeVarInt(stack);
        r.writeRawLong(startNanos);
        r.writeVarLong(Math.max(0, durationNanos));
        r.writeVarInt(state);
        r.writeVarInt(stateDescription);
        r.writeVarInt(syscall);
        r.writeVarLong(count);
        r.writeBoolean(aggregated);
        r.writeVarInt(wakerThread);
        r.writeVarInt(wakerStack);
        r.writeVarInt(wakerKind);
    }

    static void spoolCpuSample(JfrBuffer r, int thread, int stack, long epochNanos, int cpu, long weightNanos) {
        r.writeByte(CPU_SAMPLE);
        r.writeVarInt(thread);
        r.writeVarInt(stack);
        r.writeRawLong(epochNanos);
        r.writeVarInt(cpu);
        r.writeVarLong(Math.max(0, weightNanos));
    }

    /** The same sample as jdk.ExecutionSample: a record of its own, so one record is one event. */
    static void spoolExecutionSample(JfrBuffer r, int thread, int stack, long epochNanos) {
        r.writeByte(EXECUTION_SAMPLE);
        r.writeVarInt(thread);
        r.writeVarInt(stack);
        r.writeRawLong(epochNanos);
    }

    static void spoolStatistics(JfrBuffer r, int collector, CollectorStatistics s) {
        r.writeByte(STATISTICS);
        r.writeVarInt(collector);
        r.writeRawLong(s.epochNanos());
        r.writeVarLong(s.bpfRunCount());
        r.writeVarLong(s.bpfRunTimeNanos());
        r.writeVarLong(s.eventsRecorded());
        r.writeVarLong(s.intervalsAggregated());
        r.writeVarLong(s.recordsLost());
        r.writeVarLong(s.recordsDropped());
        r.writeVarLong(s.droppedNanos());
        r.writeVarLong(s.stackErrors());
        r.writeVarLong(s.unknownFrames());
        r.writeVarLong(s.stackWalks());
        r.writeVarLong(s.stackCacheHits());
        r.writeVarLong(s.storageFallbacks());
        r.writeVarLong(s.storageErrors());
        r.writeVarLong(s.missedSwitchIns());
        r.writeVarLong(s.intervalsMissed());
        r.writeVarLong(s.recursionMisses());
        r.writeVarLong(s.excludedSwitches());
        r.writeVarLong(Math.max(0, s.collectorCpuNanos()));
        CollectorStatistics.JavaWalks j = s.java() != null ? s.java() : CollectorStatistics.JavaWalks.NONE;
        r.writeVarLong(j.walks());
        r.writeVarLong(j.walkNanos());
        r.writeVarLong(j.frames());
        r.writeVarLong(j.cacheHits());
        r.writeVarLong(j.verifyMisses());
        r.writeVarLong(j.noAnchor());
        r.writeVarLong(j.broken());
        r.writeVarLong(j.truncated());
        r.writeVarLong(j.stacksSent());
        r.writeVarLong(j.stacksLost());
        r.writeVarLong(j.fromRegisters());
        CollectorStatistics.Wakers w = s.wakers() != null ? s.wakers() : CollectorStatistics.Wakers.NONE;
        r.writeVarLong(w.wakeups());
        r.writeVarLong(w.stacks());
        r.writeVarLong(w.runCount());
        r.writeVarLong(w.runNanos());
    }

    /** Reads one spool record and appends it to {@code out} as a sized JFR event. */
    void encodeNext(EventSpool.Reader in, JfrBuffer out) throws IOException {
        body.reset();
        int kind = in.readByte();
        switch (kind) {
            case OFF_CPU -> offCpu(in);
            case STATISTICS -> statistics(in);
            case CPU_SAMPLE -> cpuSample(in);
            case EXECUTION_SAMPLE -> executionSample(in);
            default -> throw new IOException("corrupt kfr spool: record kind " + kind);
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

    private void offCpu(EventSpool.Reader in) throws IOException {
        int thread = in.readVarInt();
        int stack = in.readVarInt();
        long start = in.readRawLong();
        long duration = in.readVarLong();
        int state = in.readVarInt();
        int stateDescription = in.readVarInt();
        int syscall = in.readVarInt();
        long count = in.readVarLong();
        boolean aggregated = in.readByte() != 0;
        int wakerThread = in.readVarInt();
        int wakerStack = in.readVarInt();
        int wakerKind = in.readVarInt();

        body.writeVarLong(KfrTypes.OFF_CPU);
        startAndDuration(start, duration);
        body.writeVarLong(thread);
        body.writeVarLong(stack);
        body.writePooledString(state);
        body.writePooledString(stateDescription);
        body.writeDouble(duration / 1e6);
        body.writeVarLong(count);
        body.writeBoolean(aggregated);
        body.writePooledString(syscall);
        body.writeVarLong(wakerThread);
        body.writeVarLong(wakerStack);
        body.writePooledString(wakerKind);
    }

    private void statistics(EventSpool.Reader in) throws IOException {
        int collector = in.readVarInt();
        long time = in.readRawLong();
        body.writeVarLong(KfrTypes.COLLECTOR_STATISTICS);
        startAndDuration(time, 0);
        body.writePooledString(collector);
        for (int i = 0; i < STATISTICS_COUNTERS; i++) {
            body.writeVarLong(in.readVarLong());
        }
    }

    private void cpuSample(EventSpool.Reader in) throws IOException {
        int thread = in.readVarInt();
        int stack = in.readVarInt();
        long time = in.readRawLong();
        int cpu = in.readVarInt();
        long weight = in.readVarLong();
        body.writeVarLong(KfrTypes.CPU_SAMPLE);
        instant(time);
        body.writeVarLong(thread);
        body.writeVarLong(stack);
        body.writeVarInt(cpu);
        body.writeVarLong(weight);
    }

    private void executionSample(EventSpool.Reader in) throws IOException {
        int thread = in.readVarInt();
        int stack = in.readVarInt();
        long time = in.readRawLong();
        body.writeVarLong(KfrTypes.EXECUTION_SAMPLE);
        instant(time);
        body.writeVarLong(thread); // sampledThread
        body.writeVarLong(stack);
        body.writeVarLong(JavaThreadStates.RUNNABLE); // state: as the JVM's sampler, which samples running threads
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
