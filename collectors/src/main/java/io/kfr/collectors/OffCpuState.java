package io.kfr.collectors;

/** Why a thread was off-CPU, as the scheduler saw it when it switched the thread out. */
public enum OffCpuState {
    /** TASK_INTERRUPTIBLE: sleeping, waiting for an event (sleep, park, futex, socket). */
    S,
    /** TASK_UNINTERRUPTIBLE: waiting on the kernel, usually I/O (fsync, page fault from disk). */
    D,
    /** Preempted while runnable: waiting for a CPU, not for an event. */
    R,
    /** TASK_IDLE and other states (stopped, traced, ...). */
    OTHER;

    /** Decodes the state code written by the BPF program (see native/src/offcpu/offcpu_records.h). */
    public static OffCpuState fromCode(int code) {
        switch (code) {
            case 1:
                return S;
            case 2:
                return D;
            case 0:
                return R;
            default:
                return OTHER;
        }
    }
}
