package io.kfr.collectors;

import java.util.Objects;

/**
 * A thread of the profiled JVM. {@code tid} is the real Linux thread id; {@code javaThreadId} is
 * the Java thread id or -1 for threads the JVM does not know as Java threads (GC, compiler, native);
 * {@code javaName} is null for those.
 */
public final class ThreadRef {
    private final int tid;
    private final String osName;
    private final long javaThreadId;
    private final String javaName;

    public ThreadRef(int tid, String osName, long javaThreadId, String javaName) {
        this.tid = tid;
        this.osName = osName;
        this.javaThreadId = javaThreadId;
        this.javaName = javaName;
    }

    public int tid() {
        return tid;
    }

    public String osName() {
        return osName;
    }

    public long javaThreadId() {
        return javaThreadId;
    }

    public String javaName() {
        return javaName;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof ThreadRef)) {
            return false;
        }
        ThreadRef o = (ThreadRef) other;
        return tid == o.tid && Objects.equals(osName, o.osName) && javaThreadId == o.javaThreadId
                && Objects.equals(javaName, o.javaName);
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Integer.hashCode(tid);
        h = 31 * h + Objects.hashCode(osName);
        h = 31 * h + Long.hashCode(javaThreadId);
        h = 31 * h + Objects.hashCode(javaName);
        return h;
    }

    @Override
    public String toString() {
        return "ThreadRef[tid=" + tid + ", osName=" + osName + ", javaThreadId=" + javaThreadId
                + ", javaName=" + javaName + "]";
    }

    public boolean isJava() {
        return javaThreadId >= 0;
    }

    public String displayName() {
        return javaName != null ? javaName : osName;
    }
}
