package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.SlowDisk;
import io.kfr.it.support.workload.JettyWorkload;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The off-CPU rule on a real Jetty 12 server (Maven Central's jetty-server, started in the child
 * JVM with kfr, loaded by a small HTTP client on 127.0.0.1): under a hello load the acceptor,
 * selectors and idle pool threads are no finding (they wait for work); with a handler that blocks
 * on a contended ReentrantLock and one that reads a file synchronously from the disk, both are
 * named, and their long intervals carry the right waker (the lock holder's unlock in the handler,
 * the disk's I/O completion) in at least 90% of them.
 */
class JettyFindingsTest {
    private static final long LONG_NANOS = 2_000_000;

    private static Path record(String variant) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kfr-jetty-" + variant);
        Path file = dir.resolve("jetty-" + variant + ".jfr");
        String cp = Path.of("target/test-classes").toAbsolutePath() + File.pathSeparator
                + Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.contains("/org/eclipse/jetty/") || p.contains("/org/slf4j/"))
                .collect(Collectors.joining(File.pathSeparator));
        JvmRun.Result run;
        JvmRun jvm = JvmRun.on(Jdk.JDK17).agent("file=" + file).classpath(Path.of(cp))
                .main(JettyWorkload.class, variant, dir.toString());
        if (variant.equals("hello")) {
            // nothing of a hello load reads files: its start-up's jar reads stay off a throttled disk
            run = jvm.run(240);
        } else {
            // 32 MB/s: each 4 MB direct read of the slow file waits on the disk for ~125 ms
            try (SlowDisk disk = SlowDisk.throttle(dir, 32L << 20)) {
                run = jvm.inCgroup(disk.cgroup).run(240);
            }
        }
        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.stdout().contains("KFR-JETTY-DONE"), run.describe());
        return file;
    }

    private static List<String> findings(Path file) throws Exception {
        return OffCpuFindings.of(file, "jetty");
    }

    @Test
    void helloLoadHasNoFindingOfWaits() throws Exception {
        List<String> findings = findings(record("hello"));
        // What a hello load must never show as a problem: the acceptor in accept, the selectors,
        // pool threads waiting for tasks (ReservedThread's semaphore, the pool's queue), network
        // waits, lock or disk waits. CPU queueing (state R) is real on a shared 2-CPU machine, and so
        // is an occasional contended synchronized block inside Jetty's HttpConnection under load:
        // those are printed, not failed.
        List<String> waits = findings.stream().filter(l -> l.contains("lock contention") || l.contains("idle")
                || l.contains("network") || l.contains("acceptor") || l.contains("waitForTask")
                || l.contains("waits for other threads") || l.contains("syscall pread") || l.contains("syscall accept")
                || l.contains("epoll")).toList();
        assertTrue(waits.isEmpty(), "hello load: waits named as problems: " + waits);
    }

    @Test
    void contendedLockAndSlowFileReadAreNamedWithTheirWakers() throws Exception {
        Path file = record("problems");
        List<String> findings = findings(file);
        String all = String.join("\n", findings);
        assertTrue(findings.stream().anyMatch(l -> l.contains("lock contention (java.util.concurrent)")
                && l.contains("from JettyWorkload.updateShared")), "the contended lock is a finding:\n" + all);
        assertTrue(findings.stream().anyMatch(l -> l.contains("disk I/O") && l.contains("from JettyWorkload.readSlowFile")),
                "the slow file read is a finding:\n" + all);
        assertFalse(findings.stream().anyMatch(l -> l.contains("Acceptor") || l.contains("idle waits")),
                "idle threads named:\n" + all);

        // the wakers of their long intervals, from the events
        int[] lock = new int[2];
        int[] disk = new int[2];
        int diskStacks = 0;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                if (!e.getEventType().getName().equals("kfr.OffCpu") || e.getBoolean("aggregated")
                        || e.getDuration().toNanos() < LONG_NANOS) {
                    continue;
                }
                RecordedStackTrace waker = e.getValue("wakerStackTrace");
                if ("S".equals(e.getString("state")) && has(e.getStackTrace(), javaMethod("updateShared"))
                        && has(e.getStackTrace(), javaMethod("lock"))) {
                    RecordedThread wt = e.getValue("wakerThread");
                    lock[0]++;
                    // released by another request's unlock in the same handler method
                    if (wt != null && wt.getOSName() != null && wt.getOSName().startsWith("qtp")
                            && has(waker, javaMethod("updateShared")) && has(waker, javaMethod("unlock"))) {
                        lock[1]++;
                    }
                } else if ("D".equals(e.getString("state")) && has(e.getStackTrace(), javaMethod("readSlowFile"))) {
                    disk[0]++;
                    // the disk's completion interrupt; its stack (taken when the read had lasted the
                    // 1 ms threshold at the wake-up) must show the block layer's completion
                    if ("interrupt".equals(e.getString("waker")) && (waker == null || has(waker,
                            f -> f.getMethod() != null && isBlockCompletion(f.getMethod().getName())))) {
                        disk[1]++;
                        diskStacks += waker != null ? 1 : 0;
                    }
                }
            }
        }
        System.out.printf("jetty wakers: lock waits %d long, waker right in %d (%.1f%%); file reads %d long,"
                        + " waker right in %d (%.1f%%), %d of them with the completion's stack%n", lock[0], lock[1],
                100.0 * lock[1] / Math.max(1, lock[0]), disk[0], disk[1], 100.0 * disk[1] / Math.max(1, disk[0]),
                diskStacks);
        assertTrue(lock[0] >= 20 && lock[1] >= 0.9 * lock[0], "lock waits: " + Arrays.toString(lock));
        assertTrue(disk[0] >= 20 && disk[1] >= 0.9 * disk[0] && diskStacks >= disk[0] / 4,
                "file reads: " + Arrays.toString(disk) + ", with stacks " + diskStacks);
    }

    private static boolean isBlockCompletion(String kernelFunction) {
        return kernelFunction.startsWith("blk_") || kernelFunction.startsWith("bio_") || kernelFunction.contains("end_io")
                || kernelFunction.startsWith("virtblk") || kernelFunction.startsWith("nvme");
    }

    private static Predicate<RecordedFrame> javaMethod(String name) {
        return f -> f.isJavaFrame() && f.getMethod() != null && f.getMethod().getName().equals(name);
    }

    private static boolean has(RecordedStackTrace s, Predicate<RecordedFrame> which) {
        return s != null && s.getFrames().stream().anyMatch(which);
    }
}
