package io.kfr.agent.cli.doctor;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The effective capabilities and user of this process, from /proc/self/status. */
public final class Capabilities {
    private final long effective;
    private final int uid;
    private final boolean known;

    Capabilities(long effective, int uid, boolean known) {
        this.effective = effective;
        this.uid = uid;
        this.known = known;
    }

    public long effective() {
        return effective;
    }

    public int uid() {
        return uid;
    }

    public boolean known() {
        return known;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Capabilities)) {
            return false;
        }
        Capabilities o = (Capabilities) other;
        return effective == o.effective && uid == o.uid && known == o.known;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(effective);
        h = 31 * h + Integer.hashCode(uid);
        h = 31 * h + Boolean.hashCode(known);
        return h;
    }

    @Override
    public String toString() {
        return "Capabilities[effective=" + effective + ", uid=" + uid + ", known=" + known + "]";
    }

    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;

    static Capabilities ofThisProcess() {
        long eff = 0;
        int uid = -1;
        boolean found = false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    eff = new BigInteger(line.substring(7).trim(), 16).longValue();
                    found = true;
                } else if (line.startsWith("Uid:")) {
                    uid = Integer.parseInt(line.substring(4).trim().split("\\s+")[1]); // real, effective, ...
                }
            }
        } catch (IOException | RuntimeException e) {
            return new Capabilities(0, uid, false);
        }
        return new Capabilities(eff, uid, found);
    }

    public boolean has(int cap) {
        return (effective & (1L << cap)) != 0;
    }

    /** Loading kfr's programs and opening CPU-wide events (kernel >= 5.8; before, CAP_SYS_ADMIN alone). */
    boolean canTrace() {
        return has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
    }

    List<String> missingForTracing() {
        List<String> m = new ArrayList<>();
        if (!has(CAP_BPF)) {
            m.add("CAP_BPF");
        }
        if (!has(CAP_PERFMON)) {
            m.add("CAP_PERFMON");
        }
        return m;
    }

    String describe() {
        List<String> held = new ArrayList<>();
        if (has(CAP_BPF)) {
            held.add("CAP_BPF");
        }
        if (has(CAP_PERFMON)) {
            held.add("CAP_PERFMON");
        }
        if (has(CAP_SYS_ADMIN)) {
            held.add("CAP_SYS_ADMIN");
        }
        return (uid == 0 ? "root" : "uid " + uid) + ", CapEff " + String.format("%016x", effective) + " ("
                + (held.isEmpty() ? "none of CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN" : String.join(", ", held)) + ")";
    }
}
