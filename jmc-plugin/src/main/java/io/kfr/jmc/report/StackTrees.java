package io.kfr.jmc.report;

import io.kfr.jmc.events.Frames;
import io.kfr.jmc.events.KfrEvents;
import io.kfr.jmc.events.Threads;
import io.kfr.jmc.rules.WaitClassifier;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.item.IItemCollection;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the page's flame graphs from kfr's events, read by JMC's parser: off-CPU time (kfr.OffCpu,
 * weighted by duration), who woke the waiting threads from where (kfr.OffCpu's waker, weighted by
 * the woken interval's duration) and CPU (kfr.CpuSample, weighted by the CPU time a sample stands
 * for). The two off-CPU graphs put the waits that hold up work and the idle ones (as the off-CPU
 * rule tells them) in two groups under the root, then the thread, then the frames from the
 * outermost to the innermost; the page shows the first group merged across threads at first.
 */
final class StackTrees {
    static final String PROBLEM_GROUP = "waits that hold up work (disk, locks, CPU queue, JVM, network)";
    static final String IDLE_GROUP = "idle waits and waits for other threads";

    private StackTrees() {
    }

    static FlameGraph offCpu(IItemCollection items) {
        WaitClassifier waits = WaitClassifier.of(items);
        Tree t = new Tree();
        KfrEvents.forEach(items, KfrEvents.OFF_CPU, e -> {
            long nanos = e.durationNanos();
            if (nanos > 0) {
                t.add(group(waits, e), Threads.name(e.thread()), t.labels(e.stack()), null, nanos);
            }
        });
        return t.graph("offcpu", "Off-CPU time (kfr.OffCpu, weighted by time off the CPU)", KfrEvents.OFF_CPU, true);
    }

    /**
     * Under each waker (a thread, or the interrupt or timer that ended the wait): the waker's stack
     * at the wake-up, outermost first, then the thread it woke.
     */
    static FlameGraph wakers(IItemCollection items) {
        WaitClassifier waits = WaitClassifier.of(items);
        Tree t = new Tree();
        KfrEvents.forEach(items, KfrEvents.OFF_CPU, e -> {
            String waker = e.text(KfrEvents.WAKER);
            long nanos = e.durationNanos();
            if (waker == null || nanos <= 0) {
                return;
            }
            String by = "thread".equals(waker) || "other".equals(waker)
                    ? (e.wakerThread() != null ? Threads.name(e.wakerThread()) : "[a thread]")
                    : "[" + waker + "]";
            Label[] stack = e.wakerStack() == null ? NO_WAKER_STACK : t.labels(e.wakerStack());
            t.add(group(waits, e), by, stack, new Label("woke " + Threads.name(e.thread()), FrameKind.THREAD), nanos);
        });
        return t.graph("waker", "Who woke the waiting threads, from where (kfr.OffCpu waker stacks, weighted by the"
                + " woken thread's time off the CPU)", KfrEvents.OFF_CPU, true);
    }

    static FlameGraph cpu(IItemCollection items) {
        Tree t = new Tree();
        KfrEvents.forEach(items, KfrEvents.CPU_SAMPLE, e -> {
            long nanos = e.weightNanos();
            if (nanos > 0) {
                t.add(null, Threads.name(e.thread()), t.labels(e.stack()), null, nanos);
            }
        });
        return t.graph("cpu", "CPU (kfr.CpuSample, weighted by the CPU time each sample stands for)",
                KfrEvents.CPU_SAMPLE, false);
    }

    private static Label group(WaitClassifier waits, KfrEvents.Event e) {
        return waits.holdsUpWork(e) ? PROBLEM : IDLE;
    }

    private record Label(String name, FrameKind kind) {
    }

    private static final Label PROBLEM = new Label(PROBLEM_GROUP, FrameKind.PROBLEM);
    private static final Label IDLE = new Label(IDLE_GROUP, FrameKind.IDLE);
    private static final Label[] NO_STACK = {new Label("[no stack]", FrameKind.UNKNOWN)};
    private static final Label[] NO_WAKER_STACK = {new Label("[no waker stack: taken for waits of 1 ms or more at"
            + " the wake-up]", FrameKind.UNKNOWN)};

    /** One graph's tree as it is built: stacks named once each, paths found once per (group, thread, stack). */
    private static final class Tree {
        final FlameNode root = new FlameNode("all threads", FrameKind.ROOT);
        // the parser shares one object per stack of the constant pool
        final Map<IMCStackTrace, Label[]> labels = new IdentityHashMap<>();
        final Map<List<Object>, FlameNode[]> paths = new HashMap<>();
        long events;

        Label[] labels(IMCStackTrace stack) {
            return stack == null ? NO_STACK : labels.computeIfAbsent(stack, StackTrees::labels);
        }

        void add(Label group, String thread, Label[] frames, Label leaf, long nanos) {
            events++;
            FlameNode[] path = paths.computeIfAbsent(java.util.Arrays.asList(group, thread, frames, leaf),
                    k -> path(group, thread, frames, leaf));
            root.add(nanos);
            for (FlameNode n : path) {
                n.add(nanos);
            }
        }

        /** The nodes from the group (if any) and the thread to the innermost frame and the leaf (made if new). */
        private FlameNode[] path(Label group, String thread, Label[] frames, Label leaf) {
            FlameNode[] path = new FlameNode[(group != null ? 1 : 0) + 1 + frames.length + (leaf != null ? 1 : 0)];
            int i = 0;
            FlameNode at = root;
            if (group != null) {
                at = path[i++] = at.child(group.name, group.kind);
            }
            at = path[i++] = at.child(thread, FrameKind.THREAD);
            for (Label f : frames) {
                at = path[i++] = at.child(f.name, f.kind);
            }
            if (leaf != null) {
                path[i] = at.child(leaf.name, leaf.kind);
            }
            return path;
        }

        FlameGraph graph(String id, String title, String eventType, boolean grouped) {
            double share = Cap.apply(root);
            return new FlameGraph(id, title, eventType, "ns", events, root, share, grouped);
        }
    }

    /** The frames from the outermost to the innermost (JFR stacks are innermost first). */
    private static Label[] labels(IMCStackTrace stack) {
        List<? extends IMCFrame> frames = Frames.of(stack);
        if (frames.isEmpty()) {
            return NO_STACK;
        }
        Label[] out = new Label[frames.size()];
        for (int i = 0; i < out.length; i++) {
            IMCFrame f = frames.get(out.length - 1 - i);
            out[i] = new Label(FrameLabel.of(f), FrameKind.of(f));
        }
        return out;
    }
}
