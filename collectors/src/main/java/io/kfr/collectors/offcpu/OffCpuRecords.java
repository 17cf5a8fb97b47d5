package io.kfr.collectors.offcpu;

import java.nio.ByteBuffer;

/**
 * Layout of the off-CPU collector's records (struct kfr_offcpu_event, the aggregation key and value)
 * and statistics (enum kfr_offcpu_counter, KFR_STAT_*) in native/src/offcpu/offcpu_records.h.
 * OffCpuRecordsTest checks it against the C header libkfr.so was built with.
 */
final class OffCpuRecords {
    static final int EVENT_SIZE = 80;
    static final int EVENT_TID = 0;
    static final int EVENT_STATE = 4;
    static final int EVENT_START_NS = 8;
    static final int EVENT_DURATION_NS = 16;
    static final int EVENT_KSTACK = 24;
    static final int EVENT_USTACK = 28;
    static final int EVENT_SYSCALL = 32;
    static final int EVENT_JAVA_REF = 40;
    static final int EVENT_WAKER_TID = 48;
    static final int EVENT_WAKER_TGID = 52;
    static final int EVENT_WAKER_KSTACK = 56;
    static final int EVENT_WAKER_USTACK = 60;
    static final int EVENT_WAKER_JAVA_REF = 64;
    static final int EVENT_WAKER_FLAGS = 72;
    /** waker_flags: a wake-up was seen; the waker's stacks were taken. */
    static final int WAKER_SEEN = 1;
    static final int WAKER_STACK = 2;
    /** The wake-up ran in an interrupt: current was whatever it interrupted, not the waker. */
    static final int WAKER_IRQ = 4;

    static final int AGG_SIZE = 48;
    static final int AGG_TID = 0;
    static final int AGG_STATE = 4;
    static final int AGG_KSTACK = 8;
    static final int AGG_USTACK = 12;
    static final int AGG_SYSCALL = 16;
    /** The waker of every summed interval: a tid of this process, or AGG_WAKER_NONE / AGG_WAKER_OTHER. */
    static final int AGG_WAKER = 20;
    static final int AGG_WAKER_NONE = 0;
    static final int AGG_WAKER_OTHER = 0xfffffffe;
    static final int AGG_JAVA_REF = 24;
    static final int AGG_COUNT = 32;
    static final int AGG_TOTAL_NS = 40;

    /** Counter indexes of the stats array (enum kfr_offcpu_counter); meanings in offcpu_records.h. */
    static final int CNT_EVENTS = 0;
    static final int CNT_AGGREGATED = 1;
    static final int CNT_RINGBUF_FULL = 2;
    static final int CNT_AGG_FULL = 3;
    static final int CNT_AGG_FULL_NS = 4;
    static final int CNT_KSTACK_ERR = 5;
    static final int CNT_USTACK_ERR = 6;
    static final int CNT_STACK_CACHE_HIT = 7;
    static final int CNT_STACK_WALK = 8;
    static final int CNT_STORAGE_ERR = 9;
    static final int CNT_STORAGE_FALLBACK = 10;
    static final int CNT_MISSED_SWITCH_IN = 11;
    static final int CNT_MISSED_LOST = 12;
    static final int CNT_MISSED_SWITCH_OUT = 13;
    static final int CNT_EXCLUDED = 14;
    static final int CNT_JAVA_WALK = 15;
    static final int CNT_JAVA_WALK_NS = 16;
    static final int CNT_JAVA_FRAMES = 17;
    static final int CNT_JAVA_CACHE_HIT = 18;
    static final int CNT_JAVA_VERIFY_MISS = 19;
    static final int CNT_JAVA_NO_ANCHOR = 20;
    static final int CNT_JAVA_BROKEN = 21;
    static final int CNT_JAVA_TRUNCATED = 22;
    static final int CNT_JAVA_SENT = 23;
    static final int CNT_JAVA_LOST = 24;
    static final int CNT_JAVA_FROM_REGS = 25;
    static final int CNT_WAKEUPS = 26;
    static final int CNT_WAKER_STACKS = 27;
    static final int CNT_WAKER_JAVA = 28;
    static final int CNT_STACK_COLLISION = 29;
    static final int CNT_STACK_OTHER_ERR = 30;
    static final int CNT_JAVA_UNVERIFIED = 31;
    static final int CNT_WAKER_STACK_HIT = 32;
    static final int CNT_PREEMPT_UNSAMPLED = 33;
    static final int CNT_PREEMPT_LATE_STACK = 34;
    static final int CNT_MAX = 35;
    static final int STAT_PROG_RUN_CNT = CNT_MAX;
    static final int STAT_PROG_RUN_NS = CNT_MAX + 1;
    static final int STAT_PROG_RECURSION_MISSES = CNT_MAX + 2;
    static final int STAT_WAKER_RUN_CNT = CNT_MAX + 3;
    static final int STAT_WAKER_RUN_NS = CNT_MAX + 4;
    static final int STAT_LEN = CNT_MAX + 5;
    /** Both stack ids of a preempted interval whose stacks were not sampled (offcpu.preempted). */
    static final int STACK_NOT_SAMPLED = -1001;
    /** Waker stack ids have this bit (their own map, no epochs). */
    static final int WAKER_STACK_ID_BIT = 0x40000000;

    private OffCpuRecords() {
    }

    static int i32(ByteBuffer b, int recordStart, int field) {
        return b.getInt(recordStart + field);
    }

    static long i64(ByteBuffer b, int recordStart, int field) {
        return b.getLong(recordStart + field);
    }
}
