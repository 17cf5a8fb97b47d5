package io.kfr.it.workingset;

import io.kfr.collectors.workingset.PrefetchMethod;
import io.kfr.collectors.workingset.PrefetchNative;
import io.kfr.collectors.workingset.PrefetchPlan;
import io.kfr.collectors.workingset.PrefetchResult;
import io.kfr.collectors.workingset.Prefetcher;
import io.kfr.collectors.workingset.WorkingSetFormat;
import io.kfr.it.support.SlowDisk;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cold start to "ready" of real applications from Maven Central (the Apache Kafka broker in KRaft
 * mode to "Kafka Server started", a Spring Boot 3.5.7 web application to "Started ... in"), with
 * the page cache dropped before each cold start ({@code sync; echo 3 > /proc/sys/vm/drop_caches}):
 * no prefetch, {@code kfr run <set> -- java ...} with each prefetch method, the agent's own prefetch
 * at premain ({@code -javaagent:kfr-agent.jar=workingset=<set>}, fadvise and read, which also records
 * the start), JDK 25's AOT cache, AOT cache + prefetch, and the warm starts beside them. Configurations alternate within each round;
 * every start is printed, then medians and the share of the cold-warm gap each prefetch recovers.
 * Also: how long each method takes to bring the recorded set in (no application running), and the
 * pages the application still read from disk after a prefetch against those of the first cold
 * start. Root; it drops the whole machine's page cache dozens of times, so it runs only when asked:
 * mvn verify -pl it-tests -am -Dtest=ColdStartBench -Dkfr.bench.coldstart=true (kfr.bench.rounds,
 * default 5; kfr.bench.apps=kafka,spring-boot; kfr.bench.configs=<names>,... for a subset; kfr.bench.throttle=bytesPerSecond,iops reads through a
 * throttled disk, e.g. 131072000,3000 for a network volume's baseline). Report: target/bench-coldstart.txt
 * (-throttled.txt)
 */
class ColdStartBench {
    private static final int ROUNDS = Integer.getInteger("kfr.bench.rounds", 5);
    private static final List<String> APPS = List.of(System.getProperty("kfr.bench.apps", "kafka,spring-boot").split(","));
    private static final Path JAVA = Path.of(System.getProperty("kfr.jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java");
    private static final Path AGENT_JAR = Path.of(System.getProperty("kfr.agent.jar", "../agent/target/kfr-agent.jar")).toAbsolutePath();
    private static final Path ROOT = Path.of("target", "coldstart").toAbsolutePath();
    private static final Pattern FROM_DISK = Pattern.compile("kfr workingset: (\\d+) files, ([0-9.]+) MB \\(([0-9.]+) MB read from disk\\)");
    private static final long START_TIMEOUT_S = 300;
    /** "bytesPerSecond,iops": every start (and the method timings) reads through a throttled disk; empty: the disk as it is. */
    private static final String THROTTLE = System.getProperty("kfr.bench.throttle", "");
    /** Only these configurations (their names, comma-separated; "warm" and "cold" are always run); empty: all. */
    private static final String ONLY = System.getProperty("kfr.bench.configs", "");
    private static SlowDisk disk;

    private final StringBuilder report = new StringBuilder();

    /**
     * One way to start: cold or warm, with or without the AOT cache, through `kfr run` with a method
     * or not, with the agent's workingset= (prefetch at premain with a method, and recording) or not.
     */
    record Config(String name, boolean cold, boolean aot, PrefetchMethod run, PrefetchMethod agent, List<String> program) {
        Config(String name, boolean cold, boolean aot, PrefetchMethod run) {
            this(name, cold, aot, run, null, null);
        }

        Config(String name, boolean cold, boolean aot, PrefetchMethod run, PrefetchMethod agent) {
            this(name, cold, aot, run, agent, null);
        }

        /** kfr-prefetch with these options instead of `kfr run`. */
        static Config program(String name, boolean cold, boolean aot, String... options) {
            return new Config(name, cold, aot, PrefetchMethod.FADVISE, null, List.of(options));
        }
    }

    static List<Config> configs() {
        List<Config> c = new ArrayList<>();
        c.add(new Config("warm", false, false, null));
        c.add(new Config("warm + kfr run", false, false, PrefetchMethod.FADVISE));
        c.add(new Config("cold", true, false, null));
        for (PrefetchMethod m : List.of(PrefetchMethod.FADVISE, PrefetchMethod.POPULATE, PrefetchMethod.READ)) {
            c.add(new Config("cold + kfr run " + m.optionName(), true, false, m));
        }
        // kfr-prefetch (`kfr prefetcher <dir>`): the same prefetch and exec with no JVM of kfr's own;
        // --background: the command starts at once, beside the reads
        c.add(Config.program("warm + kfr-prefetch", false, false));
        c.add(Config.program("cold + kfr-prefetch", true, false));
        c.add(Config.program("warm + kfr-prefetch background", false, false, "--background"));
        c.add(Config.program("cold + kfr-prefetch background", true, false, "--background"));
        c.add(Config.program("cold + AOT + kfr-prefetch", true, true));
        c.add(Config.program("cold + AOT + kfr-prefetch background", true, true, "--background"));
        c.add(new Config("warm + AOT", false, true, null));
        c.add(new Config("cold + AOT", true, true, null));
        c.add(new Config("cold + AOT + kfr run", true, true, PrefetchMethod.FADVISE));
        c.add(new Config("warm + agent", false, false, null, PrefetchMethod.FADVISE));
        for (PrefetchMethod m : List.of(PrefetchMethod.FADVISE, PrefetchMethod.READ)) {
            c.add(new Config("cold + agent " + m.optionName(), true, false, null, m));
        }
        if (!ONLY.isEmpty()) {
            List<String> only = List.of(ONLY.split(","));
            c.removeIf(x -> !x.name().equals("warm") && !x.name().equals("cold") && !only.contains(x.name()));
        }
        return c;
    }

    @Test
    void coldStarts() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("kfr.bench.coldstart"), "drops the page cache: -Dkfr.bench.coldstart=true");
        Files.createDirectories(ROOT);
        assertTrue(Files.isWritable(Path.of("/proc/sys/vm/drop_caches")), "needs root: writes /proc/sys/vm/drop_caches");
        print("machine: %s; load average %s; %d CPUs; vda read_ahead_kb %s, rotational %s", System.getProperty("os.version"),
                Files.readString(Path.of("/proc/loadavg")).trim(), Runtime.getRuntime().availableProcessors(),
                read("/sys/block/vda/queue/read_ahead_kb"), read("/sys/block/vda/queue/rotational"));
        if (!THROTTLE.isEmpty()) {
            String[] t = THROTTLE.split(",");
            disk = SlowDisk.throttleReads(JAVA, Long.parseLong(t[0]), Long.parseLong(t[1]));
            print("disk: reads throttled to %s bytes/s and %s requests/s (blkio cgroup %s)", t[0], t[1], disk.cgroup);
        } else {
            print("disk: as it is");
        }
        try {
            for (String a : APPS) {
                ColdStartApp app = a.equals("kafka") ? new ColdStartApp.Kafka(ROOT) : new ColdStartApp.SpringBootWeb(ROOT);
                bench(app);
            }
        } finally {
            if (disk != null) {
                disk.close();
            }
        }
        Files.writeString(Path.of("target", THROTTLE.isEmpty() ? "bench-coldstart.txt" : "bench-coldstart-throttled.txt"), report);
    }

    private void bench(ColdStartApp app) throws Exception {
        app.setUp(JAVA);
        Path aot = app.dir.resolve("app.aot");
        train(app, aot);
        Path set = app.dir.resolve("app.ws");
        Path setAot = app.dir.resolve("app-aot.ws");
        double firstColdMb = record(app, List.of(), set, false);
        record(app, List.of("-XX:AOTCache=" + aot), setAot, false);
        print("%s: working set %s: %s", app.name(), set, summary(set));
        print("%s: working set with the AOT cache %s: %s", app.name(), setAot, summary(setAot));

        methodTimes(app, set);

        List<Config> configs = configs();
        Map<Config, List<Long>> ms = new LinkedHashMap<>();
        configs.forEach(c -> ms.put(c, new ArrayList<>()));
        for (int round = 0; round < ROUNDS; round++) {
            for (int k = 0; k < configs.size(); k++) {
                Config c = configs.get((k + round) % configs.size()); // a different order each round
                List<String> jvm = new ArrayList<>(c.aot() ? List.of("-XX:AOTCache=" + aot) : List.of());
                if (c.agent() != null) {
                    // a copy: the agent records this start too and would save its own set over it
                    Path copy = app.dir.resolve("agent-start.ws");
                    Files.copy(set, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    jvm.add("-Dkfr.workingset.prefetch=" + c.agent().optionName());
                    jvm.add("-javaagent:" + AGENT_JAR + "=workingset=" + copy + ",quiet");
                }
                List<String> cmd = app.command(JAVA, jvm);
                if (c.run() != null) {
                    List<String> run = new ArrayList<>(c.program() != null ? List.of(program(app).toString())
                            : List.of(JAVA.toString(), "-jar", AGENT_JAR.toString(), "run"));
                    run.addAll(List.of((c.aot() ? setAot : set).toString(), "--quiet", "--method=" + c.run().optionName()));
                    if (c.program() != null) {
                        run.addAll(c.program());
                    }
                    run.add("--");
                    run.addAll(cmd);
                    cmd = run;
                }
                app.beforeStart(JAVA);
                if (c.cold()) {
                    dropCaches();
                }
                // warm: the starts before this one (recordings, other configurations) read everything in
                long t = startToReady(app, cmd);
                ms.get(c).add(t);
                print("%s round %d: %-28s %6d ms", app.name(), round + 1, c.name(), t);
            }
        }
        Map<String, Long> med = new LinkedHashMap<>();
        for (Config c : configs) {
            med.put(c.name(), median(ms.get(c)));
            print("%s median: %-28s %6d ms  (all: %s)", app.name(), c.name(), med.get(c.name()), ms.get(c));
        }
        long gap = med.get("cold") - med.get("warm");
        print("%s: cold - warm = %d ms", app.name(), gap);
        for (Config c : configs) {
            if (c.cold() && (c.run() != null || c.agent() != null) && !c.aot()) {
                print("%s: %s: %s", app.name(), c.name(), recovered(med.get("cold"), med.get(c.name()), gap));
            }
        }
        if (med.containsKey("cold + AOT") && med.containsKey("warm + AOT") && med.containsKey("cold + AOT + kfr run")) {
            long gapAot = med.get("cold + AOT") - med.get("warm + AOT");
            print("%s: AOT cold - AOT warm = %d ms; AOT + kfr run: %s; cold + AOT + kfr run vs cold: %.2fx", app.name(), gapAot,
                    recovered(med.get("cold + AOT"), med.get("cold + AOT + kfr run"), gapAot),
                    (double) med.get("cold") / med.get("cold + AOT + kfr run"));
        }
        for (String aotPrefetch : List.of("cold + AOT + kfr-prefetch", "cold + AOT + kfr-prefetch background")) {
            if (med.containsKey("cold + AOT") && med.containsKey("warm + AOT") && med.containsKey(aotPrefetch)) {
                print("%s: %s: %s", app.name(), aotPrefetch, recovered(med.get("cold + AOT"), med.get(aotPrefetch),
                        med.get("cold + AOT") - med.get("warm + AOT")));
            }
        }
        for (String warm : List.of("warm + kfr run", "warm + kfr-prefetch", "warm + kfr-prefetch background")) {
            if (med.containsKey(warm)) {
                print("%s: %s vs warm: %+d ms", app.name(), warm, med.get(warm) - med.get("warm"));
            }
        }
        if (med.containsKey("warm + agent")) {
            print("%s: warm + agent (workingset=: prefetch at premain and recording) vs warm: %+d ms", app.name(),
                    med.get("warm + agent") - med.get("warm"));
        }

        // the recorded set against the truth: what the application still read from disk after a prefetch
        app.beforeStart(JAVA);
        dropCaches();
        threadInDisk(true);
        PrefetchResult pre = prefetch(set, PrefetchMethod.POPULATE);
        threadInDisk(false);
        double afterMb = record(app, List.of(), app.dir.resolve("after-prefetch.ws"), true);
        print("%s: read from disk by the application: first cold start %.1f MB, cold start after `kfr prefetch --method=populate`"
                + " (%s) %.1f MB = %.1f%%", app.name(), firstColdMb, pre.summary(), afterMb, 100 * afterMb / firstColdMb);
    }

    /** kfr-prefetch, written by `kfr prefetcher <dir>` into the application's directory (on the measured disk). */
    private static Path program(ColdStartApp app) throws Exception {
        Path dir = app.dir.resolve("bin");
        Path program = dir.resolve("kfr-prefetch");
        if (!Files.isExecutable(program)) {
            Process p = new ProcessBuilder(JAVA.toString(), "-jar", AGENT_JAR.toString(), "prefetcher", dir.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isExecutable(program), out);
        }
        return program;
    }

    /** The share of the cold-warm gap a prefetched cold start recovers; none to recover when cold is not slower. */
    private static String recovered(long cold, long prefetched, long gap) {
        if (gap <= 0) {
            return String.format(Locale.ROOT, "no cold-warm gap to recover (prefetched cold %+d ms against cold)", prefetched - cold);
        }
        return String.format(Locale.ROOT, "recovers %.0f%% of the gap (%d ms of %d)", 100.0 * (cold - prefetched) / gap, cold - prefetched, gap);
    }

    /** How long each method takes to bring the set in (nothing else running from this benchmark). */
    private void methodTimes(ColdStartApp app, Path set) throws Exception {
        assertNull(PrefetchNative.load());
        PrefetchPlan plan = PrefetchPlan.of(WorkingSetFormat.read(set), 0);
        long pages = plan.bytes() / 4096;
        Map<PrefetchMethod, List<String>> rows = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int k = 0; k < PrefetchMethod.values().length; k++) {
                PrefetchMethod m = PrefetchMethod.values()[(k + round) % PrefetchMethod.values().length];
                dropCaches();
                threadInDisk(true);
                long t0 = System.nanoTime();
                PrefetchResult r = Prefetcher.run(plan, m);
                long returned = System.nanoTime() - t0;
                threadInDisk(false);
                long resident;
                while ((resident = resident(plan)) < pages && System.nanoTime() - t0 < 60_000_000_000L) {
                    Thread.sleep(2);
                }
                long all = System.nanoTime() - t0;
                String row = String.format(Locale.ROOT, "returned %.0f ms, all resident %.0f ms (%d of %d pages)", returned / 1e6, all / 1e6,
                        resident, pages);
                rows.computeIfAbsent(m, x -> new ArrayList<>()).add(row);
                print("%s prefetch round %d: %-9s %.1f MB, %s%s", app.name(), round + 1, m.optionName(), r.bytes() / 1048576.0, row,
                        r.failures().isEmpty() ? "" : " failures " + r.failures());
            }
        }
    }

    private static long resident(PrefetchPlan plan) {
        long n = 0;
        for (PrefetchPlan.Request r : plan.requests()) {
            n += Math.max(0, PrefetchNative.resident(r.path(), r.ranges()));
        }
        return n;
    }

    private static PrefetchResult prefetch(Path set, PrefetchMethod m) throws IOException {
        return Prefetcher.run(PrefetchPlan.of(WorkingSetFormat.read(set), 0), m);
    }

    /** JDK 25's AOT cache of the application (one training start to ready, then a normal exit). */
    private void train(ColdStartApp app, Path aot) throws Exception {
        if (Files.exists(aot)) {
            return;
        }
        app.beforeStart(JAVA);
        Path log = app.dir.resolve("aot-training.log");
        Process p = new ProcessBuilder(inDisk(app.command(JAVA, List.of("-XX:AOTCacheOutput=" + aot)))).directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + START_TIMEOUT_S * 1_000_000_000L;
        while (!app.ready().matcher(Files.readString(log)).find() && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        p.destroy(); // SIGTERM: the JVM exits normally and has a child JVM write the cache
        p.waitFor(300, TimeUnit.SECONDS);
        kill(p);
        assertTrue(Files.exists(aot), "no AOT cache written at " + aot + "; see " + log);
    }

    /**
     * A cold start recorded by `kfr workingset record` (until the ready line); the MB it read from
     * disk. keepCache: start from the page cache as it is (after a prefetch), else drop it first.
     */
    private double record(ColdStartApp app, List<String> jvm, Path set, boolean keepCache) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JAVA.toString(), "-jar", AGENT_JAR.toString(), "workingset", "record", set.toString(),
                "--until=" + app.ready().pattern(), "--"));
        cmd.addAll(app.command(JAVA, jvm));
        if (!keepCache) {
            app.beforeStart(JAVA);
            dropCaches();
        }
        Process p = start(cmd);
        Matcher m = awaitLine(p, FROM_DISK);
        kill(p);
        print("%s: recorded %s", app.name(), m.group());
        return Double.parseDouble(m.group(3));
    }

    private static String summary(Path set) throws IOException {
        var s = WorkingSetFormat.read(set);
        return String.format(Locale.ROOT, "%d files, %.1f MB of pages, file of %d bytes", s.files().size(), s.bytes() / 1048576.0, Files.size(set));
    }

    /** Milliseconds from starting the command to its ready line; the process tree is then killed. */
    private long startToReady(ColdStartApp app, List<String> cmd) throws Exception {
        long t0 = System.nanoTime();
        Process p = start(cmd);
        try {
            awaitLine(p, app.ready());
            return (System.nanoTime() - t0) / 1_000_000;
        } finally {
            kill(p);
        }
    }

    private static Process start(List<String> cmd) throws IOException {
        return new ProcessBuilder(inDisk(cmd)).directory(ROOT.toFile()).redirectErrorStream(true).start();
    }

    /** The command in the throttled disk's cgroup, when there is one. */
    private static List<String> inDisk(List<String> cmd) {
        if (disk == null) {
            return cmd;
        }
        List<String> c = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", disk.cgroup.toString()));
        c.addAll(cmd);
        return c;
    }

    /** Moves the calling thread into the throttled disk's cgroup, or back (cgroup v1: one thread at a time). */
    private static void threadInDisk(boolean in) throws IOException {
        if (disk != null) {
            Path tasks = in ? disk.cgroup.resolve("tasks") : Path.of("/sys/fs/cgroup/blkio/tasks");
            Files.writeString(tasks, Integer.toString(io.kfr.collectors.Tids.current()));
        }
    }

    private static Matcher awaitLine(Process p, Pattern pattern) throws Exception {
        Deque<String> tail = new ArrayDeque<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + START_TIMEOUT_S * 1_000_000_000L;
        for (String line; System.nanoTime() < deadline && (line = r.readLine()) != null; ) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                // keep reading in the background, so that the process never blocks on a full pipe
                Thread drain = new Thread(() -> {
                    try {
                        while (r.readLine() != null) {
                            // discard
                        }
                    } catch (IOException e) {
                        // closed
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return m;
            }
            tail.addLast(line);
            if (tail.size() > 40) {
                tail.removeFirst();
            }
        }
        kill(p);
        throw new AssertionError("no line matching " + pattern + "; last lines:\n" + String.join("\n", tail));
    }

    /** Kills the process and its descendants and waits for all of them (the next start needs their ports). */
    private static void kill(Process p) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            h.onExit().orTimeout(60, TimeUnit.SECONDS).exceptionally(x -> h).join();
        }
    }

    private static void dropCaches() throws Exception {
        Process sync = new ProcessBuilder("sync").start();
        sync.waitFor(120, TimeUnit.SECONDS);
        Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
    }

    private static long median(List<Long> v) {
        long[] a = v.stream().mapToLong(Long::longValue).sorted().toArray();
        return a.length == 0 ? 0 : a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private void print(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.println(line);
        report.append(line).append('\n');
    }
}
