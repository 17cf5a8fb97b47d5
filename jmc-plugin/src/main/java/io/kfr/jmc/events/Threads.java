package io.kfr.jmc.events;

import org.openjdk.jmc.common.IMCThread;

/** How a thread is named in the rules' texts and the report's flame graphs. */
public final class Threads {
    private Threads() {
    }

    /** The thread's name; "[thread 12]" (its Java id) when it has none, "[no thread]" without one. */
    public static String name(IMCThread t) {
        if (t == null) {
            return "[no thread]";
        }
        if (t.getThreadName() != null) {
            return t.getThreadName();
        }
        return t.getThreadId() != null ? "[thread " + t.getThreadId() + "]" : "[unnamed thread]";
    }
}
