package io.kfr.collectors.symbols;

import java.util.HashMap;
import java.util.Map;

/**
 * Symbol tables shared by the collectors of this process: loading kallsyms and the ELF symbol
 * tables of libjvm and friends costs a few hundred milliseconds of CPU, once is enough. Both kinds
 * are safe to use from several collector threads.
 */
public final class SharedSymbols {
    private static KernelSymbols kernel;
    private static final Map<Integer, ProcessMaps> PROCESSES = new HashMap<>();

    private SharedSymbols() {
    }

    /** The kernel's symbols, loaded by the first caller (after its BPF program is loaded, so that it is listed). */
    public static synchronized KernelSymbols kernel() {
        if (kernel == null) {
            kernel = new KernelSymbols();
        }
        return kernel;
    }

    public static synchronized ProcessMaps process(int pid) {
        return PROCESSES.computeIfAbsent(pid, ProcessMaps::new);
    }
}
