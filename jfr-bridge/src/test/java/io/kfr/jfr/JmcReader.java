package io.kfr.jfr;

import java.io.File;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.IAccessorKey;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.IType;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/** JMC's parser (what JDK Mission Control shows), with field access by identifier. */
final class JmcReader {
    /** One event as JMC sees it: its type (for accessors) and the item. */
    record Event(IType<IItem> type, IItem item) {
        Object get(String field) {
            for (IAccessorKey<?> key : type.getAccessorKeys().keySet()) {
                if (key.getIdentifier().equals(field)) {
                    @SuppressWarnings("unchecked")
                    IMemberAccessor<Object, IItem> a = (IMemberAccessor<Object, IItem>) type.getAccessor(key);
                    return a.getMember(item);
                }
            }
            throw new AssertionError(type.getIdentifier() + " has no field " + field);
        }

        long epochNanos(String field) {
            return ((IQuantity) get(field)).clampedLongValueIn(UnitLookup.EPOCH_NS);
        }

        long nanos(String field) {
            return ((IQuantity) get(field)).clampedLongValueIn(UnitLookup.NANOSECOND);
        }

        double number(String field) {
            return ((IQuantity) get(field)).doubleValue();
        }

        IMCThread thread() {
            return (IMCThread) get("eventThread");
        }
    }

    final IItemCollection items;

    JmcReader(File file) throws Exception {
        items = JfrLoaderToolkit.loadEvents(file);
    }

    /** Events of a type, in file order. */
    List<Event> events(String typeId) {
        List<Event> events = new ArrayList<>();
        for (IItemIterable it : items.apply(ItemFilters.type(typeId))) {
            for (IItem item : it) {
                events.add(new Event(it.getType(), item));
            }
        }
        return events;
    }

    /** JMC's thread objects do not expose the OS thread id; its JfrThread holds it in a public field. */
    static long osThreadId(IMCThread thread) throws ReflectiveOperationException {
        Field f = thread.getClass().getField("osThreadId");
        f.setAccessible(true);
        return (Long) f.get(thread);
    }
}
