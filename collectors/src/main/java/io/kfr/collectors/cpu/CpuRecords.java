package io.kfr.collectors.cpu;

/**
 * Layout of the CPU sampler's records (struct kfr_cpu_sample) and statistics (enum
 * kfr_cpu_counter, KFR_CPU_STAT__LEN) in native/src/cpu/cpu_records.h. CpuRecordsTest checks it
 * against the C header libkfr.so was built with.
 */
final class CpuRecords {
    static final int SAMPLE_SIZE = 40;
    static final int S_TID = 0;
    static final int S_CPU = 4;
    static final int S_TIME = 8;
    static final int S_PERIOD = 16;
    static final int S_KSTACK = 24;
    static final int S_USTACK = 28;
    static final int S_JAVA = 32;
    /** Counter indexes of the statistics array (enum kfr_cpu_counter). */
    static final int C_SAMPLES = 0;
    static final int C_LOST = 1;
    static final int C_OTHER = 2;
    static final int C_KSTACK_ERR = 3;
    static final int C_USTACK_ERR = 4;
    static final int C_JAVA_WALK = 5;
    static final int C_JAVA_WALK_NS = 6;
    static final int C_JAVA_FRAMES = 7;
    static final int C_JAVA_FROM_REGS = 8;
    static final int C_JAVA_NO_ANCHOR = 9;
    static final int C_JAVA_BROKEN = 10;
    static final int C_JAVA_SENT = 11;
    static final int C_JAVA_LOST = 12;
    static final int C_STACK_COLLISION = 13;
    static final int C_USTACK_SKIPPED = 14;
    static final int C_MAX = 15;
    /** The counters, then the program's run count, run time and recursion misses. */
    static final int STAT_LEN = C_MAX + 3;

    private CpuRecords() {
    }
}
