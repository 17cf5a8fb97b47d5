package io.kfr.it.report;

import io.kfr.it.support.Cli;
import io.kfr.it.support.GroundTruthRecording;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.Truth;
import io.kfr.it.support.workload.GroundTruth;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesData;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.Sample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kfr convert} read back by real consumers: Go's pprof for the pprof output, the official
 * generated OTLP classes for the OTLP output, and the folded-stack format's own arithmetic for
 * collapsed. The recording: the ground-truth workload (sleep, park, monitor, fsync; the monitor
 * holder spins 15 x 30 ms in GroundTruth.spin) with the off-CPU collector and the CPU sampler, once
 * for the class. Each format must show the workload's methods with the times kfr's own events hold
 * (read with JMC's parser, not the JDK reader the converter uses), within 2%.
 */
class ConvertTest {
    private static final double TOLERANCE = 0.02;
    private static final String WORKLOAD = GroundTruth.class.getName();
    /** Methods each scenario must be found in: sleep, park, fsync, and the monitor holder's CPU. */
    private static final List<String> OFF_CPU_METHODS = List.of("java.lang.Thread.sleep",
            "java.util.concurrent.locks.LockSupport.parkNanos", "sun.nio.ch.FileChannelImpl.force");
    private static final String CPU_METHOD = WORKLOAD + ".spin";
    /** The workload's clock and kfr's are converted to epoch time separately (as in OffCpuGroundTruthTest). */
    private static final long EDGE_SLACK_NANOS = 200_000;

    private static Path dir;
    private static Path jfr;
    private static KfrTotals totals;
    private static List<Truth> truths;

    @BeforeAll
    static void record() throws Exception {
        dir = Files.createTempDirectory("kfr-it-convert");
        jfr = dir.resolve("truth.jfr");
        // every interval one event (threshold 1us): the window test places them all by their own start
        JvmRun.Result run = GroundTruthRecording.runWorkload(Jdk.JDK17, "offcpu,cpu,offcpu.threshold=1us,file=" + jfr,
                "sleep", "park", "monitor", "fsync");
        truths = Truth.parse(run.stdout());
        totals = KfrTotals.read(jfr);
        for (String m : OFF_CPU_METHODS) {
            assertTrue(totals.cum("off_cpu", m) > 50_000_000L, m + " in kfr.OffCpu: " + totals.cum("off_cpu", m));
        }
        // present, whatever share of a CPU the spinning thread got on a busy machine
        assertTrue(totals.cum("cpu", CPU_METHOD) >= 20_000_000L, "GroundTruth.spin in kfr.CpuSample: "
                + totals.cum("cpu", CPU_METHOD));
    }

    /** The workload's methods, its own and the JDK's blocking ones, with their times in kfr's events. */
    private static Map<String, Long> expected(String sampleType) {
        Map<String, Long> m = new TreeMap<>();
        totals.byMethod.get(sampleType).forEach((method, nanos) -> {
            boolean workload = method.startsWith(WORKLOAD) && !method.contains("$$Lambda");
            if (workload || OFF_CPU_METHODS.contains(method)) {
                m.put(method, nanos);
            }
        });
        return m;
    }

    private static Cli.Result convert(String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "convert";
        System.arraycopy(args, 0, all, 1, args.length);
        return Cli.jar(Jdk.JDK17, JvmRun.AGENT_JAR, null, all);
    }

    @Test
    void goPprofShowsTheWorkloadsMethodsWithKfrsTimes() throws Exception {
        Path out = dir.resolve("truth.pb.gz");
        Cli.Result r = convert("--format", "pprof", jfr.toString(), out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        for (String type : List.of("off_cpu", "cpu")) {
            GoPprof.Top top = GoPprof.top(out, type);
            assertWithin(top.total(), totals.total.get(type), type + " total\n" + top.text());
            Map<String, Long> expected = expected(type);
            assertFalse(expected.isEmpty(), type);
            expected.forEach((method, nanos) -> assertWithin(top.cum().getOrDefault(method, 0L), nanos,
                    type + " " + method + " (go tool pprof -top cum)\n" + top.text()));
            System.out.printf("convert pprof %s: go tool pprof total %d ns, kfr %d ns; %s%n", type, top.total(),
                    totals.total.get(type), compare(expected, top.cum()));
        }
        String traces = GoPprof.run(out, List.of("-traces", "-sample_index=off_cpu", "-tagfocus=thread=truth-sleeper"));
        assertTrue(traces.contains("java.lang.Thread.sleep") && traces.contains("thread:  truth-sleeper")
                && traces.contains("state:") && traces.contains("tid:"), "labels and stacks in -traces\n" + traces);
    }

    /**
     * Native frames can be symbolized again elsewhere: Go's pprof reads mappings with the build ids
     * readelf shows for libc and libjvm (and perf for the kernel), and the native locations'
     * addresses map, through their mapping and the file's program headers, back to a symbol of the
     * same name in nm's table.
     */
    @Test
    void nativeMappingsCarryBuildIdsAndAddressesThatSymbolizeAgain() throws Exception {
        Path out = dir.resolve("native.pb.gz");
        Cli.Result r = convert("--format", "pprof", jfr.toString(), out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        RawProfile raw = new RawProfile(GoPprof.run(out, List.of("-raw")));
        for (String library : List.of("libc.so.6", "libjvm.so")) {
            RawProfile.Mapping m = raw.mapping(library);
            Path file = Path.of(m.file());
            assertEquals(ElfFacts.buildId(file), m.buildId(), library + " build id in go tool pprof -raw: " + m);
            assertTrue(m.start() != 0 && Long.compareUnsigned(m.start(), m.limit()) < 0, m.toString());
            // libc's dynamic symbols are exact C names; libjvm's full table names C++ functions, which kfr
            // writes without parameters and template arguments
            Map<Long, Set<String>> symbols = ElfFacts.symbols(file, library.startsWith("libc"));
            long delta = ElfFacts.textVaddrMinusOffset(file);
            int checked = 0;
            int same = 0;
            List<String> misses = new java.util.ArrayList<>();
            for (RawProfile.Location l : raw.locationsOf(m)) {
                if (l.address() == 0) {
                    continue; // the JVM's stubs: code-cache blobs kfr names as libjvm's, with no address of the file
                }
                assertTrue(Long.compareUnsigned(l.address(), m.start()) >= 0
                        && Long.compareUnsigned(l.address(), m.limit()) < 0, l + " inside " + m);
                Set<String> names = symbols.getOrDefault(l.address() - m.start() + m.fileOffset() + delta, Set.of());
                if (library.startsWith("libc") && names.isEmpty()) {
                    continue; // a local symbol (from a debug file), not in the dynamic table nm -D reads
                }
                checked++;
                if (names.contains(ElfFacts.plain(l.function()))) {
                    same++;
                } else if (misses.size() < 10) {
                    misses.add(l.function() + " at 0x" + Long.toHexString(l.address()) + " -> " + names);
                }
            }
            System.out.printf("convert native %s: build id %s, %d of %d located functions symbolize again by nm%n",
                    library, m.buildId(), same, checked);
            assertTrue(checked >= 3, library + ": " + checked + " located functions\n" + raw.locationsOf(m));
            assertTrue(library.startsWith("libc") ? same == checked : same >= 0.9 * checked,
                    library + ": " + same + " of " + checked + " symbolize again; e.g. " + misses);
        }
        RawProfile.Mapping kernel = raw.mapping("[kernel.kallsyms]");
        String perfKernel = ElfFacts.kernelBuildId();
        System.out.println("convert native kernel: " + kernel + ", perf buildid-list -k: " + perfKernel);
        assertTrue(kernel.buildId().matches("[0-9a-f]{40}"), kernel.toString());
        if (perfKernel != null) {
            assertEquals(perfKernel, kernel.buildId(), "the kernel's build id");
        }
        assertTrue(raw.locationsOf(kernel).stream().anyMatch(l -> l.function().equals("schedule")
                && Long.compareUnsigned(l.address(), kernel.start()) >= 0), "schedule located in the kernel mapping");

        Path otlp = dir.resolve("native.otlp");
        assertEquals(0, convert("--format", "otlp", jfr.toString(), otlp.toString()).exitCode());
        ProfilesDictionary d = ExportProfilesServiceRequest.parseFrom(Files.readAllBytes(otlp)).getDictionary();
        Map<String, String> otlpBuildIds = new HashMap<>();
        for (var mapping : d.getMappingTableList()) {
            for (int a : mapping.getAttributeIndicesList()) {
                var kv = d.getAttributeTable(a);
                if (d.getStringTable(kv.getKeyStrindex()).equals("process.executable.build_id.gnu")) {
                    otlpBuildIds.put(d.getStringTable(mapping.getFilenameStrindex()), kv.getValue().getStringValue());
                }
            }
        }
        assertEquals(raw.mapping("libc.so.6").buildId(), otlpBuildIds.get(raw.mapping("libc.so.6").file()), otlpBuildIds.toString());
        assertEquals(raw.mapping("libjvm.so").buildId(), otlpBuildIds.get(raw.mapping("libjvm.so").file()),
                otlpBuildIds.toString());
        assertTrue(d.getLocationTableList().stream().anyMatch(l -> l.getAddress() != 0), "OTLP locations with addresses");
    }

    /** --from/--to: only the sleeper's measured window; its thread's off-CPU time there is what it measured. */
    @Test
    void windowHoldsWhatTheWorkloadMeasured() throws Exception {
        Truth sleeper = Truth.of(truths, "sleep");
        Path out = dir.resolve("window.pb.gz");
        Cli.Result r = convert("--format", "pprof", "--events", "offcpu",
                "--from", Instant.EPOCH.plusNanos(sleeper.windowStartEpochNanos() - EDGE_SLACK_NANOS).toString(),
                "--to", Instant.EPOCH.plusNanos(sleeper.windowEndEpochNanos() + EDGE_SLACK_NANOS).toString(),
                jfr.toString(), out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        GoPprof.Top top = GoPprof.top(out, "off_cpu", "-tagfocus=thread=truth-sleeper");
        // the off-CPU intervals that start in the window; the measured one is wall - CPU time in it
        double error = Math.abs(top.shown() - sleeper.offCpuNanos()) / (double) sleeper.offCpuNanos();
        System.out.printf("convert window: truth-sleeper %d ns in go tool pprof (window total %d ns), %d ns measured"
                + " (%.2f%% off)%n", top.shown(), top.total(), sleeper.offCpuNanos(), error * 100);
        assertTrue(error <= 0.05, String.format("%d vs %d measured%n%s", top.shown(), sleeper.offCpuNanos(), top.text()));
        assertTrue(top.total() < totals.total.get("off_cpu"), "the window leaves the JVM's start and end out");
    }

    @Test
    void otlpParsesWithTheOfficialClassesAndKeepsTheTotals() throws Exception {
        Path out = dir.resolve("truth.otlp");
        Cli.Result r = convert("--format", "otlp", jfr.toString(), out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        byte[] bytes = Files.readAllBytes(out);
        ExportProfilesServiceRequest request = ExportProfilesServiceRequest.parseFrom(bytes);
        assertEquals(request.getResourceProfilesList(), ProfilesData.parseFrom(bytes).getResourceProfilesList(),
                "the same bytes are a ProfilesData");
        assertEquals(1, request.getResourceProfilesCount());
        Map<String, String> resource = new HashMap<>();
        for (KeyValue kv : request.getResourceProfiles(0).getResource().getAttributesList()) {
            resource.put(kv.getKey(), kv.getValue().hasIntValue() ? String.valueOf(kv.getValue().getIntValue())
                    : kv.getValue().getStringValue());
        }
        assertEquals(WORKLOAD, resource.get("service.name"), resource.toString());
        assertEquals(String.valueOf(totals.pid), resource.get("process.pid"), resource.toString());
        assertTrue(resource.getOrDefault("process.runtime.version", "").startsWith("17."), resource.toString());

        ProfilesDictionary d = request.getDictionary();
        assertEquals("", d.getStringTable(0));
        assertEquals(Location.getDefaultInstance(), d.getLocationTable(0));
        List<Profile> profiles = request.getResourceProfiles(0).getScopeProfiles(0).getProfilesList();
        assertEquals(2, profiles.size());
        for (Profile p : profiles) {
            String type = d.getStringTable(p.getSampleType().getTypeStrindex());
            assertEquals("nanoseconds", d.getStringTable(p.getSampleType().getUnitStrindex()));
            // what Pyroscope's OTLP ingestion keys on: off_cpu without a period; cpu with its period (10 ms)
            assertEquals(type.equals("cpu") ? 10_000_000L : 0L, p.getPeriod(), type);
            Map<String, Long> cum = new HashMap<>();
            long total = 0;
            Set<String> threads = new HashSet<>();
            for (Sample s : p.getSamplesList()) {
                long v = s.getValuesList().stream().mapToLong(Long::longValue).sum();
                total += v;
                Set<String> seen = new HashSet<>();
                for (int loc : d.getStackTable(s.getStackIndex()).getLocationIndicesList()) {
                    for (var line : d.getLocationTable(loc).getLinesList()) {
                        String name = d.getStringTable(d.getFunctionTable(line.getFunctionIndex()).getNameStrindex());
                        if (seen.add(name)) {
                            cum.merge(name, v, Long::sum);
                        }
                    }
                }
                for (int a : s.getAttributeIndicesList()) {
                    var kv = d.getAttributeTable(a);
                    if (d.getStringTable(kv.getKeyStrindex()).equals("thread.name")) {
                        threads.add(kv.getValue().getStringValue());
                    }
                }
            }
            assertEquals(totals.total.get(type), total, type + " total");
            Map<String, Long> expected = expected(type);
            expected.forEach((method, nanos) -> assertWithin(cum.getOrDefault(method, 0L), nanos, type + " " + method));
            // full Java names, also where kfr's chunk has only the 15-character OS name (truth-monitor-h)
            assertTrue(threads.contains(type.equals("cpu") ? "truth-monitor-holder" : "truth-monitor-waiter"),
                    threads.toString());
            System.out.printf("convert otlp %s: %d samples, total %d ns (kfr %d ns); %s%n", type, p.getSamplesCount(),
                    total, totals.total.get(type), compare(expected, cum));
        }
    }

    @Test
    void serviceOptionNamesTheService() throws Exception {
        Path out = dir.resolve("named.otlp");
        Cli.Result r = convert("--format", "otlp", "--events", "cpu", "--service", "checkout", jfr.toString(), out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        ExportProfilesServiceRequest request = ExportProfilesServiceRequest.parseFrom(Files.readAllBytes(out));
        List<KeyValue> attributes = request.getResourceProfiles(0).getResource().getAttributesList();
        assertTrue(attributes.stream().anyMatch(kv -> kv.getKey().equals("service.name")
                && kv.getValue().getStringValue().equals("checkout")), attributes.toString());
        assertEquals(1, request.getResourceProfiles(0).getScopeProfiles(0).getProfilesCount(), "--events cpu: one profile");
    }

    @Test
    void foldedLinesSumToTheTotals() throws Exception {
        Path out = dir.resolve("truth.folded");
        Cli.Result r = convert("--format", "collapsed", jfr.toString(), out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Map<String, Long> total = new HashMap<>();
        Map<String, Map<String, Long>> cum = new HashMap<>();
        for (String line : Files.readAllLines(out)) {
            int space = line.lastIndexOf(' ');
            long v = Long.parseLong(line.substring(space + 1));
            String[] frames = line.substring(0, space).split(";");
            String type = frames[0]; // more than one kind: the first frame says which
            total.merge(type, v, Long::sum);
            Set<String> seen = new HashSet<>();
            for (int i = 1; i < frames.length; i++) {
                String method = frames[i].replaceFirst(":\\d+$", "");
                if (seen.add(method)) {
                    cum.computeIfAbsent(type, k -> new HashMap<>()).merge(method, v, Long::sum);
                }
            }
        }
        assertEquals(totals.total, total);
        for (String type : List.of("off_cpu", "cpu")) {
            expected(type).forEach((method, nanos) -> assertWithin(cum.get(type).getOrDefault(method, 0L), nanos,
                    type + " " + method));
        }
        Path cpuOnly = dir.resolve("cpu.folded");
        assertEquals(0, convert("--format", "collapsed", "--events", "cpu", jfr.toString(), cpuOnly.toString()).exitCode());
        long cpu = Files.readAllLines(cpuOnly).stream().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertEquals(totals.total.get("cpu"), cpu, "one kind: no prefix, same total");
        assertFalse(Files.readString(cpuOnly).startsWith("cpu;"));
        Cli.Result stdout = convert("--format", "collapsed", "--events", "cpu", jfr.toString(), "-");
        assertEquals(0, stdout.exitCode(), stdout.toString());
        assertEquals(Files.readAllLines(cpuOnly).stream().sorted().toList(), stdout.stdout().lines().sorted().toList(),
                "\"-\" writes the same lines to stdout");
    }

    /** A recording without kfr's events (the JVM's own, no agent): an empty profile, and one line saying so. */
    @Test
    void recordingWithoutKfrEventsGivesAnEmptyProfile() throws Exception {
        Path out = dir.resolve("plain.pb.gz");
        Cli.Result r = convert("--format", "pprof", PlainRecording.file().toString(), out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("no kfr.OffCpu/kfr.CpuSample events"), r.toString());
        assertEquals(0, GoPprof.top(out, "off_cpu").total(), "go tool pprof reads the empty profile");
    }

    /** Bad input: one "kfr:" line, a non-zero exit, no stack trace, no output file left behind. */
    @Test
    void badInputIsOneLine() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.jfr"), "not a recording\n");
        Path truncated = dir.resolve("truncated.jfr");
        byte[] all = Files.readAllBytes(jfr);
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length / 2));
        Path out = dir.resolve("bad.out");
        List<List<String>> cases = List.of(
                List.of("--format", "pprof", dir.resolve("missing.jfr").toString(), out.toString()),
                List.of("--format", "pprof", truncated.toString(), out.toString()),
                List.of("--format", "otlp", text.toString(), out.toString()),
                List.of("--format", "svg", jfr.toString(), out.toString()),
                List.of("--format", "pprof", "--events", "offcpu,hotpath", jfr.toString(), out.toString()),
                List.of("--format", "pprof", "--from", "yesterday", jfr.toString(), out.toString()),
                List.of("--format", "collapsed", jfr.toString(), "/nonexistent-kfr-dir/out.folded"),
                List.of("--format", "collapsed", jfr.toString(), dir.toString()),
                List.of("--format", "pprof", jfr.toString()));
        for (List<String> args : cases) {
            Cli.Result r = convert(args.toArray(String[]::new));
            String context = args + "\n" + r;
            assertNotEquals(0, r.exitCode(), context);
            List<String> lines = r.stderr().lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), context);
            assertTrue(lines.get(0).startsWith("kfr: "), context);
            assertFalse(r.stderr().contains("Exception") || r.stderr().contains("\tat "), context);
            assertFalse(Files.exists(out), "no output left behind\n" + context);
            System.out.println("convert bad input " + args + ": " + lines.get(0));
        }
    }

    private static void assertWithin(long actual, long expected, String context) {
        double error = expected == 0 ? (actual == 0 ? 0 : 1) : Math.abs(actual - expected) / (double) expected;
        assertTrue(error <= TOLERANCE, String.format("%d vs kfr's %d (%.2f%% off): %s", actual, expected, error * 100,
                context));
    }

    private static String compare(Map<String, Long> expected, Map<String, Long> actual) {
        StringBuilder b = new StringBuilder();
        expected.forEach((m, v) -> b.append(String.format("%s %d/%d ", m.substring(m.lastIndexOf('.', m.lastIndexOf('.') - 1) + 1),
                actual.getOrDefault(m, 0L), v)));
        return b.toString();
    }
}
