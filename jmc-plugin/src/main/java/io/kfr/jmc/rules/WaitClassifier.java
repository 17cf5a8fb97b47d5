package io.kfr.jmc.rules;

import io.kfr.jmc.events.Frames;
import io.kfr.jmc.events.KfrEvents;
import io.kfr.jmc.events.Threads;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.item.IItemCollection;

/**
 * Tells, for one kfr.OffCpu event, whether its wait held up work (the disk, a lock, a CPU, the JVM,
 * the network) or was a wait for work or for other threads, as the off-CPU rule decides it; for
 * the report's flame graphs, which show the waits that hold up work first.
 */
public final class WaitClassifier {
    private final PauseWindows pauses;

    private WaitClassifier(PauseWindows pauses) {
        this.pauses = pauses;
    }

    /** A classifier for the events of this recording (its GC pauses decide some waits). */
    public static WaitClassifier of(IItemCollection items) {
        return new WaitClassifier(PauseWindows.read(items));
    }

    /**
     * The wait held up the application's work. kfr's own threads (kfr frames on the stack) and the
     * JVM's own threads waiting outside Java code (compilers, GC, the VM thread) are not the
     * application's work: the off-CPU rule names none of them either (the CPU rule covers the JVM's).
     */
    public boolean holdsUpWork(KfrEvents.Event e) {
        boolean java = false;
        for (IMCFrame f : Frames.of(e.stack())) {
            if (Frames.isJava(f)) {
                java = true;
                String owner = Frames.owner(f);
                if (owner.startsWith("io.kfr.collectors.") || owner.startsWith("io.kfr.jfr.")) {
                    return false;
                }
            }
        }
        if (!java && e.thread() != null && WaitKind.isJvmThread(Threads.name(e.thread()))) {
            return false;
        }
        long start = e.startNanos();
        long end = start + e.durationNanos();
        boolean acrossGcPause = !e.aggregated() && !pauses.isEmpty() && pauses.overlapNanos(start, end) > 0;
        return WaitKind.of(e.text(KfrEvents.STATE), e.stack(), acrossGcPause, e.text(KfrEvents.WAKER),
                e.wakerThread() == null ? null : Threads.name(e.wakerThread()), e.wakerStack()).isProblem();
    }
}
