package io.kfr.agent.cli.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** What the kernel and this process's privileges allow, read from /proc and /sys (no native code). */
final class SystemChecks {
    static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");
    static final Path TRACEFS_EVENTS = Path.of("/sys/kernel/tracing/events");

    private SystemChecks() {
    }

    static Check kernel(String release) {
        KernelVersion v = KernelVersion.parse(release);
        String needs = "kfr needs ring buffers (5.8), task storage (5.11), bpf_task_pt_regs (5.15), bpf_loop (5.17, "
                + "Java frames)";
        if (v == null) {
            return Check.limited("kernel", "release '" + release + "' not understood; " + needs, Fixes.KERNEL);
        }
        if (v.atLeast(5, 17)) {
            return Check.ok("kernel", "Linux " + release + ": " + needs);
        }
        if (v.atLeast(5, 8)) {
            return Check.limited("kernel", "Linux " + release + ": older than 5.17, some of what " + needs
                    + " is missing (see the probes below)", Fixes.KERNEL);
        }
        return Check.missing("kernel", "Linux " + release + ": older than 5.8, no BPF ring buffer; " + needs, Fixes.KERNEL);
    }

    static Check arch(String osName, String arch) {
        if ("Linux".equals(osName) && ("amd64".equals(arch) || "x86_64".equals(arch))) {
            return Check.ok("arch", "x86_64: libkfr.so is built for it");
        }
        return Check.missing("arch", osName + " " + arch + ": kfr's native library exists for Linux x86_64 only",
                "run on Linux x86_64");
    }

    static Check btf() {
        if (Files.isReadable(BTF)) {
            return Check.ok("btf", BTF + " present: kfr's CO-RE programs and tp_btf attach");
        }
        return Check.missing("btf", BTF + (Files.exists(BTF) ? " not readable" : " absent")
                + ": kfr's BPF programs cannot be relocated for this kernel", Fixes.BTF);
    }

    static Check capabilities(Capabilities caps) {
        if (!caps.known()) {
            return Check.limited("capabilities", "cannot read CapEff from /proc/self/status", Fixes.PRIVILEGES);
        }
        if (caps.canTrace()) {
            return Check.ok("capabilities", caps.describe() + ": kfr may load BPF programs and open CPU-wide perf events");
        }
        return Check.missing("capabilities", caps.describe() + ": without " + String.join(" and ", caps.missingForTracing())
                + " kfr cannot load its BPF programs (off-CPU, CPU)", Fixes.PRIVILEGES);
    }

    static Check unprivilegedBpf(Capabilities caps) {
        String v = sysctl("kernel/unprivileged_bpf_disabled");
        String meaning = v.equals("0") ? "unprivileged users may load socket filters"
                : v.equals("1") || v.equals("2") ? "bpf() needs privileges" : "unknown value";
        // kfr's tracing programs need CAP_BPF + CAP_PERFMON whatever this says: never the fix
        String detail = "kernel.unprivileged_bpf_disabled = " + v + " (" + meaning + "); kfr's tracing programs need "
                + "CAP_BPF + CAP_PERFMON in any case";
        return caps.canTrace() ? Check.ok("unprivileged_bpf_disabled", detail)
                : Check.missing("unprivileged_bpf_disabled", detail, Fixes.PRIVILEGES_SHORT);
    }

    static Check perfEventParanoid(Capabilities caps) {
        String v = sysctl("kernel/perf_event_paranoid");
        String detail = "kernel.perf_event_paranoid = " + v;
        if (caps.has(Capabilities.CAP_PERFMON) || caps.has(Capabilities.CAP_SYS_ADMIN)) {
            return Check.ok("perf_event_paranoid", detail + ": does not apply, CAP_PERFMON held");
        }
        int level;
        try {
            level = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            level = 99;
        }
        if (level <= 0) {
            return Check.limited("perf_event_paranoid", detail + ": CPU-wide perf events allowed, but the CPU sampler's "
                    + "BPF program still needs CAP_BPF + CAP_PERFMON", Fixes.PRIVILEGES_SHORT);
        }
        return Check.missing("perf_event_paranoid", detail + ": without CAP_PERFMON only this process's own user-space "
                + "events; the CPU sampler needs CPU-wide events", Fixes.PRIVILEGES_SHORT
                + " (sysctl kernel.perf_event_paranoid=0 allows CPU-wide events, not the BPF program)");
    }

    static Check memlock(KernelVersion kernel) {
        String limit = memlockLimit();
        if (kernel != null && kernel.atLeast(5, 11)) {
            return Check.ok("memlock", "RLIMIT_MEMLOCK " + limit + ": not used for BPF memory since 5.11 (memory cgroup)");
        }
        if ("unlimited".equals(limit)) {
            return Check.ok("memlock", "RLIMIT_MEMLOCK unlimited: enough for kfr's maps");
        }
        return Check.limited("memlock", "RLIMIT_MEMLOCK " + limit + ": before 5.11 kfr's maps count "
                + "against it; libbpf raises it only with CAP_SYS_RESOURCE", Fixes.MEMLOCK);
    }

    static Check tracefs() {
        if (Files.isDirectory(TRACEFS_EVENTS.resolve("sched"))) {
            return Check.ok("tracefs", TRACEFS_EVENTS + " mounted (kfr does not need it: it attaches by BTF name)");
        }
        boolean known = readOr(Path.of("/proc/filesystems"), "").contains("tracefs");
        return Check.limited("tracefs", (known ? "not mounted at /sys/kernel/tracing" : "the kernel has no tracefs")
                + ": kfr does not need it (tp_btf and raw_tp attach by name); perf and bpftrace tracepoints do",
                known ? Fixes.TRACEFS : "a kernel with CONFIG_FTRACE (not needed by kfr)");
    }

    static String sysctl(String name) {
        return readOr(Path.of("/proc/sys").resolve(name), "unknown").trim();
    }

    private static String memlockLimit() {
        for (String line : readOr(Path.of("/proc/self/limits"), "").lines().collect(Collectors.toList())) {
            if (line.startsWith("Max locked memory")) {
                List<String> parts = List.of(line.substring("Max locked memory".length()).trim().split("\\s+"));
                String soft = parts.get(0);
                return soft.equals("unlimited") ? soft : soft + " bytes";
            }
        }
        return "unknown";
    }

    static String readOr(Path p, String otherwise) {
        try {
            return Files.readString(p);
        } catch (IOException | RuntimeException e) {
            return otherwise;
        }
    }
}
