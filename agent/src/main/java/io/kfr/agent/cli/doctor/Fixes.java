package io.kfr.agent.cli.doctor;

/** The one-line fixes doctor prints, in one place so the same problem always gets the same advice. */
public final class Fixes {
    static final String PRIVILEGES = "run as root, or give the JVM CAP_BPF and CAP_PERFMON as ambient capabilities "
            + "(sudo setpriv --reuid=<user> --regid=<group> --init-groups --inh-caps=+bpf,+perfmon "
            + "--ambient-caps=+bpf,+perfmon java ...; systemd: AmbientCapabilities=CAP_BPF CAP_PERFMON)";
    /** For every refused probe after the capabilities line, which gives the full {@link #PRIVILEGES}. */
    public static final String PRIVILEGES_SHORT = "run as root or grant CAP_BPF + CAP_PERFMON (how: see the capabilities line)";
    static final String BPF_STATS = "grant CAP_SYS_ADMIN too, or enable the statistics for everyone: "
            + "sysctl kernel.bpf_stats_enabled=1";
    public static final String BTF = "a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 2020)";
    static final String KERNEL = "a kernel >= 5.17 (ring buffer 5.8, task storage 5.11, bpf_task_pt_regs 5.15, "
            + "bpf_loop 5.17)";
    static final String PMU = "run on bare metal or a VM with a virtual PMU (e.g. KVM -cpu host)";
    public static final String PT = "an Intel CPU with PT, on bare metal or a VM that passes it through "
            + "(e.g. KVM -cpu host,+intel-pt)";
    static final String TRACEFS = "mount -t tracefs nodev /sys/kernel/tracing";
    static final String MEMLOCK = "ulimit -l unlimited (systemd: LimitMEMLOCK=infinity), or a kernel >= 5.11";

    private Fixes() {
    }
}
