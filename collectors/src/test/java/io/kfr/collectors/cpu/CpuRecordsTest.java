package io.kfr.collectors.cpu;

import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.kfr.collectors.cpu.CpuRecords.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The Java decoder's CPU sample layout is the one libkfr.so was compiled with (cpu_records.h). */
class CpuRecordsTest {
    @Test
    void layoutMatchesTheCHeader() {
        assertNull(NativeLibrary.load());
        Map<String, Long> c = KfrNative.recordLayout();
        String s = "kfr_cpu_sample.";
        assertEquals(c.get("sizeof kfr_cpu_sample"), (long) SAMPLE_SIZE);
        assertEquals(c.get(s + "tid"), (long) S_TID);
        assertEquals(c.get(s + "cpu"), (long) S_CPU);
        assertEquals(c.get(s + "time_ns"), (long) S_TIME);
        assertEquals(c.get(s + "period"), (long) S_PERIOD);
        assertEquals(c.get(s + "kstack_id"), (long) S_KSTACK);
        assertEquals(c.get(s + "ustack_id"), (long) S_USTACK);
        assertEquals(c.get(s + "java_ref"), (long) S_JAVA);
        assertEquals(c.get("KFR_CPU_CNT_SAMPLES"), (long) C_SAMPLES);
        assertEquals(c.get("KFR_CPU_CNT_LOST"), (long) C_LOST);
        assertEquals(c.get("KFR_CPU_CNT_OTHER"), (long) C_OTHER);
        assertEquals(c.get("KFR_CPU_CNT_KSTACK_ERR"), (long) C_KSTACK_ERR);
        assertEquals(c.get("KFR_CPU_CNT_USTACK_ERR"), (long) C_USTACK_ERR);
        assertEquals(c.get("KFR_CPU_CNT_JAVA_WALK"), (long) C_JAVA_WALK);
        assertEquals(c.get("KFR_CPU_CNT_JAVA_WALK_NS"), (long) C_JAVA_WALK_NS);
        assertEquals(c.get("KFR_CPU_CNT_JAVA_FRAMES"), (long) C_JAVA_FRAMES);
        assertEquals(c.get("KFR_CPU_CNT_JAVA_FROM_REGS"), (long) C_JAVA_FROM_REGS);
        assertEquals(c.get("KFR_CPU_CNT_JAVA_NO_ANCHOR"), (long) C_JAVA_NO_ANCHOR);
        assertEquals(c.get("KFR_CPU_CNT_JAVA_BROKEN"), (long) C_JAVA_BROKEN);
        assertEquals(c.get("KFR_CPU_CNT_JAVA_SENT"), (long) C_JAVA_SENT);
        assertEquals(c.get("KFR_CPU_CNT_JAVA_LOST"), (long) C_JAVA_LOST);
        assertEquals(c.get("KFR_CPU_CNT_STACK_COLLISION"), (long) C_STACK_COLLISION);
        assertEquals(c.get("KFR_CPU_CNT_USTACK_SKIPPED"), (long) C_USTACK_SKIPPED);
        assertEquals(c.get("KFR_CPU_CNT__MAX"), (long) C_MAX);
        assertEquals(c.get("KFR_CPU_STAT__LEN"), (long) STAT_LEN);
    }
}
