package io.kfr.it.offcpu;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.Burners;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads preempted while running Java code have no frame anchor: the walk starts from their
 * registers. Each burner's preemptions must show its own loop method (burnA or burnB) below the
 * interrupted frame, and never the other burner's.
 */
class JavaStackPreemptedTest {

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void preemptedThreadsShowTheirJavaMethods(Jdk jdk) throws Exception {
        Path file = Files.createTempDirectory("kfr-it-burners").resolve("burners.jfr");
        JvmRun.Result run = JvmRun.on(jdk).agent("offcpu.preempted=exact,file=" + file).main(Burners.class, "3000").run(120);
        assertEquals(0, run.exitCode(), run.describe());

        int preempted = 0;
        int named = 0;
        int wrong = 0;
        int inSpin = 0;
        long fromRegisters = 0;
        StringBuilder examples = new StringBuilder();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("kfr.CollectorStatistics")) {
                fromRegisters = Math.max(fromRegisters, e.getLong("javaFromRegisters"));
            }
            if (!e.getEventType().getName().equals("kfr.OffCpu") || !"R".equals(e.getString("state"))
                    || e.getThread("eventThread") == null || e.getThread("eventThread").getJavaName() == null
                    || !e.getThread("eventThread").getJavaName().startsWith("burner-") || e.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.stream().anyMatch(f -> f.getMethod().getType().getName().equals("kernel")
                    && f.getMethod().getName().contains("syscall"))) {
                continue; // preempted in a system call, not in Java code
            }
            preempted++;
            boolean a = e.getThread("eventThread").getJavaName().equals("burner-0")
                    || e.getThread("eventThread").getJavaName().equals("burner-2");
            String own = a ? "burnA" : "burnB";
            String other = a ? "burnB" : "burnA";
            boolean hasOwn = has(frames, own);
            if (has(frames, other)) {
                wrong++;
                if (wrong <= 3) {
                    examples.append(e.getThread("eventThread").getJavaName()).append(": ").append(frames).append('\n');
                }
            } else if (hasOwn) {
                named++;
                if (innermostJava(frames, "spin")) {
                    inSpin++;
                }
            }
        }
        System.out.printf("%s preempted burners: %d intervals, %d show their loop method (%d with spin, where they"
                + " spend their time, as the interrupted frame), %d the wrong one; %d walks from registers%n",
                jdk, preempted, named, inSpin, wrong, fromRegisters);
        assertTrue(preempted >= 100, "burners were preempted: " + preempted);
        assertEquals(0, wrong, examples.toString());
        assertTrue(named >= preempted * 0.9, named + " of " + preempted + " name the burner's loop method");
        assertTrue(fromRegisters > 0, "walks started from registers");
        // the interrupted compiled frame is named from the next debug-info point: spin, not burnX
        assertTrue(inSpin >= named * 0.8, inSpin + " of " + named + " interrupted in spin");
    }

    private static boolean innermostJava(List<RecordedFrame> frames, String method) {
        return frames.stream().filter(f -> f.getMethod().getType().getName().startsWith("io.kfr.")).findFirst()
                .map(f -> f.getMethod().getName().equals(method)).orElse(false);
    }

    private static boolean has(List<RecordedFrame> frames, String method) {
        return frames.stream().anyMatch(f -> f.getMethod().getType().getName().equals(Burners.class.getName())
                && f.getMethod().getName().equals(method));
    }
}
