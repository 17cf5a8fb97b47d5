package io.kfr.agent.cli.doctor;

import io.kfr.collectors.probe.Probes;

import java.util.ArrayList;
import java.util.List;

/**
 * BPF features, each probed in the kernel (a two-instruction program loaded and attached, a map
 * created, a helper call put before the verifier) and mapped to what kfr uses it for.
 */
final class BpfChecks {
    private static final int EOPNOTSUPP = 95;
    private static final String TP_BTF_FIX = "a kernel >= 5.5 with BTF (CONFIG_DEBUG_INFO_BTF=y)";

    private BpfChecks() {
    }

    static List<Check> programs() {
        List<Check> out = new ArrayList<>();
        Probes.Result tpBtf = Probes.program("tp_btf");
        out.add(Need.PREFERRED.check("bpf.prog.tp_btf", "tp_btf on sched_switch: the off-CPU collector's attachment "
                + "(else raw_tp: slower, walks stacks at every switch)", tpBtf, TP_BTF_FIX));
        out.add(Need.REQUIRED.check("bpf.prog.raw_tp", "raw_tp on sched_switch: the off-CPU fallback and exited "
                + "threads' names (sched_process_exit)", Probes.program("raw_tp"), Fixes.KERNEL));
        out.add(Need.REQUIRED.check("bpf.prog.perf_event", "perf_event programs: the CPU sampler",
                Probes.program("perf_event"), Fixes.KERNEL));
        out.add(Need.UNUSED.check("bpf.prog.tracepoint", "classic tracepoint programs load (not used by kfr: "
                + "they need tracefs ids)", Probes.program("tracepoint"), "none needed for kfr"));
        out.add(Need.UNUSED.check("bpf.prog.kprobe", "kprobe on do_nanosleep (not used by kfr)",
                Probes.program("kprobe"), "a kernel with CONFIG_KPROBE_EVENTS (not needed by kfr)"));
        out.add(Need.UNUSED.check("bpf.prog.fentry", "fentry on do_nanosleep (not used by kfr)",
                fentry(tpBtf), "a kernel with BPF trampolines, CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS "
                        + "(not needed by kfr)"));
        return out;
    }

    /** fentry; a refusal although tp_btf (the same program type) loads is the kernel's, not the privileges'. */
    private static Probes.Result fentry(Probes.Result tpBtf) {
        Probes.Result r = Probes.program("fentry");
        if (r.denied() && tpBtf.ok()) {
            return new Probes.Result(EOPNOTSUPP, "fentry: the kernel refuses it (" + (r.errno() == 1 ? "EPERM" : "EACCES")
                    + ") although tp_btf loads: no BPF trampolines in this kernel");
        }
        return r;
    }

    static List<Check> maps() {
        List<Check> out = new ArrayList<>();
        out.add(Need.REQUIRED.check("bpf.map.ringbuf", "ring buffer (5.8): off-CPU intervals, CPU samples, Java "
                + "stacks to user space", Probes.map("ringbuf"), Fixes.KERNEL));
        out.add(Need.PREFERRED.check("bpf.map.task_storage", "task storage (5.11): off-CPU per-thread state under "
                + "tp_btf (else a hash map by tid)", Probes.map("task_storage"), Fixes.KERNEL));
        out.add(Need.REQUIRED.check("bpf.map.stack_trace", "stack trace map: kernel and native stacks",
                Probes.map("stack_trace"), Fixes.KERNEL));
        out.add(Need.REQUIRED.check("bpf.map.lru_hash", "LRU hash: per-thread tables, stack caches",
                Probes.map("lru_hash"), Fixes.KERNEL));
        out.add(Need.REQUIRED.check("bpf.map.percpu_array", "per-CPU array: counters, scratch space",
                Probes.map("percpu_array"), Fixes.KERNEL));
        return out;
    }

    static List<Check> helpers() {
        List<Check> out = new ArrayList<>();
        out.add(helper(Need.REQUIRED, "get_stackid", "kernel and native stacks (off-CPU, CPU)", "tp_btf", "perf_event"));
        out.add(helper(Need.REQUIRED, "ringbuf_reserve", "records to user space (off-CPU, CPU)", "tp_btf", "perf_event"));
        out.add(helper(Need.PREFERRED, "task_storage_get", "off-CPU per-thread state (5.11)", "tp_btf"));
        out.add(helper(Need.PREFERRED, "probe_read_user", "Java frames: reads HotSpot's frames", "tp_btf", "perf_event"));
        out.add(helper(Need.PREFERRED, "get_current_task_btf", "Java frames of threads caught in Java code (5.11)",
                "tp_btf", "perf_event"));
        out.add(helper(Need.PREFERRED, "task_pt_regs", "Java frames of threads caught in Java code (5.15)",
                "tp_btf", "perf_event"));
        out.add(helper(Need.PREFERRED, "loop", "Java frames: the walker's loop (5.17)", "tp_btf"));
        out.add(helper(Need.UNUSED, "get_stack", "not used by kfr (it uses bpf_get_stackid)", "tp_btf"));
        out.add(helper(Need.UNUSED, "get_task_stack", "not used by kfr (it uses bpf_get_stackid)", "tp_btf"));
        return out;
    }

    /** One line for a helper in every program type kfr calls it from: the first failure decides. */
    private static Check helper(Need need, String helper, String meaning, String... programs) {
        Probes.Result result = new Probes.Result(0, "");
        for (String p : programs) {
            Probes.Result r = Probes.helper(p, helper);
            if (!r.ok()) {
                result = r;
                break;
            }
        }
        return need.check("bpf.helper." + helper, "bpf_" + helper + " in " + String.join(", ", programs) + ": "
                + meaning, result, Fixes.KERNEL);
    }

    static Check stats() {
        String meaning = "BPF run-time statistics: bpfRunCount / bpfRunTime in kfr.CollectorStatistics";
        Probes.Result r = Probes.bpfStats();
        if (r.ok()) {
            return Check.ok("bpf.stats", meaning);
        }
        if ("1".equals(SystemChecks.sysctl("kernel/bpf_stats_enabled"))) {
            return Check.ok("bpf.stats", meaning + " (kernel.bpf_stats_enabled = 1)");
        }
        return Check.limited("bpf.stats", meaning + " read 0 -- " + r.reason(), Fixes.BPF_STATS);
    }

    static List<Check> tracepoints() {
        return List.of(
                Need.REQUIRED.check("tracepoint.sched_switch", "sched_switch in the kernel's BTF: the off-CPU collector",
                        Probes.tracepoint("sched_switch"), Fixes.BTF),
                Need.PREFERRED.check("tracepoint.sched_process_exit", "sched_process_exit in the kernel's BTF: names "
                        + "of exited threads", Probes.tracepoint("sched_process_exit"), Fixes.BTF));
    }
}
