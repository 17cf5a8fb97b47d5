package io.kfr.jmc.rules;

import io.kfr.jmc.events.Frames;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.IMCThread;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/** One thread's off-CPU time: by kind of wait, and for each kind where (syscall, kernel, Java method). */
final class ThreadOffCpu {
    final IMCThread thread;
    long firstNanos = Long.MAX_VALUE;
    long lastNanos = Long.MIN_VALUE;
    long totalNanos;
    /** Any Java frame at all: an application or JDK thread rather than a JVM-internal one. */
    boolean javaThread;
    /** Frames of kfr's own collector code: kfr's threads, not the application's. */
    boolean kfrThread;
    final Map<WaitKind, Where> byKind = new EnumMap<>(WaitKind.class);

    ThreadOffCpu(IMCThread thread) {
        this.thread = thread;
    }

    /** Where the time of one kind went, each weighted by time. */
    static final class Where {
        long nanos;
        final Map<String, Long> syscalls = new HashMap<>();
        final Map<String, Long> kernel = new HashMap<>();
        final Map<String, Long> methods = new HashMap<>();
    }

    void seen(long startNanos, long endNanos) {
        firstNanos = Math.min(firstNanos, startNanos);
        lastNanos = Math.max(lastNanos, endNanos);
    }

    void add(String state, String syscall, IMCStackTrace stack, long nanos, boolean acrossGcPause) {
        totalNanos += nanos;
        for (IMCFrame f : Frames.of(stack)) {
            if (Frames.isJava(f)) {
                javaThread = true;
                String owner = Frames.owner(f);
                kfrThread |= owner.startsWith("io.kfr.collectors.") || owner.startsWith("io.kfr.jfr.");
            }
        }
        WaitKind kind = WaitKind.of(state, stack, acrossGcPause);
        Where w = byKind.computeIfAbsent(kind, k -> new Where());
        w.nanos += nanos;
        if (syscall != null && !syscall.isEmpty()) {
            w.syscalls.merge(syscall, nanos, Long::sum);
        }
        String kernel = Stacks.kernelFunction(stack);
        if (kernel != null) {
            w.kernel.merge(kernel, nanos, Long::sum);
        }
        IMCFrame java = Stacks.waitedFrom(stack);
        if (java != null) {
            w.methods.merge(Frames.javaText(java), nanos, Long::sum);
        }
    }

    /** The time the thread was seen, at least its off-CPU time. */
    long spanNanos() {
        return Math.max(totalNanos, lastNanos - firstNanos);
    }

    /** The problem kind with the most time, or null. */
    WaitKind worstKind() {
        WaitKind worst = null;
        for (Map.Entry<WaitKind, Where> e : byKind.entrySet()) {
            if (e.getKey().isProblem() && (worst == null || e.getValue().nanos > byKind.get(worst).nanos)) {
                worst = e.getKey();
            }
        }
        return worst;
    }

    /** The kind with the most time. */
    WaitKind mainKind() {
        return byKind.entrySet().stream().max(Map.Entry.comparingByValue((a, b) -> Long.compare(a.nanos, b.nanos)))
                .map(Map.Entry::getKey).orElse(WaitKind.OTHER);
    }

    /** The time that counts as a problem, weighted by kind, as a share of the thread's span. */
    double problemShare() {
        double weighted = 0;
        for (Map.Entry<WaitKind, Where> e : byKind.entrySet()) {
            weighted += e.getKey().problemWeight * e.getValue().nanos;
        }
        return Math.min(1, weighted / Math.max(1, spanNanos()));
    }

    double share(WaitKind kind) {
        Where w = byKind.get(kind);
        return w == null ? 0 : Math.min(1, (double) w.nanos / Math.max(1, spanNanos()));
    }

    /** "76% disk I/O or page fault (state D): fsync, kernel folio_wait_bit, from Worker.flush:42". */
    String describe(WaitKind kind) {
        Where w = byKind.get(kind);
        StringBuilder b = new StringBuilder(Text.percent(share(kind))).append(' ').append(kind.text);
        // a preempted thread was running: its syscall and kernel frames say nothing about why
        boolean running = kind == WaitKind.CPU_QUEUE;
        String syscall = running ? null : KfrRules.top(w.syscalls);
        String kernel = running ? null : KfrRules.top(w.kernel);
        String method = KfrRules.top(w.methods);
        String sep = ": ";
        if (syscall != null) {
            b.append(sep).append("syscall ").append(syscall);
            sep = ", ";
        }
        if (kernel != null) {
            b.append(sep).append("kernel ").append(kernel);
            sep = ", ";
        }
        if (method != null) {
            b.append(sep).append("from ").append(Text.safe(method));
        }
        return b.toString();
    }

    /**
     * The thread's problem kinds worth naming (at least a tenth of its time), most time first,
     * each described; the worst kind always.
     */
    String describeProblems() {
        WaitKind worst = worstKind();
        StringBuilder b = new StringBuilder(describe(worst));
        byKind.keySet().stream().filter(k -> k != worst && k.isProblem() && share(k) >= 0.1)
                .sorted((x, y) -> Long.compare(byKind.get(y).nanos, byKind.get(x).nanos))
                .forEach(k -> b.append("; ").append(describe(k)));
        return b.toString();
    }

    String method(WaitKind kind) {
        Where w = byKind.get(kind);
        return w == null ? null : KfrRules.top(w.methods);
    }
}
