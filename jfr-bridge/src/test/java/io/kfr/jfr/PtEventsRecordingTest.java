package io.kfr.jfr;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.pt.PtHotPath;
import io.kfr.collectors.pt.PtSpan;
import io.kfr.events.KfrEventNames;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kfr.HotPath and kfr.PtSpan in kfr's chunk merged with a real JDK 17 recording: every field as
 * docs/events.md declares it, read back by the JDK's RecordingFile and by JMC's parser.
 */
class PtEventsRecordingTest {
    private static final StackTrace PATH = new StackTrace(List.of(
            new Frame("io.kfr.demo.Hot", "mix", "(J)J", FrameType.INLINED, 17, 5),
            new Frame("io.kfr.demo.Hot", "loop", "(I)J", FrameType.JIT_COMPILED, 12, 30),
            Frame.nativeCode("libc.so.6", "memcpy", false)), true);

    @Test
    void hotPathsAndSpansReadBackFieldByField() throws Exception {
        JvmRecordings.Recording jvm = JvmRecordings.of(17);
        TimeBase tb = TimeBase.ofFirstChunk(jvm.file());
        TestSamples samples = new TestSamples(tb, jvm.mainTid(), 1);
        long start = samples.offCpu.get(0).startEpochNanos();
        Path work = JvmRecordings.workDir();
        Path target = work.resolve("pt-events.jfr");
        try (KfrChunk chunk = new KfrChunk(work.resolve("spool-pt"))) {
            chunk.addHotPath(samples.main, new PtHotPath(PATH, 123_456, 7_890, -1, 0), start, 2_500_000, "on demand", 3);
            chunk.addPtSpan(samples.main, new PtSpan("io.kfr.demo.Hot.loop(I)J", 1, -1, -1, 100, 600), start + 1_000,
                    40_000, 3);
            JfrFiles.mergeAtomically(jvm.file(), chunk, target);
        }
        List<RecordedEvent> all = RecordingFile.readAllEvents(target);
        List<RecordedEvent> paths = all.stream().filter(e -> e.getEventType().getName().equals(KfrEventNames.HOT_PATH))
                .collect(Collectors.toList());
        assertEquals(1, paths.size());
        RecordedEvent p = paths.get(0);
        assertEquals(123_456, p.getLong("instructions"));
        assertEquals(7_890, p.getLong("branches"));
        assertEquals("on demand", p.getString("reason"));
        assertEquals(3, p.getLong("snapshot"));
        assertEquals(2_500_000, p.getDuration().toNanos(), 1_000);
        assertEquals(samples.main.tid(), p.getThread("eventThread").getOSThreadId());
        List<RecordedFrame> frames = p.getStackTrace().getFrames();
        assertEquals(List.of("mix", "loop", "memcpy"), frames.stream().map(f -> f.getMethod().getName()).collect(Collectors.toList()));
        assertEquals(List.of("Inlined", "JIT compiled", "Native"), frames.stream().map(RecordedFrame::getType)
                .collect(Collectors.toList()));
        assertEquals(17, frames.get(0).getLineNumber());
        assertTrue(p.getStackTrace().isTruncated());
        RecordedEvent s = all.stream().filter(e -> e.getEventType().getName().equals(KfrEventNames.PT_SPAN)).findFirst()
                .orElseThrow();
        assertEquals("io.kfr.demo.Hot.loop(I)J", s.getString("method"));
        assertEquals(1, s.getInt("depth"));
        assertEquals(500, s.getLong("instructions"));
        assertEquals(40_000, s.getDuration().toNanos(), 1_000);
        assertEquals("Intel PT", s.getEventType().getCategoryNames().get(1));
        JmcReader jmc = new JmcReader(target.toFile());
        assertEquals(1, jmc.events(KfrEventNames.HOT_PATH).size());
        assertEquals(1, jmc.events(KfrEventNames.PT_SPAN).size());
        Object jmcInstructions = jmc.events(KfrEventNames.PT_SPAN).get(0).get("instructions");
        assertEquals(500L, jmcInstructions instanceof Number ? ((Number) jmcInstructions).longValue()
                : ((org.openjdk.jmc.common.unit.IQuantity) jmcInstructions).longValue());
    }
}
