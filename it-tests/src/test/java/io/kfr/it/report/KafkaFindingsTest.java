package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.KafkaKraft;
import io.kfr.it.support.SlowDisk;
import io.kfr.it.support.workload.KafkaWorkload;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The off-CPU rule on a real Apache Kafka 4.4 broker (KRaft, broker and controller in one JVM with
 * kfr, from Maven Central) under Kafka's own ProducerPerformance with acks=all for about 20 s.
 * The broker's flushes (fsync of the metadata log on kafka-raft-io-thread at every append, fsync
 * and msync of a rolled segment and its indexes on kafka-scheduler) are what hold up its writes:
 * the findings name them with the thread, the method, the time and its share of the thread's work.
 * The broker's idle threads (the log cleaner's back-off in CountDownLatch.await, acceptors in
 * accept, selectors in epoll, request handlers polling their queue, timer wheels) are no finding.
 * Writes of the broker's processes go through a throttled disk: this VM's disk finishes an fsync
 * in well under a millisecond (the host caches it), which is not the disk a broker runs on.
 */
class KafkaFindingsTest {
    /** Segments of 8 MB: the load rolls several, and each roll flushes the old segment in the background. */
    private static final List<String> BROKER_CONFIG = List.of("log.segment.bytes=8388608");
    private static final long WRITE_BYTES_PER_SECOND = 8L << 20;
    private static final String RECORDS = "40000";
    private static final String RECORDS_PER_SECOND = "2000";
    private static final Set<String> FLUSH_SYSCALLS = Set.of("fsync", "fdatasync", "msync");
    /** Kafka's and the JDK's flush methods a finding's "from" names. */
    private static final Pattern FLUSH_METHOD = Pattern.compile("from (FileRecords\\.flush|PartitionMetadataFile\\.maybeFlush"
            + "|CheckpointFile\\.write|LogSegment\\.flush|AbstractIndex\\.flush|OffsetIndex\\.flush|TimeIndex\\.flush"
            + "|LocalLog\\.flush|UnifiedLog\\.flush\\w*|Utils\\.flushDir\\w*|FileDescriptor\\.sync|FileChannelImpl\\.force"
            + "|MappedByteBuffer\\.force\\w*)[:.]");
    /** What idle threads wait in: none of it may be named as a problem. */
    private static final List<String> IDLE_SIGNS = List.of("kafka-log-cleaner", "ShutdownableThread.pause",
            "CountDownLatch.await", "acceptor", "Acceptor", "syscall accept", "RequestChannel.receiveRequest",
            "SystemTimer.advanceClock", "epoll", "idle waits", "sleep (Thread.sleep)", "ThrottledChannelReaper");

