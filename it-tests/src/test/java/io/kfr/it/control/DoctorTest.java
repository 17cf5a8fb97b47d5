package io.kfr.it.control;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar kfr-agent.jar doctor} as root, as nobody, and as nobody with the capabilities
 * its fix names: every line checked against what the test reads itself (uname, /proc, /sys, perf).
 */
class DoctorTest {
    private static final int NOBODY = 65534;
    private static final Pattern LINE = Pattern.compile("^(ok|limited|missing)\\s+(\\S+)\\s+(.*)$");
    private static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final Path PMU_DEVICES = Path.of("/sys/bus/event_source/devices");

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void asRoot(Jdk jdk) throws Exception {
        Report r = run(jdk, List.of());
        assertEquals(0, r.exit, "off-CPU and CPU run here as root\n" + r);

        r.expect("kernel", "ok", "Linux " + uname() + ":");
        r.expect("btf", Files.isReadable(BTF) ? "ok" : "missing", BTF.toString());
        r.expect("capabilities", "ok", "root, CapEff " + capEff() + " (");
        r.expect("perf_event_paranoid", "ok", "kernel.perf_event_paranoid = " + sysctl("perf_event_paranoid") + ":");
        r.expect("unprivileged_bpf_disabled", "ok", "= " + sysctl("unprivileged_bpf_disabled") + " (");
        r.expect("tracefs", Files.isDirectory(Path.of("/sys/kernel/tracing/events/sched")) ? "ok" : "limited", "");
        // what the collectors need, loaded and attached in the kernel
        for (String n : List.of("tracepoint.sched_switch", "bpf.prog.tp_btf", "bpf.prog.raw_tp", "bpf.prog.perf_event",
                "bpf.map.ringbuf", "bpf.map.task_storage", "bpf.map.stack_trace", "bpf.helper.get_stackid",
                "bpf.helper.task_storage_get", "bpf.helper.loop", "bpf.stats", "perf.cpu-clock")) {
            r.expect(n, "ok", "");
        }
        r.expect("bpf.prog.kprobe", Files.exists(PMU_DEVICES.resolve("kprobe")) ? "ok" : "limited", "not used by kfr");
        boolean cycles = perfHasCycles();
        r.expect("perf.cycles", cycles ? "ok" : "missing", "");
        if (!cycles) {
            assertTrue(r.line("perf.cycles").contains("-> fix: run on bare metal or a VM with a virtual PMU"), r.toString());
        }
        boolean pt = Files.exists(PMU_DEVICES.resolve("intel_pt"));
        r.expect("perf.intel_pt", pt ? "ok" : "missing", "");
        if (!pt) {
            assertTrue(r.line("perf.intel_pt").contains("-> fix: an Intel CPU with PT"), r.toString());
        }
        r.expect("pt.libipt", "ok", "libkfr_pt.so and libipt 2.");
        r.expect("pt.pmu", pt ? "ok" : "missing", pt ? "intel_pt type=" : "no Intel PT on this machine");
        r.expect("jvm", "ok", " " + javaVersion(jdk) + "+");
        r.expect("collector.offcpu", "ok", "tp_btf, Java frames");
        r.expect("collector.offcpu", "ok", "(start-up self-test passed (");
        r.expect("collector.cpu", "ok", (cycles ? "cycles" : "cpu-clock") + ", Java frames");
        assertEquals("kfr here: off-CPU yes (tp_btf, Java frames); CPU yes (" + (cycles ? "cycles" : "cpu-clock")
                + ", Java frames); Intel PT " + (pt ? "available (option pt)" : "no"), r.summary, r.toString());
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void asNobody(Jdk jdk) throws Exception {
        Report r = run(jdk, List.of("--inh-caps=-all", "--bounding-set=-all"));
        assertEquals(1, r.exit, "nothing runs without privileges\n" + r);

        r.expect("kernel", "ok", "Linux " + uname() + ":");
        r.expect("btf", Files.isReadable(BTF) ? "ok" : "missing", "");
        r.expect("capabilities", "missing", "uid " + NOBODY + ", CapEff 0000000000000000 (");
        assertTrue(r.line("capabilities").contains("-> fix: run as root, or give the JVM CAP_BPF and CAP_PERFMON as "
                + "ambient capabilities (sudo setpriv"), r.toString());
        r.expect("perf_event_paranoid", Integer.parseInt(sysctl("perf_event_paranoid")) > 0 ? "missing" : "limited",
                "= " + sysctl("perf_event_paranoid") + ":");
        // the kernel's BTF and the JVM's own layout need no privileges
        r.expect("tracepoint.sched_switch", "ok", "");
        r.expect("jvm", "ok", " " + javaVersion(jdk) + "+");
        for (String n : List.of("bpf.prog.tp_btf", "bpf.prog.raw_tp", "bpf.prog.perf_event", "bpf.map.ringbuf",
                "bpf.map.task_storage", "bpf.map.stack_trace", "bpf.helper.get_stackid", "bpf.helper.loop")) {
            r.expect(n, "missing", "not permitted (EPERM) -> fix: run as root or grant CAP_BPF + CAP_PERFMON");
        }
        r.expect("bpf.prog.kprobe", "limited", "not permitted (EPERM)");
        r.expect("bpf.stats", "limited", "needs CAP_SYS_ADMIN");
        r.expect("perf.cpu-clock", "missing", "perf_event_paranoid is " + sysctl("perf_event_paranoid") + ")");
        r.expect("collector.offcpu", "missing", "EPERM");
        r.expect("collector.cpu", "missing", "not permitted");
        assertEquals("kfr here: off-CPU no; CPU no; Intel PT no", r.summary, r.toString());
    }

    /** The capabilities fix doctor prints, applied: nobody with ambient CAP_BPF + CAP_PERFMON runs both collectors. */
    @Test
    void asNobodyWithTheCapabilitiesOfTheFix() throws Exception {
        Report r = run(Jdk.JDK17, List.of("--inh-caps=+bpf,+perfmon", "--ambient-caps=+bpf,+perfmon"));
        assertEquals(0, r.exit, r.toString());
        r.expect("capabilities", "ok", "uid " + NOBODY + ", CapEff 000000c000000000 (CAP_BPF, CAP_PERFMON)");
        r.expect("perf_event_paranoid", "ok", "CAP_PERFMON held");
        // run-time statistics need CAP_SYS_ADMIN, which the fix does not give, unless someone has them on
        // (the sysctl reads 1 while any process, e.g. a collector in another test, holds them enabled)
        if (r.line("bpf.stats").startsWith("ok")) {
            r.expect("bpf.stats", "ok", "(kernel.bpf_stats_enabled = 1)");
        } else {
            r.expect("bpf.stats", "limited", "needs CAP_SYS_ADMIN -> fix: grant CAP_SYS_ADMIN too");
        }
        r.expect("collector.offcpu", "ok", "tp_btf, Java frames");
        assertTrue(r.summary.startsWith("kfr here: off-CPU yes (tp_btf, Java frames); CPU yes ("), r.toString());
    }

    /** doctor's output, one entry per check name. */
    private static final class Report {
        final int exit;
        final String stdout, stderr, summary;
        final Map<String, String> lines = new LinkedHashMap<>();

        Report(int exit, String stdout, String stderr) {
            this.exit = exit;
            this.stdout = stdout;
            this.stderr = stderr;
            List<String> all = stdout.lines().toList();
            this.summary = all.isEmpty() ? "" : all.get(all.size() - 1);
            for (String l : all.subList(0, Math.max(0, all.size() - 1))) {
                Matcher m = LINE.matcher(l);
                assertTrue(m.matches(), "every line but the last is 'status name detail': " + l + "\n" + this);
                assertTrue(m.group(1).equals("ok") || l.contains(" -> fix: "), "a line not ok names its fix: " + l);
                lines.put(m.group(2), l);
            }
            assertFalse(stdout.contains("Exception") || stderr.contains("Exception") || stderr.contains("\tat "),
                    "no stack trace\n" + this);
        }

        String line(String name) {
            String l = lines.get(name);
            assertNotNull(l, "a line for " + name + "\n" + this);
            return l;
        }

        void expect(String name, String status, String contains) {
            String l = line(name);
            assertTrue(l.startsWith(status + " "), name + " should be " + status + ": " + l);
            assertTrue(l.contains(contains), name + " should say '" + contains + "': " + l);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** Runs doctor from a copy of the agent jar any user can read; as nobody when setpriv options are given. */
    private static Report run(Jdk jdk, List<String> nobodyCaps) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("kfr-it-doctor", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path jar = Files.copy(JvmRun.AGENT_JAR, dir.resolve("kfr-agent.jar"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> cmd = new ArrayList<>();
        if (!nobodyCaps.isEmpty()) {
            cmd.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
            cmd.addAll(nobodyCaps);
            cmd.add("--");
        }
        cmd.addAll(List.of(jdk.java().toString(), "-jar", jar.toString(), "doctor"));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        byte[] err;
        String out;
        try (var e = p.getErrorStream()) {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            err = e.readAllBytes();
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "doctor finishes");
        Files.delete(jar);
        Files.delete(dir);
        return new Report(p.exitValue(), out, new String(err, StandardCharsets.UTF_8));
    }

    private static String uname() throws IOException, InterruptedException {
        return command("uname", "-r").trim();
    }

    /** Whether perf itself can count cycles here ("<not supported>" without a PMU). */
    private static boolean perfHasCycles() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/perf"))) {
            return Files.exists(PMU_DEVICES.resolve("cpu")) || Files.exists(PMU_DEVICES.resolve("cpu_core"));
        }
        String out = command("/usr/bin/perf", "stat", "-x,", "-e", "cycles", "true");
        assertTrue(out.contains("cycles"), "perf stat output: " + out);
        return !out.contains("<not supported>") && !out.contains("<not counted>");
    }

    private static String command(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    /** CapEff of this (root) test JVM: what a child started without setpriv has too. */
    private static String capEff() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("CapEff:")) {
                return String.format("%016x", new BigInteger(l.substring(7).trim(), 16));
            }
        }
        throw new AssertionError("no CapEff in /proc/self/status");
    }

    private static String sysctl(String name) throws IOException {
        Path p = Path.of("/proc/sys/kernel", name);
        return Files.exists(p) ? Files.readString(p).trim() : "unknown";
    }

    /** JAVA_VERSION from the JDK's release file, e.g. 17.0.15. */
    private static String javaVersion(Jdk jdk) throws IOException {
        for (String l : Files.readAllLines(jdk.home().resolve("release"))) {
            if (l.startsWith("JAVA_VERSION=")) {
                return l.substring("JAVA_VERSION=".length()).replace("\"", "");
            }
        }
        throw new AssertionError("no JAVA_VERSION in " + jdk.home().resolve("release"));
    }
}
