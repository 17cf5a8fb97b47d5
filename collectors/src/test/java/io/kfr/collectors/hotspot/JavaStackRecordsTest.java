package io.kfr.collectors.hotspot;

import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.kfr.collectors.hotspot.JavaStackRecords.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The Java decoder's Java stack record layout is the one libkfr.so was compiled with (java_stack_records.h). */
class JavaStackRecordsTest {
    @Test
    void layoutMatchesTheCHeader() {
        assertNull(NativeLibrary.load());
        Map<String, Long> c = KfrNative.recordLayout();
        assertEquals(c.get("KFR_JAVA_STACK_HDR"), (long) HDR);
        assertEquals(c.get("kfr_java_stack.f"), (long) HDR);
        assertEquals(c.get("kfr_java_stack.id"), (long) ID);
        assertEquals(c.get("kfr_java_stack.tid"), (long) TID);
        assertEquals(c.get("kfr_java_stack.n"), (long) N);
        assertEquals(c.get("kfr_java_stack.flags"), (long) FLAGS);
        assertEquals(c.get("KFR_JAVA_MAX_FRAMES"), (long) MAX_FRAMES);
        assertEquals(c.get("sizeof kfr_java_stack"), (long) MAX_SIZE);
        assertEquals(c.get("sizeof kfr_java_frame"), (long) FRAME_SIZE);
        assertEquals(c.get("kfr_java_frame.ref"), (long) FRAME_REF);
        assertEquals(c.get("kfr_java_frame.value"), (long) FRAME_VALUE);
        assertEquals(c.get("kfr_java_frame.cookie"), (long) FRAME_COOKIE);
        assertEquals(c.get("KFR_JAVA_NONE"), JAVA_NONE);
        assertEquals(c.get("KFR_JAVA_NO_ANCHOR"), JAVA_NO_ANCHOR);
        assertEquals(c.get("KFR_JAVA_LOST"), JAVA_LOST);
        assertEquals(c.get("KFR_JAVA_UNVERIFIED"), JAVA_UNVERIFIED);
        assertEquals(c.get("KFR_JF_SHIFT"), (long) KIND_SHIFT);
        assertEquals(c.get("KFR_JF_INTERPRETED"), (long) KIND_INTERPRETED);
        assertEquals(c.get("KFR_JF_COMPILED"), (long) KIND_COMPILED);
        assertEquals(c.get("KFR_JF_STUB"), (long) KIND_STUB);
        assertEquals(c.get("KFR_JF_TRUNCATED"), (long) KIND_TRUNCATED);
        assertEquals(c.get("KFR_JF_BROKEN"), (long) KIND_BROKEN);
        assertEquals(c.get("KFR_JF_COMPILED_PC"), (long) KIND_COMPILED_PC);
    }
}