    @Test
    void flushesAreNamedAndIdleThreadsAreNot() throws Exception {
        Path root = Path.of("target", "kafka").toAbsolutePath();
        Path run = Files.createTempDirectory(Files.createDirectories(root), "findings-");
        KafkaKraft kafka = new KafkaKraft(root, run.resolve("data"), freePort(), freePort(), BROKER_CONFIG);
        Path lib = kafka.lib();
        Path tools = kafka.toolsLib();
        kafka.configure("WARN");
        kafka.format(Jdk.JDK17.java());
        Path file = run.resolve("kafka.jfr");
        JvmRun.Result result;
        long t0 = System.nanoTime();
        try (SlowDisk disk = SlowDisk.throttleWrites(run, WRITE_BYTES_PER_SECOND)) {
            result = JvmRun.on(Jdk.JDK17).agent("file=" + file).inCgroup(disk.cgroup)
                    .jvmArg("-Dlog4j2.configurationFile=" + kafka.log4jProperties())
                    .classpath(Path.of(Path.of("target/test-classes").toAbsolutePath() + ":" + lib + "/*"))
                    .main(KafkaWorkload.class, kafka.serverProperties().toString(), String.valueOf(kafka.port),
                            tools + "/*", RECORDS, RECORDS_PER_SECOND)
                    .run(240);
        }
        System.out.printf(Locale.ROOT, "kafka broker + load: %.0f s; producer: %s%n", (System.nanoTime() - t0) / 1e9,
                result.stdout().lines().filter(l -> l.contains("records/sec") && l.contains("99.9th")).findFirst().orElse("?"));
        assertEquals(0, result.exitCode(), result.describe());
        assertTrue(result.stdout().contains("KFR-KAFKA-DONE"), result.describe());

        Map<String, Long> flushNanos = flushTimeByThread(file);
        System.out.println("kafka: fsync/fdatasync/msync time in state D by thread (ms): " + millis(flushNanos));
        List<String> findings = OffCpuFindings.of(file, "kafka");
        String all = String.join("\n", findings);

        // the thread that waited longest for its flushes is named, for the disk, in a flush
        String flusher = flushNanos.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElseThrow(() -> new AssertionError("no fsync/msync waits in the recording"));
        assertTrue(flushNanos.get(flusher) >= 100_000_000L, "longest flush time " + millis(flushNanos));
        assertTrue(flusher.startsWith("kafka-scheduler") || flusher.contains("raft-io"), "flusher " + flusher);
        String line = findings.stream().filter(l -> l.startsWith(flusher + ":")).findFirst()
                .orElseThrow(() -> new AssertionError(flusher + " is no finding:\n" + all));
        assertTrue(line.contains("disk I/O") && line.matches("(?s).*syscall (fsync|fdatasync|msync).*")
                && FLUSH_METHOD.matcher(line).find() && line.contains("of its working time"), "flush finding: " + line);
        // every thread with at least 100 ms of flushes is named for them
        for (Map.Entry<String, Long> e : flushNanos.entrySet()) {
            if (e.getValue() >= 100_000_000L) {
                assertTrue(findings.stream().anyMatch(l -> l.startsWith(e.getKey() + ":") && l.contains("disk I/O")),
                        e.getKey() + " flushed " + e.getValue() / 1_000_000 + " ms, no finding:\n" + all);
            }
        }
        // no idle thread or idle wait named as a problem (CPU queueing and the JVM's stops are real
        // on a shared 2-CPU machine, in any thread)
        List<String> idle = findings.stream().map(KafkaFindingsTest::withoutCpuQueueingAndJvm)
                .filter(l -> IDLE_SIGNS.stream().anyMatch(l::contains)).toList();
        assertTrue(idle.isEmpty(), "idle threads or waits named as problems:\n" + String.join("\n", idle));
    }

    /**
     * A finding without its CPU queueing and JVM parts and without its wakers, or "" when nothing
     * else is left: a thread preempted while it ran (a timer wheel's tick included) or stopped by
     * the JVM (a safepoint, a method being compiled) was held up for real on this shared machine,
     * whatever it waits for otherwise. The thread's name and first part are kept. Kinds are joined
     * by "; ", and so is each kind's "woken by".
     */
    static String withoutCpuQueueingAndJvm(String finding) {
        String[] parts = finding.split("; ");
        StringBuilder kept = new StringBuilder(parts[0]);
        boolean any = false;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            if (part.startsWith("woken by ")) {
                continue;
            }
            if (!part.contains("CPU queueing") && !part.contains("waits for the JVM")) {
                kept.append("; ").append(part);
                any = true;
            }
        }
        return any ? kept.toString() : "";
    }

    /** State D time in a flush system call per thread name. */
    private static Map<String, Long> flushTimeByThread(Path file) throws IOException {
        Map<String, Long> byThread = new TreeMap<>();
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                if (e.getEventType().getName().equals("kfr.OffCpu") && "D".equals(e.getString("state"))
                        && e.getString("syscall") != null && FLUSH_SYSCALLS.contains(e.getString("syscall"))) {
                    RecordedThread t = e.getThread();
                    String name = t == null ? "?" : t.getJavaName() != null ? t.getJavaName() : t.getOSName();
                    byThread.merge(name, e.getDuration().toNanos(), Long::sum);
                }
            }
        }
        return byThread;
    }

    private static Map<String, Long> millis(Map<String, Long> nanos) {
        Map<String, Long> ms = new TreeMap<>();
        nanos.forEach((k, v) -> ms.put(k, v / 1_000_000));
        return ms;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
