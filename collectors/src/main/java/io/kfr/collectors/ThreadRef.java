package io.kfr.collectors;

/**
 * A thread of the profiled JVM. {@code tid} is the real Linux thread id; {@code javaThreadId} is
 * the Java thread id or -1 for threads the JVM does not know as Java threads (GC, compiler, native);
 * {@code javaName} is null for those.
 */
public record ThreadRef(int tid, String osName, long javaThreadId, String javaName) {
    public boolean isJava() {
        return javaThreadId >= 0;
    }

    public String displayName() {
        return javaName != null ? javaName : osName;
    }
}
