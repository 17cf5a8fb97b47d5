package io.kfr.jmc.events;

import io.kfr.events.KfrEventNames;

import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.Attribute;
import org.openjdk.jmc.common.item.IAccessorKey;
import org.openjdk.jmc.common.item.IAttribute;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.IType;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.JfrAttributes;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * kfr's event types and fields as JMC's parser presents them (the event contract in DESIGN.md),
 * read the same way by the rules and the report.
 */
public final class KfrEvents {
    public static final String OFF_CPU = KfrEventNames.OFF_CPU;
    public static final String CPU_SAMPLE = KfrEventNames.CPU_SAMPLE;
    public static final String COLLECTOR_STATISTICS = KfrEventNames.COLLECTOR_STATISTICS;
    public static final String PAGE_CACHE_MISS = KfrEventNames.PAGE_CACHE_MISS;
    public static final String HOT_PATH = KfrEventNames.HOT_PATH;
    /** kfr.HotPath's snapshot reason. */
    public static final IAttribute<String> REASON = Attribute.attr("reason", "Snapshot Reason", UnitLookup.PLAIN_TEXT);

    public static final IAttribute<String> STATE = Attribute.attr("state", "State", UnitLookup.PLAIN_TEXT);
    public static final IAttribute<String> SYSCALL = Attribute.attr("syscall", "System Call", UnitLookup.PLAIN_TEXT);
    /** Who woke the thread (kfr.OffCpu): thread, timer, interrupt, other; null when no wake-up was seen. */
    public static final IAttribute<String> WAKER = Attribute.attr("waker", "Waker", UnitLookup.PLAIN_TEXT);
    private static final IAttribute<IMCThread> WAKER_THREAD = Attribute.attr("wakerThread", "Waker Thread",
            UnitLookup.THREAD);
    private static final IAttribute<IMCStackTrace> WAKER_STACK = Attribute.attr("wakerStackTrace", "Waker Stack Trace",
            UnitLookup.STACKTRACE);
    private static final IAttribute<IQuantity> WEIGHT = Attribute.attr("weight", "Weight", UnitLookup.TIMESPAN);
    private static final IAttribute<Boolean> AGGREGATED = Attribute.attr("aggregated", "Aggregated", UnitLookup.FLAG);
    public static final IAttribute<String> COLLECTOR = Attribute.attr("collector", "Collector", UnitLookup.PLAIN_TEXT);
    /** The file a kfr.PageCacheMiss or kfr.WorkingSet is about. */
    public static final IAttribute<String> FILE = Attribute.attr("file", "File", UnitLookup.PLAIN_TEXT);

    private KfrEvents() {
    }

    public static boolean has(IItemCollection items, String type) {
        return items.apply(ItemFilters.type(type)).hasItems();
    }

    /** One event of a kfr type, read through the accessors of its JMC type. */
    public record Event(IItem item, Accessors a) {
        public IMCThread thread() {
            return a.thread == null ? null : a.thread.getMember(item);
        }

        public IMCStackTrace stack() {
            return a.stack == null ? null : a.stack.getMember(item);
        }

        public long startNanos() {
            IQuantity q = a.start == null ? null : a.start.getMember(item);
            return q == null ? 0 : q.clampedLongValueIn(UnitLookup.EPOCH_NS);
        }

        /** The duration field, or 0 for instant events. */
        public long durationNanos() {
            return nanos(a.duration == null ? null : a.duration.getMember(item));
        }

        /** True for kfr.OffCpu's summed short intervals, whose startTime is their period's start. */
        public boolean aggregated() {
            IMemberAccessor<Boolean, IItem> acc = AGGREGATED.getAccessor(a.type);
            Boolean b = acc == null ? null : acc.getMember(item);
            return b != null && b;
        }

        public String text(IAttribute<String> attribute) {
            IMemberAccessor<String, IItem> acc = attribute.getAccessor(a.type);
            return acc == null ? null : acc.getMember(item);
        }

        /** kfr.OffCpu: the thread that woke this one, or null (recordings before wakers: always null). */
        public IMCThread wakerThread() {
            IMemberAccessor<IMCThread, IItem> acc = WAKER_THREAD.getAccessor(a.type);
            return acc == null ? null : acc.getMember(item);
        }

        /** kfr.OffCpu: where the waker was when it woke the thread, or null. */
        public IMCStackTrace wakerStack() {
            IMemberAccessor<IMCStackTrace, IItem> acc = WAKER_STACK.getAccessor(a.type);
            return acc == null ? null : acc.getMember(item);
        }

        /** A numeric field (a count, or a time span in nanoseconds); 0 when the field is absent. */
        public long number(String field) {
            IMemberAccessor<?, IItem> acc = a.numbers.computeIfAbsent(field, a::accessor);
            Object v = acc == null ? null : acc.getMember(item);
            if (v instanceof IQuantity q) {
                return q.getUnit().getContentType() == UnitLookup.TIMESPAN ? q.clampedLongValueIn(UnitLookup.NANOSECOND)
                        : q.longValue();
            }
            return v instanceof Number n ? n.longValue() : 0;
        }

        /** kfr.CpuSample's weight: the CPU time the sample stands for; 0 if absent. */
        public long weightNanos() {
            IMemberAccessor<IQuantity, IItem> acc = WEIGHT.getAccessor(a.type);
            return nanos(acc == null ? null : acc.getMember(item));
        }
    }

    /** A time span in nanoseconds; 0 for none or for a quantity that is not a time span. */
    private static long nanos(IQuantity q) {
        if (q == null) {
            return 0;
        }
        try {
            return q.clampedLongValueIn(UnitLookup.NANOSECOND);
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    /** The accessors of one JMC event type, looked up once per type. */
    static final class Accessors {
        final IType<IItem> type;
        final IMemberAccessor<IMCThread, IItem> thread;
        final IMemberAccessor<IMCStackTrace, IItem> stack;
        final IMemberAccessor<IQuantity, IItem> start;
        final IMemberAccessor<IQuantity, IItem> duration;
        final Map<String, IMemberAccessor<?, IItem>> numbers = new HashMap<>();

        Accessors(IType<IItem> type) {
            this.type = type;
            this.thread = JfrAttributes.EVENT_THREAD.getAccessor(type);
            this.stack = JfrAttributes.EVENT_STACKTRACE.getAccessor(type);
            this.start = JfrAttributes.START_TIME.getAccessor(type);
            this.duration = JfrAttributes.DURATION.getAccessor(type);
        }

        /** The accessor of a field by its identifier, whatever its content type; null if absent. */
        IMemberAccessor<?, IItem> accessor(String field) {
            for (IAccessorKey<?> k : type.getAccessorKeys().keySet()) {
                if (k.getIdentifier().equals(field)) {
                    return type.getAccessor(k);
                }
            }
            return null;
        }
    }

    public static void forEach(IItemCollection items, String type, Consumer<Event> action) {
        for (IItemIterable it : items.apply(ItemFilters.type(type))) {
            Accessors a = new Accessors(it.getType());
            for (IItem item : it) {
                action.accept(new Event(item, a));
            }
        }
    }
}
