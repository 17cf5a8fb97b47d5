package io.kfr.jmc.report;

import io.kfr.jmc.events.Frames;
import io.kfr.jmc.events.KfrEvents;
import io.kfr.jmc.events.Threads;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.item.IItemCollection;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Builds the two flame graphs from kfr's events, read by JMC's parser: off-CPU time (kfr.OffCpu,
 * weighted by duration) and CPU (kfr.CpuSample, weighted by the CPU time a sample stands for).
 * The level under the root is the thread, then the frames from the outermost to the innermost.
 */
final class StackTrees {
    private StackTrees() {
    }

    static FlameGraph offCpu(IItemCollection items) {
        return build(items, "offcpu", "Off-CPU time (kfr.OffCpu, weighted by time off the CPU)", KfrEvents.OFF_CPU,
                KfrEvents.Event::durationNanos);
    }

    static FlameGraph cpu(IItemCollection items) {
        return build(items, "cpu", "CPU (kfr.CpuSample, weighted by the CPU time each sample stands for)",
                KfrEvents.CPU_SAMPLE, KfrEvents.Event::weightNanos);
    }

    private static FlameGraph build(IItemCollection items, String id, String title, String eventType,
                                    ToLongFunction<KfrEvents.Event> weightNanos) {
        FlameNode root = new FlameNode("all threads", FrameKind.ROOT);
        // the parser shares one object per stack of the constant pool: name each stack's frames and
        // find its path in the tree once per thread
        Map<IMCStackTrace, Label[]> labels = new IdentityHashMap<>();
        Map<String, Map<IMCStackTrace, FlameNode[]>> paths = new HashMap<>();
        long[] events = {0};
        KfrEvents.forEach(items, eventType, e -> {
            long nanos = weightNanos.applyAsLong(e);
            if (nanos <= 0) {
                return;
            }
            events[0]++;
            IMCStackTrace st = e.stack();
            String threadName = Threads.name(e.thread());
            FlameNode[] path = paths.computeIfAbsent(threadName, t -> new IdentityHashMap<>()).computeIfAbsent(st,
                    s -> path(root, threadName, s == null ? NO_STACK : labels.computeIfAbsent(s, StackTrees::labels)));
            root.add(nanos);
            for (FlameNode n : path) {
                n.add(nanos);
            }
        });
        double share = Cap.apply(root);
        return new FlameGraph(id, title, eventType, "ns", events[0], root, share);
    }

    private record Label(String name, FrameKind kind) {
    }

    private static final Label[] NO_STACK = {new Label("[no stack]", FrameKind.UNKNOWN)};

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

    /** The nodes from the thread to the innermost frame (made if new). */
    private static FlameNode[] path(FlameNode root, String thread, Label[] frames) {
        FlameNode[] path = new FlameNode[frames.length + 1];
        path[0] = root.child(thread, FrameKind.THREAD);
        for (int i = 0; i < frames.length; i++) {
            path[i + 1] = path[i].child(frames[i].name, frames[i].kind);
        }
        return path;
    }
}
