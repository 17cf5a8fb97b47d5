package io.kfr.agent.convert;

import java.util.List;

/**
 * Events with the same kind, thread, state, system call and stack, summed: what every format
 * writes as one sample.
 *
 * @param stack   innermost frame first
 * @param state   the task state of an off-CPU interval (S, D, R, ...); "" for CPU samples
 * @param syscall the system call an off-CPU interval was in; "" if none or unknown
 * @param nanos   the summed time
 * @param events  how many events were summed (an aggregated kfr.OffCpu event counts once)
 */
record Sample(EventKind kind, String thread, long tid, String state, String syscall, List<Frame> stack, long nanos,
              long events) {
}
