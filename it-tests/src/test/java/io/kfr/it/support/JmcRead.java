package io.kfr.it.support;

import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.flightrecorder.JfrAttributes;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** Reads a recording with JMC's own parser (org.openjdk.jmc:flightrecorder), as JDK Mission Control does. */
public final class JmcRead {
    private final IItemCollection items;

    public JmcRead(Path file) throws Exception {
        this.items = JfrLoaderToolkit.loadEvents(file.toFile());
    }

    public long count(String type) {
        return items.apply(ItemFilters.type(type)).stream().mapToLong(IItemIterable::getItemCount).sum();
    }

    /** The distinct JMC thread objects of the events of this type whose thread has the given name. */
    public Set<IMCThread> threadsNamed(String type, String name) {
        Set<IMCThread> found = new HashSet<>();
        for (IItemIterable it : items.apply(ItemFilters.type(type))) {
            IMemberAccessor<IMCThread, IItem> thread = JfrAttributes.EVENT_THREAD.getAccessor(it.getType());
            for (IItem item : it) {
                IMCThread t = thread.getMember(item);
                if (t != null && name.equals(t.getThreadName())) {
                    found.add(t);
                }
            }
        }
        return found;
    }
}
