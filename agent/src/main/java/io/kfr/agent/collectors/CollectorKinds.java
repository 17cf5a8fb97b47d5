package io.kfr.agent.collectors;

import io.kfr.agent.collectors.cpu.CpuKind;
import io.kfr.agent.collectors.offcpu.OffCpuKind;
import io.kfr.agent.collectors.pt.PtKind;
import io.kfr.agent.collectors.workingset.WorkingSetKind;

import java.util.List;

/** Every kind of collector kfr has, in the order they start (and doctor lists them). */
public final class CollectorKinds {
    public static final List<CollectorKind> ALL = List.of(new OffCpuKind(), new CpuKind(), new WorkingSetKind(),
            new PtKind());

    private CollectorKinds() {
    }

    /** The kind of that name, or null. */
    public static CollectorKind named(String name) {
        return ALL.stream().filter(k -> k.name().equals(name)).findFirst().orElse(null);
    }

    /** The control command of that name some kind adds, or null. */
    public static ControlCommand controlCommand(String name) {
        return ALL.stream().flatMap(k -> k.controlCommands().stream()).filter(c -> c.name().equals(name)).findFirst()
                .orElse(null);
    }

    /** The command-line command of that name some kind adds, or null. */
    public static CliCommand cliCommand(String name) {
        return ALL.stream().flatMap(k -> k.cliCommands().stream()).filter(c -> c.name().equals(name)).findFirst()
                .orElse(null);
    }
}
