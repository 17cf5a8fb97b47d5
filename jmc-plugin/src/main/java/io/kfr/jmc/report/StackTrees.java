package io.kfr.jmc.report;

import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.JfrAttributes;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.openjdk.jmc.common.item.Attribute.attr;

/**
 * Builds the two flame graphs from kfr's events, read by JMC's parser: off-CPU time (kfr.OffCpu,
 * weighted by duration) and CPU (kfr.CpuSample, weighted by the CPU time a sample stands for).
 * The level under the root is the thread, then the frames from the outermost to the innermost.
 */
final class StackTrees {
    static final String OFF_CPU = "kfr.OffCpu";
    static final String CPU_SAMPLE = "kfr.CpuSample";
    private static final org.openjdk.jmc.common.item.IAttribute<IQuantity> WEIGHT =
            attr("weight", "Weight", UnitLookup.TIMESPAN);

    private StackTrees() {
    }

    static FlameGraph offCpu(IItemCollection items) {
        return build(items, "offcpu", "Off-CPU time (kfr.OffCpu, weighted by time off the CPU)", OFF_CPU,
                type -> JfrAttributes.DURATION.getAccessor(type));
    }

    static FlameGraph cpu(IItemCollection items) {
        return build(items, "cpu", "CPU (kfr.CpuSample, weighted by the CPU time each sample stands for)", CPU_SAMPLE,
                WEIGHT::getAccessor);
    }

    private static FlameGraph build(IItemCollection items, String id, String title, String eventType,
                                    Function<org.openjdk.jmc.common.item.IType<IItem>, IMemberAccessor<IQuantity, IItem>> weightOf) {
        FlameNode root = new FlameNode("all threads", FrameKind.ROOT);
        // the parser shares one object per stack of the constant pool: name each stack's frames and
        // find its path in the tree once per thread
        Map<IMCStackTrace, Label[]> labels = new IdentityHashMap<>();
        Map<String, Map<IMCStackTrace, FlameNode[]>> paths = new HashMap<>();
        long events = 0;
        for (IItemIterable it : items.apply(ItemFilters.type(eventType))) {
            IMemberAccessor<IQuantity, IItem> weight = weightOf.apply(it.getType());
            IMemberAccessor<IMCStackTrace, IItem> stack = JfrAttributes.EVENT_STACKTRACE.getAccessor(it.getType());
            IMemberAccessor<IMCThread, IItem> thread = JfrAttributes.EVENT_THREAD.getAccessor(it.getType());
            for (IItem item : it) {
                long nanos = nanos(weight == null ? null : weight.getMember(item));
                if (nanos <= 0) {
                    continue;
                }
                events++;
                IMCStackTrace st = stack == null ? null : stack.getMember(item);
                String threadName = threadName(thread == null ? null : thread.getMember(item));
                FlameNode[] path = paths.computeIfAbsent(threadName, t -> new IdentityHashMap<>()).computeIfAbsent(st,
                        s -> path(root, threadName, s == null ? NO_STACK : labels.computeIfAbsent(s, StackTrees::labels)));
                root.add(nanos);
                for (FlameNode n : path) {
                    n.add(nanos);
                }
            }
        }
        double share = Cap.apply(root);
        return new FlameGraph(id, title, eventType, "ns", events, root, share);
    }

    private record Label(String name, FrameKind kind) {
    }

    private static final Label[] NO_STACK = {new Label("[no stack]", FrameKind.UNKNOWN)};

    /** The frames from the outermost to the innermost (JFR stacks are innermost first). */
    private static Label[] labels(IMCStackTrace stack) {
        List<? extends IMCFrame> frames = stack.getFrames();
        if (frames == null || frames.isEmpty()) {
            return NO_STACK;
        }
        Label[] out = new Label[frames.size()];
        for (int i = 0; i < out.length; i++) {
            IMCFrame f = frames.get(out.length - 1 - i);
            FrameKind kind = FrameKind.of(f.getType());
            out[i] = new Label(FrameLabel.of(f, kind), kind);
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

    private static String threadName(IMCThread t) {
        if (t == null) {
            return "[no thread]";
        }
        String name = t.getThreadName();
        return name != null ? name : "[thread " + t.getThreadId() + "]";
    }

    private static long nanos(IQuantity q) {
        if (q == null) {
            return 0;
        }
        try {
            return q.clampedLongValueIn(UnitLookup.NANOSECOND);
        } catch (IllegalArgumentException e) {
            return 0; // not a time span
        }
    }
}
