package io.kfr.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.kfr.agent.control.ChannelPaths;
import io.kfr.agent.control.Reply;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * {@code list}: this user's JVMs (those the attach API sees: the JVM's performance data in
 * /tmp/hsperfdata_&lt;user&gt;), with their main class and kfr's state, which comes from kfr's
 * control channel where one is open.
 */
final class JvmList {
    private final PrintStream out;

    JvmList(PrintStream out) {
        this.out = out;
    }

    void print() throws TargetProcess.Problem {
        int me;
        try {
            me = ChannelPaths.currentUid();
        } catch (IOException e) {
            throw new TargetProcess.Problem("cannot read /proc/self: " + e.getMessage());
        }
        List<VirtualMachineDescriptor> vms;
        try {
            vms = VirtualMachine.list();
        } catch (LinkageError e) {
            throw new TargetProcess.Problem("the attach API is missing (module jdk.attach): run kfr with a full JDK");
        }
        long self = ProcessHandle.current().pid();
        out.printf("%-8s %-10s %s%n", "PID", "KFR", "MAIN CLASS");
        vms.stream().sorted(Comparator.comparingLong(d -> Long.parseLong(d.id()))).forEach(d -> {
            long pid = Long.parseLong(d.id());
            if (pid == self || !ownedBy(pid, me)) {
                return;
            }
            String display = d.displayName().isBlank() ? "?" : d.displayName().split(" ")[0];
            out.printf("%-8d %-10s %s%n", pid, kfrState(pid, me), display);
        });
    }

    private static boolean ownedBy(long pid, int uid) {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc", Long.toString(pid)), "unix:uid") == uid;
        } catch (IOException e) {
            return false;
        }
    }

    /** "-" (not loaded), "loaded" (channel up, not recording) or "recording". */
    private static String kfrState(long pid, int uid) {
        if (!Files.exists(ChannelPaths.socket(uid, pid))) {
            return "-";
        }
        try {
            TargetProcess t = new TargetProcess(pid, uid, "", "", null);
            Reply a = new ControlClient(t, ControlClient.QUICK_TIMEOUT_MILLIS).request("status", "");
            if (a.error() != null || a.lines().isEmpty()) {
                return "?";
            }
            return a.lines().get(0).contains("not recording") ? "loaded" : "recording";
        } catch (TargetProcess.Problem e) {
            return "-";
        }
    }
}
