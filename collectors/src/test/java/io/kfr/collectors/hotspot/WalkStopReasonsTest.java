package io.kfr.collectors.hotspot;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every reason the kernel's walker can give (KFR_JB_* in java_stack_records.h) reads as words, not a number. */
class WalkStopReasonsTest {
    @Test
    void everyReasonOfTheHeaderHasWords() throws Exception {
        String header = Files.readString(Path.of("../native/src/hotspot/java_stack_records.h"));
        Matcher m = Pattern.compile("#define KFR_JB_\\w+\\s+(\\d+)").matcher(header);
        int n = 0;
        while (m.find()) {
            String words = WalkStopReasons.words(Integer.parseInt(m.group(1)));
            assertFalse(words.startsWith("reason "), "KFR_JB code " + m.group(1) + " has no words");
            n++;
        }
        assertTrue(n >= 6, "KFR_JB_* codes found in the header: " + n);
        assertEquals("reason 99", WalkStopReasons.words(99));
    }
}
