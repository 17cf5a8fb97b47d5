package io.kfr.it.report;

import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.item.Attribute;
import org.openjdk.jmc.common.item.IAttribute;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.JfrAttributes;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * kfr's own totals in a recording, read with JMC's parser (not with the JDK reader the converter
 * uses): per sample type ("off_cpu": kfr.OffCpu durations, "cpu": kfr.CpuSample weights), the total
 * and, per method ("class.method", as the frame names it), the time of the events whose stack holds
 * it (each event counted once, however often the method is on its stack: pprof's "cum").
 */
final class KfrTotals {
    private static final IAttribute<IQuantity> WEIGHT = Attribute.attr("weight", "Weight", UnitLookup.TIMESPAN);

    final Map<String, Long> total = new HashMap<>();
    final Map<String, Map<String, Long>> byMethod = new HashMap<>();
    long pid = -1;

    static KfrTotals read(Path file) throws Exception {
        KfrTotals t = new KfrTotals();
        IItemCollection items = JfrLoaderToolkit.loadEvents(file.toFile());
        t.add(items, "kfr.OffCpu", "off_cpu");
        t.add(items, "kfr.CpuSample", "cpu");
        for (IItemIterable it : items.apply(ItemFilters.type("jdk.JVMInformation"))) {
            for (var key : it.getType().getAccessorKeys().keySet()) {
                if (key.getIdentifier().equals("pid")) {
                    IMemberAccessor<?, IItem> pid = it.getType().getAccessor(key);
                    for (IItem item : it) {
                        Object v = pid.getMember(item);
                        t.pid = v instanceof IQuantity q ? q.longValue() : Long.parseLong(String.valueOf(v).strip());
                    }
                }
            }
        }
        return t;
    }

    long cum(String sampleType, String method) {
        return byMethod.getOrDefault(sampleType, Map.of()).getOrDefault(method, 0L);
    }

    private void add(IItemCollection items, String eventType, String sampleType) {
        Map<String, Long> methods = byMethod.computeIfAbsent(sampleType, k -> new HashMap<>());
        for (IItemIterable it : items.apply(ItemFilters.type(eventType))) {
            IMemberAccessor<IQuantity, IItem> value = sampleType.equals("cpu") ? WEIGHT.getAccessor(it.getType())
                    : JfrAttributes.DURATION.getAccessor(it.getType());
            IMemberAccessor<IMCStackTrace, IItem> stack = JfrAttributes.EVENT_STACKTRACE.getAccessor(it.getType());
            for (IItem item : it) {
                long nanos = value.getMember(item).clampedLongValueIn(UnitLookup.NANOSECOND);
                total.merge(sampleType, nanos, Long::sum);
                IMCStackTrace st = stack.getMember(item);
                Set<String> seen = new HashSet<>();
                for (IMCFrame f : st == null ? java.util.List.<IMCFrame>of() : st.getFrames()) {
                    String owner = f.getMethod().getType() == null ? "" : f.getMethod().getType().getFullName();
                    if (seen.add(owner + "." + f.getMethod().getMethodName())) {
                        methods.merge(owner + "." + f.getMethod().getMethodName(), nanos, Long::sum);
                    }
                }
            }
        }
    }
}
