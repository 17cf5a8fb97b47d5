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

import java.util.List;
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
                add(root, threadName(thread == null ? null : thread.getMember(item)),
                        stack == null ? null : stack.getMember(item), nanos);
            }
        }
        double share = Cap.apply(root);
        return new FlameGraph(id, title, eventType, "ns", events, root, share);
    }

    private static void add(FlameNode root, String thread, IMCStackTrace stack, long nanos) {
        root.add(nanos);
        FlameNode node = root.child(thread, FrameKind.THREAD);
        node.add(nanos);
        List<? extends IMCFrame> frames = stack == null ? List.of() : stack.getFrames();
        if (frames.isEmpty()) {
            node.child("[no stack]", FrameKind.UNKNOWN).add(nanos);
            return;
        }
        // JFR stacks are innermost first; a flame graph grows from the outermost frame.
        for (int i = frames.size() - 1; i >= 0; i--) {
            IMCFrame f = frames.get(i);
            FrameKind kind = FrameKind.of(f.getType());
            node = node.child(FrameLabel.of(f, kind), kind);
            node.add(nanos);
        }
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
