package io.kfr.agent.convert;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;

import java.util.HashMap;
import java.util.Map;

/**
 * Thread names for the profiles. kfr's chunk may name a thread only by its OS name, which Linux
 * cuts to 15 characters ("truth-monitor-h"); the JVM's own events, read first, name the same tid
 * in full. The full name is taken only where the OS name is its beginning, so that a tid the kernel
 * gave to another thread later keeps its own name.
 */
final class ThreadNames {
    private final Map<Long, String> javaNames = new HashMap<>();

    /** Learns the Java names of the threads an event of the JVM's recording refers to. */
    void learn(RecordedEvent e) {
        learn(e.getThread());
        if (e.hasField("thread") && e.getValue("thread") instanceof RecordedThread t) {
            learn(t); // jdk.ThreadStart, jdk.ThreadEnd: the thread itself, not the one that wrote the event
        }
    }

    private void learn(RecordedThread t) {
        if (t != null && t.getJavaName() != null && t.getOSThreadId() > 0) {
            javaNames.put(t.getOSThreadId(), t.getJavaName());
        }
    }

    String name(RecordedThread t) {
        if (t == null) {
            return "[no thread]";
        }
        if (t.getJavaName() != null) {
            return t.getJavaName();
        }
        String os = t.getOSName();
        String java = javaNames.get(t.getOSThreadId());
        if (java != null && (os == null || java.startsWith(os))) {
            return java;
        }
        return os != null ? os : "[thread " + t.getOSThreadId() + "]";
    }
}
