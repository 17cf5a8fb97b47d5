package io.kfr.collectors.offcpu;

import io.kfr.collectors.stacks.StackEpochs;

import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.kfr.collectors.offcpu.OffCpuRecords.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The Java decoder's off-CPU layout is the one libkfr.so was compiled with (offcpu_records.h). */
class OffCpuRecordsTest {
    @Test
    void layoutMatchesTheCHeader() {
        assertNull(NativeLibrary.load());
        Map<String, Long> c = KfrNative.recordLayout();
        String ev = "kfr_offcpu_event.";
        assertEquals(c.get("sizeof kfr_offcpu_event"), (long) EVENT_SIZE);
        assertEquals(c.get(ev + "tid"), (long) EVENT_TID);
        assertEquals(c.get(ev + "state"), (long) EVENT_STATE);
        assertEquals(c.get(ev + "start_ns"), (long) EVENT_START_NS);
        assertEquals(c.get(ev + "duration_ns"), (long) EVENT_DURATION_NS);
        assertEquals(c.get(ev + "kstack_id"), (long) EVENT_KSTACK);
        assertEquals(c.get(ev + "ustack_id"), (long) EVENT_USTACK);
        assertEquals(c.get(ev + "syscall_nr"), (long) EVENT_SYSCALL);
        assertEquals(c.get(ev + "java_ref"), (long) EVENT_JAVA_REF);
        assertEquals(c.get(ev + "waker_tid"), (long) EVENT_WAKER_TID);
        assertEquals(c.get(ev + "waker_tgid"), (long) EVENT_WAKER_TGID);
        assertEquals(c.get(ev + "waker_kstack_id"), (long) EVENT_WAKER_KSTACK);
        assertEquals(c.get(ev + "waker_ustack_id"), (long) EVENT_WAKER_USTACK);
        assertEquals(c.get(ev + "waker_java_ref"), (long) EVENT_WAKER_JAVA_REF);
        assertEquals(c.get(ev + "waker_flags"), (long) EVENT_WAKER_FLAGS);
        assertEquals(c.get("KFR_WAKER_SEEN"), (long) WAKER_SEEN);
        assertEquals(c.get("KFR_WAKER_STACK"), (long) WAKER_STACK);
        assertEquals(c.get("KFR_WAKER_STACK_ID_BIT"), (long) WAKER_STACK_ID_BIT);
        assertEquals(c.get("KFR_STACK_EPOCH_SHIFT"), (long) StackEpochs.EPOCH_SHIFT);
        assertEquals(c.get("KFR_STACK_EPOCH_MASK"), (long) StackEpochs.EPOCH_MASK);
        assertEquals(c.get("KFR_STACK_BUCKET_MASK"), (long) StackEpochs.BUCKET_MASK);
        assertEquals(c.get("KFR_WAKER_IRQ"), (long) WAKER_IRQ);

        String key = "kfr_offcpu_agg_key.";
        long keySize = c.get("sizeof kfr_offcpu_agg_key");
        assertEquals(keySize + c.get("sizeof kfr_offcpu_agg_val"), (long) AGG_SIZE);
        assertEquals(c.get(key + "tid"), (long) AGG_TID);
        assertEquals(c.get(key + "state"), (long) AGG_STATE);
        assertEquals(c.get(key + "kstack_id"), (long) AGG_KSTACK);
        assertEquals(c.get(key + "ustack_id"), (long) AGG_USTACK);
        assertEquals(c.get(key + "syscall_nr"), (long) AGG_SYSCALL);
        assertEquals(c.get(key + "waker"), (long) AGG_WAKER);
        assertEquals(c.get("KFR_AGG_WAKER_NONE"), (long) AGG_WAKER_NONE);
        assertEquals(c.get("KFR_AGG_WAKER_OTHER"), Integer.toUnsignedLong(AGG_WAKER_OTHER));
        assertEquals(c.get(key + "java_ref"), (long) AGG_JAVA_REF);
        assertEquals(keySize + c.get("kfr_offcpu_agg_val.count"), (long) AGG_COUNT);
        assertEquals(keySize + c.get("kfr_offcpu_agg_val.total_ns"), (long) AGG_TOTAL_NS);

        assertEquals(c.get("KFR_CNT_EVENTS"), (long) CNT_EVENTS);
        assertEquals(c.get("KFR_CNT_AGGREGATED"), (long) CNT_AGGREGATED);
        assertEquals(c.get("KFR_CNT_RINGBUF_FULL"), (long) CNT_RINGBUF_FULL);
        assertEquals(c.get("KFR_CNT_AGG_FULL"), (long) CNT_AGG_FULL);
        assertEquals(c.get("KFR_CNT_AGG_FULL_NS"), (long) CNT_AGG_FULL_NS);
        assertEquals(c.get("KFR_CNT_KSTACK_ERR"), (long) CNT_KSTACK_ERR);
        assertEquals(c.get("KFR_CNT_USTACK_ERR"), (long) CNT_USTACK_ERR);
        assertEquals(c.get("KFR_CNT_STACK_CACHE_HIT"), (long) CNT_STACK_CACHE_HIT);
        assertEquals(c.get("KFR_CNT_STACK_WALK"), (long) CNT_STACK_WALK);
        assertEquals(c.get("KFR_CNT_STORAGE_ERR"), (long) CNT_STORAGE_ERR);
        assertEquals(c.get("KFR_CNT_STORAGE_FALLBACK"), (long) CNT_STORAGE_FALLBACK);
        assertEquals(c.get("KFR_CNT_MISSED_SWITCH_IN"), (long) CNT_MISSED_SWITCH_IN);
        assertEquals(c.get("KFR_CNT_MISSED_LOST"), (long) CNT_MISSED_LOST);
        assertEquals(c.get("KFR_CNT_MISSED_SWITCH_OUT"), (long) CNT_MISSED_SWITCH_OUT);
        assertEquals(c.get("KFR_CNT_EXCLUDED"), (long) CNT_EXCLUDED);
        assertEquals(c.get("KFR_CNT_JAVA_WALK"), (long) CNT_JAVA_WALK);
        assertEquals(c.get("KFR_CNT_JAVA_WALK_NS"), (long) CNT_JAVA_WALK_NS);
        assertEquals(c.get("KFR_CNT_JAVA_FRAMES"), (long) CNT_JAVA_FRAMES);
        assertEquals(c.get("KFR_CNT_JAVA_CACHE_HIT"), (long) CNT_JAVA_CACHE_HIT);
        assertEquals(c.get("KFR_CNT_JAVA_VERIFY_MISS"), (long) CNT_JAVA_VERIFY_MISS);
        assertEquals(c.get("KFR_CNT_JAVA_NO_ANCHOR"), (long) CNT_JAVA_NO_ANCHOR);
        assertEquals(c.get("KFR_CNT_JAVA_BROKEN"), (long) CNT_JAVA_BROKEN);
        assertEquals(c.get("KFR_CNT_JAVA_TRUNCATED"), (long) CNT_JAVA_TRUNCATED);
        assertEquals(c.get("KFR_CNT_JAVA_SENT"), (long) CNT_JAVA_SENT);
        assertEquals(c.get("KFR_CNT_JAVA_LOST"), (long) CNT_JAVA_LOST);
        assertEquals(c.get("KFR_CNT_JAVA_FROM_REGS"), (long) CNT_JAVA_FROM_REGS);
        assertEquals(c.get("KFR_CNT_WAKEUPS"), (long) CNT_WAKEUPS);
        assertEquals(c.get("KFR_CNT_WAKER_STACKS"), (long) CNT_WAKER_STACKS);
        assertEquals(c.get("KFR_CNT_WAKER_JAVA"), (long) CNT_WAKER_JAVA);
        assertEquals(c.get("KFR_CNT_STACK_COLLISION"), (long) CNT_STACK_COLLISION);
        assertEquals(c.get("KFR_CNT_STACK_OTHER_ERR"), (long) CNT_STACK_OTHER_ERR);
        assertEquals(c.get("KFR_CNT_JAVA_UNVERIFIED"), (long) CNT_JAVA_UNVERIFIED);
        assertEquals(c.get("KFR_CNT_WAKER_STACK_HIT"), (long) CNT_WAKER_STACK_HIT);
        assertEquals(c.get("KFR_CNT_PREEMPT_UNSAMPLED"), (long) CNT_PREEMPT_UNSAMPLED);
        assertEquals(c.get("KFR_CNT_PREEMPT_LATE_STACK"), (long) CNT_PREEMPT_LATE_STACK);
        assertEquals(c.get("KFR_STACK_NOT_SAMPLED"), (long) STACK_NOT_SAMPLED);
        assertEquals(c.get("KFR_CNT__MAX"), (long) CNT_MAX);
        assertEquals(c.get("KFR_STAT_PROG_RUN_CNT"), (long) STAT_PROG_RUN_CNT);
        assertEquals(c.get("KFR_STAT_PROG_RUN_NS"), (long) STAT_PROG_RUN_NS);
        assertEquals(c.get("KFR_STAT_PROG_RECURSION_MISSES"), (long) STAT_PROG_RECURSION_MISSES);
        assertEquals(c.get("KFR_STAT_WAKER_RUN_CNT"), (long) STAT_WAKER_RUN_CNT);
        assertEquals(c.get("KFR_STAT_WAKER_RUN_NS"), (long) STAT_WAKER_RUN_NS);
        assertEquals(c.get("KFR_STAT__LEN"), (long) STAT_LEN);
    }
}
