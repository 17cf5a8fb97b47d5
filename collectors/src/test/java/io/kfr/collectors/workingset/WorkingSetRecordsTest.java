package io.kfr.collectors.workingset;

import static io.kfr.collectors.workingset.WorkingSetRecords.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java decoder's working-set layouts are the ones libkfr.so was compiled with (workingset_records.h). */
class WorkingSetRecordsTest {
    @Test
    void layoutMatchesTheCHeader() {
        assertNull(NativeLibrary.load());
        Map<String, Long> c = KfrNative.recordLayout();
        assertEquals(c.get("sizeof kfr_ws_file_rec"), (long) FILE_BYTES);
        assertEquals(c.get("kfr_ws_file_rec.path_len"), (long) F_PATH_LEN);
        assertEquals(c.get("kfr_ws_file_rec.dev"), (long) F_DEV);
        assertEquals(c.get("kfr_ws_file_rec.ino"), (long) F_INO);
        assertEquals(c.get("kfr_ws_file_rec.complete"), (long) F_COMPLETE);
        assertEquals(c.get("kfr_ws_file_rec.path"), (long) F_PATH);
        assertEquals(c.get("KFR_WS_PATH_BYTES"), (long) PATH_BYTES);
        assertEquals(c.get("sizeof kfr_ws_miss_rec"), (long) MISS_BYTES);
        assertEquals(c.get("kfr_ws_miss_rec.tid"), (long) M_TID);
        assertEquals(c.get("kfr_ws_miss_rec.ts_ns"), (long) M_TS);
        assertEquals(c.get("kfr_ws_miss_rec.dev"), (long) M_DEV);
        assertEquals(c.get("kfr_ws_miss_rec.ino"), (long) M_INO);
        assertEquals(c.get("kfr_ws_miss_rec.index"), (long) M_INDEX);
        assertEquals(c.get("kfr_ws_miss_rec.pages"), (long) M_PAGES);
        assertEquals(c.get("kfr_ws_miss_rec.ustack_id"), (long) M_USTACK);
        assertEquals(c.get("kfr_ws_miss_rec.kstack_id"), (long) M_KSTACK);
        assertEquals(c.get("kfr_ws_miss_rec.java_ref"), (long) M_JAVA);
        assertEquals(c.get("sizeof kfr_ws_wait_rec"), (long) WAIT_BYTES);
        assertEquals(c.get("kfr_ws_wait_rec.tid"), (long) W_TID);
        assertEquals(c.get("kfr_ws_wait_rec.start_ns"), (long) W_START);
        assertEquals(c.get("kfr_ws_wait_rec.duration_ns"), (long) W_DURATION);
        assertEquals(c.get("kfr_ws_wait_rec.dev"), (long) W_DEV);
        assertEquals(c.get("kfr_ws_wait_rec.ino"), (long) W_INO);
        assertEquals(c.get("kfr_ws_wait_rec.index"), (long) W_INDEX);
        assertEquals(c.get("sizeof kfr_ws_chunk_key"), (long) CHUNK_KEY_BYTES);
        assertEquals(c.get("sizeof kfr_ws_chunk_key") + c.get("sizeof kfr_ws_chunk_val"), (long) CHUNK_ENTRY_BYTES);
        assertEquals(c.get("KFR_WS_REC_FILE"), (long) REC_FILE);
        assertEquals(c.get("KFR_WS_REC_MISS"), (long) REC_MISS);
        assertEquals(c.get("KFR_WS_REC_WAIT"), (long) REC_WAIT);
        assertEquals(c.get("KFR_WS_CNT_EVENTS"), (long) CNT_EVENTS);
        assertEquals(c.get("KFR_WS_CNT_CHUNK_FULL"), (long) CNT_CHUNK_FULL);
        assertEquals(c.get("KFR_WS_CNT_RB_FULL"), (long) CNT_RB_FULL);
        assertEquals(c.get("KFR_WS_CNT_FILES"), (long) CNT_FILES);
        assertEquals(c.get("KFR_WS_CNT_MISSES"), (long) CNT_MISSES);
        assertEquals(c.get("KFR_WS_CNT_WAITS"), (long) CNT_WAITS);
        assertEquals(c.get("KFR_WS_CNT_RANGE_CUT"), (long) CNT_RANGE_CUT);
        assertEquals(c.get("KFR_WS_CNT_WRITE_ADDS"), (long) CNT_WRITE_ADDS);
        assertEquals(c.get("KFR_WS_CNT_JAVA_WALK"), (long) CNT_JAVA_WALK);
        assertEquals(c.get("KFR_WS_CNT_JAVA_WALK_NS"), (long) CNT_JAVA_WALK_NS);
        assertEquals(c.get("KFR_WS_CNT_JAVA_FRAMES"), (long) CNT_JAVA_FRAMES);
        assertEquals(c.get("KFR_WS_CNT_JAVA_FROM_REGS"), (long) CNT_JAVA_FROM_REGS);
        assertEquals(c.get("KFR_WS_CNT_JAVA_NO_ANCHOR"), (long) CNT_JAVA_NO_ANCHOR);
        assertEquals(c.get("KFR_WS_CNT_JAVA_BROKEN"), (long) CNT_JAVA_BROKEN);
        assertEquals(c.get("KFR_WS_CNT_JAVA_SENT"), (long) CNT_JAVA_SENT);
        assertEquals(c.get("KFR_WS_CNT_JAVA_LOST"), (long) CNT_JAVA_LOST);
        assertEquals(c.get("KFR_WS_CNT_NR"), (long) CNT_NR);
        assertEquals(c.get("KFR_WS_STAT_LEN"), (long) STAT_LEN);
    }
}
