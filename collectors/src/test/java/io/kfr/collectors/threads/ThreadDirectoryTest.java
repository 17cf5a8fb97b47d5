package io.kfr.collectors.threads;

import io.kfr.collectors.Tids;

import io.kfr.collectors.ThreadRef;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ThreadDirectoryTest {
    private static final String NAME = "kfr-test \"quoted\" name";

    /** A started, blocked thread that knows its own tid. */
    private static final class Blocked implements AutoCloseable {
        final Thread thread;
        volatile int tid;
        private final CountDownLatch started = new CountDownLatch(1);
        private final CountDownLatch stop = new CountDownLatch(1);

        Blocked(String name) throws InterruptedException {
            thread = new Thread(() -> {
                try {
                    tid = Tids.current();
                    started.countDown();
                    stop.await();
                } catch (Exception e) {
                    started.countDown();
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
            assertTrue(started.await(10, TimeUnit.SECONDS));
        }

        @SuppressWarnings("deprecation")
        long javaId() {
            return thread.getId();
        }

        @Override
        public void close() throws InterruptedException {
            stop.countDown();
            thread.join(10_000);
        }
    }

    @Test
    void javaThreadByTid() throws Exception {
        try (Blocked b = new Blocked(NAME)) {
            ThreadDirectory dir = new ThreadDirectory();
            ThreadRef r = dir.lookup(b.tid);
            assertNull(dir.unavailableReason());
            assertEquals(new ThreadRef(b.tid, NAME, b.javaId(), NAME), r);
            assertTrue(r.isJava());
            assertSame(b.thread, dir.javaThread(r.javaThreadId()));
            assertSame(r, dir.lookup(b.tid), "cached");
            dir.refresh();
            assertSame(r, dir.lookup(b.tid), "same tid and name keep the same instance across refreshes");
        }
    }

    @Test
    void endedThreadsStayNamedForLateRecords() throws Exception {
        ThreadDirectory dir = new ThreadDirectory(0);
        Blocked b = new Blocked("kfr-short-lived");
        ThreadRef r = dir.lookup(b.tid);
        assertTrue(r.isJava());
        b.close();
        while (Files.exists(Path.of("/proc/self/task/" + b.tid))) Thread.sleep(5);
        dir.refresh();
        assertSame(r, dir.lookup(b.tid), "a record about an ended thread still gets its name");
        dir.invalidate(b.tid); // as when the kernel reports a new thread with this tid
        ThreadRef after = dir.lookup(b.tid);
        assertFalse(after.isJava(), after.toString());
        try (Blocked live = new Blocked("kfr-invalidated")) {
            ThreadRef before = dir.lookup(live.tid);
            dir.invalidate(live.tid);
            assertEquals(before, dir.lookup(live.tid));
        }
    }

    @Test
    void threadThatEndedUnseenIsNamedByTheExitedNamesSource() throws Exception {
        Blocked b = new Blocked("kfr-never-seen");
        int tid = b.tid;
        b.close();
        while (Files.exists(Path.of("/proc/self/task/" + tid))) Thread.sleep(5);
        List<Integer> asked = new ArrayList<>();
        ThreadDirectory dir = new ThreadDirectory(0);
        java.util.function.IntFunction<String> names = t -> {
            asked.add(t);
            return t == tid ? "kfr-exited-name" : null;
        };
        dir.setExitedThreadNames(names);
        assertEquals(new ThreadRef(tid, "kfr-exited-name", -1, null), dir.lookup(tid));
        // a live thread is named from the JVM / /proc: the source is not asked
        try (Blocked live = new Blocked("kfr-alive")) {
            assertEquals("kfr-alive", dir.lookup(live.tid).javaName());
        }
        assertEquals(List.of(tid), asked);
        // removed by its owner only; without a source an unseen ended thread is "[tid N]"
        dir.clearExitedThreadNames(t -> "other");
        dir.invalidate(tid);
        assertEquals("kfr-exited-name", dir.lookup(tid).osName());
        dir.clearExitedThreadNames(names);
        dir.invalidate(tid);
        String unnamed = dir.lookup(tid).osName();
        assertTrue(unnamed.equals("[tid " + tid + "]") || Files.exists(Path.of("/proc/" + tid)), unnamed);
    }

    @Test
    void vmThreadsAreNotJava() throws Exception {
        ThreadDirectory dir = new ThreadDirectory();
        int gc = tidByComm("GC Thread#0");
        assumeTrue(gc > 0, "no GC Thread#0 (not G1/Parallel?)");
        ThreadRef r = dir.lookup(gc);
        assertEquals(new ThreadRef(gc, "GC Thread#0", -1, null), r);
        int vm = tidByComm("VM Thread");
        assertEquals(new ThreadRef(vm, "VM Thread", -1, null), dir.lookup(vm));
        // compiler threads have a Java id in the dump but are hidden from Java code
        int c2 = tidByComm("C2 CompilerThre");
        if (c2 > 0) {
            ThreadRef c = dir.lookup(c2);
            assertFalse(c.isJava(), c.toString());
            assertTrue(c.osName().startsWith("C2 CompilerThread"), c.toString());
        }
        // the launcher's primordial thread (tid == pid) is no JVM thread at all: named from /proc
        int pid = (int) ProcessHandle.current().pid();
        ThreadRef primordial = dir.lookup(pid);
        assertFalse(primordial.isJava());
        assertEquals(Files.readString(Path.of("/proc/self/task/" + pid + "/comm")).strip(), primordial.osName());
        assertNull(dir.javaThread(Long.MAX_VALUE));
    }

    @Test
    void provisionalNameSettlesToTheDumpsName() throws Exception {
        ThreadDirectory dir = new ThreadDirectory(60_000);
        dir.refresh(); // the next dump is a minute away: a new thread is named from /proc meanwhile
        try (Blocked b = new Blocked("kfr-a-name-longer-than-fifteen")) {
            ThreadRef provisional = dir.lookup(b.tid);
            assertEquals("kfr-a-name-long", provisional.osName(), "/proc's comm: 15 bytes");
            assertFalse(provisional.isJava(), provisional.toString());
            assertSame(provisional, dir.settled(provisional), "nothing known yet: as it is");
            Thread.sleep(5); // first seen before the dump began
            dir.refresh();
            ThreadRef settled = dir.settled(provisional);
            assertEquals("kfr-a-name-longer-than-fifteen", settled.javaName(), settled.toString());
            assertEquals(b.javaId(), settled.javaThreadId());
            assertEquals(b.tid, settled.tid());
            assertSame(settled, dir.settled(settled));
        }
    }

    @Test
    void newThreadsCostFewDumpsAndSettleLater() throws Exception {
        ThreadDirectory dir = new ThreadDirectory(300);
        dir.refresh();
        List<Blocked> storm = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) storm.add(new Blocked("kfr-storm-" + i));
            long refreshes = dir.refreshes();
            for (Blocked b : storm) dir.lookup(b.tid);
            assertTrue(dir.refreshes() - refreshes <= 1, "rate-limited: " + (dir.refreshes() - refreshes));
            Thread.sleep(400);
            for (Blocked b : storm) {
                ThreadRef r = dir.lookup(b.tid);
                assertEquals(b.thread.getName(), r.javaName(), r.toString());
                assertEquals(b.javaId(), r.javaThreadId());
            }
            assertTrue(dir.refreshes() - refreshes <= 2, "dumps: " + (dir.refreshes() - refreshes));
        } finally {
            for (Blocked b : storm) b.close();
        }
    }

    @Test
    void refreshCostWithFiftyThreads() throws Exception {
        List<Blocked> threads = new ArrayList<>();
        try {
            while (Thread.activeCount() < 50) threads.add(new Blocked("kfr-cost-" + threads.size()));
            ThreadDirectory dir = new ThreadDirectory();
            for (int i = 0; i < 5; i++) dir.refresh(); // warm-up (the first dump also starts JMX)
            int runs = 20;
            long total = 0;
            long max = 0;
            for (int i = 0; i < runs; i++) {
                dir.refresh();
                total += dir.lastRefreshCostNanos();
                max = Math.max(max, dir.lastRefreshCostNanos());
            }
            int n = dir.threads().size();
            System.out.printf("[measure] ThreadDirectory.refresh with %d threads: %.2f ms mean, %.2f ms max%n",
                    n, total / 1e6 / runs, max / 1e6);
            assertTrue(n >= 50, "threads: " + n);
        } finally {
            for (Blocked b : threads) b.close();
        }
    }

    @Test
    void parsesJdk17DumpFromAChildJvm() throws Exception {
        checkChildDump(Path.of("/usr/lib/jvm/java-17-openjdk-amd64"), false);
    }

    @Test
    void parsesJdk25DumpFromAChildJvm() throws Exception {
        checkChildDump(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64"), true);
    }

    private static void checkChildDump(Path jdk, boolean decimalNid) throws Exception {
        Path java = jdk.resolve("bin/java");
        assumeTrue(Files.isExecutable(java), jdk + " not installed");
        String classes = new File(ThreadDumpProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        Process p = new ProcessBuilder(java.toString(), "-cp", classes, ThreadDumpProbe.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Matcher m = Pattern.compile("PROBE tid=(\\d+) javaId=(\\d+)").matcher(out);
        assertTrue(m.find(), out);
        int tid = Integer.parseInt(m.group(1));
        long javaId = Long.parseLong(m.group(2));
        String dump = out.substring(m.end());
        if (decimalNid) {
            assertTrue(dump.contains(" [" + tid + "] ") && dump.contains("nid=" + tid + " "), "JDK 25 format");
        } else {
            assertTrue(dump.contains("nid=0x" + Integer.toHexString(tid) + " "), "JDK 17 format");
        }

        List<ThreadDumpParser.Entry> entries = ThreadDumpParser.parse(dump);
        assertTrue(entries.contains(new ThreadDumpParser.Entry(tid, ThreadDumpProbe.NAME, javaId)), entries.toString());
        assertTrue(entries.stream().anyMatch(e -> e.name().equals("main") && e.javaId() > 0), entries.toString());
        assertTrue(entries.stream().anyMatch(e -> e.name().equals("VM Thread") && e.javaId() == -1), entries.toString());
        assertTrue(entries.stream().anyMatch(e -> e.name().startsWith("GC Thread#") && e.javaId() == -1), entries.toString());
        long headers = dump.lines().filter(l -> l.startsWith("\"")).count();
        assertEquals(headers, entries.size(), "every thread header parsed");
        assertEquals(entries.size(), entries.stream().mapToInt(ThreadDumpParser.Entry::tid).distinct().count(), "distinct tids");
    }

    private static int tidByComm(String comm) throws Exception {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).strip().equals(comm)) {
                        return Integer.parseInt(t.getFileName().toString());
                    }
                } catch (java.io.IOException e) {
                    // thread ended while listing
                }
            }
        }
        return -1;
    }

    /**
     * A thread the last dump did not see is named from the identity the JVM reported at its start
     * when the kernel's name agrees; a disagreeing one (a recycled tid, a renamed thread) keeps the
     * kernel's name and no Java id.
     */
    @Test
    void startedIdentityNamesThreadsTheDumpMissedWhenTheKernelAgrees() throws Exception {
        ThreadDirectory threads = new ThreadDirectory(3_600_000); // no dump after the first
        threads.refresh();
        String longName = "kfr-test-started-identity-with-a-long-name";
        try (Blocked agreeing = new Blocked(longName); Blocked renamed = new Blocked("kfr-other-name")) {
            threads.setStartedThreadIdentities(tid -> tid == agreeing.tid ? agreeing.javaId() + " " + longName
                    : tid == renamed.tid ? renamed.javaId() + " kfr-name-at-start" : null);
            ThreadRef a = threads.lookup(agreeing.tid);
            assertEquals(new ThreadRef(agreeing.tid, longName, agreeing.javaId(), longName), a);
            ThreadRef r = threads.lookup(renamed.tid);
            assertEquals(-1, r.javaThreadId(), r.toString());
            assertEquals("kfr-other-name", r.osName());
        }
        assertEquals("kfr-test-starte", ThreadDirectory.commOf(longName));
        assertEquals("x".repeat(14) + "\uFFFD", ThreadDirectory.commOf("x".repeat(14) + "\u00e9"), "cut inside a character");
    }
}
