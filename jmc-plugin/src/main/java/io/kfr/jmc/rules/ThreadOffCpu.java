package io.kfr.jmc.rules;

import io.kfr.jmc.events.Frames;
import io.kfr.jmc.events.Threads;
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
    /**
     * Any frame of application code (outside the JDK and kfr): JDK-internal threads (JFR's,
     * the reference handler, cleaners) never have one and are no finding of their own.
     */
    boolean applicationCode;
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
        /** Who ended these waits: "thread-name at Class.method:line", "I/O completion (interrupt)", ... */
        final Map<String, Long> wakers = new HashMap<>();
        /** Time of the intervals whose waker is known (the denominator of the waker's share). */
        long wakerNanos;
    }

    void seen(long startNanos, long endNanos) {
        firstNanos = Math.min(firstNanos, startNanos);
        lastNanos = Math.max(lastNanos, endNanos);
    }

    void add(String state, String syscall, IMCStackTrace stack, long nanos, boolean acrossGcPause) {
        add(state, syscall, stack, nanos, acrossGcPause, null, null, null);
    }

    void add(String state, String syscall, IMCStackTrace stack, long nanos, boolean acrossGcPause, String waker,
             IMCThread wakerThread, IMCStackTrace wakerStack) {
        totalNanos += nanos;
        for (IMCFrame f : Frames.of(stack)) {
            if (Frames.isJava(f)) {
                javaThread = true;
                String owner = Frames.owner(f);
                kfrThread |= owner.startsWith("io.kfr.collectors.") || owner.startsWith("io.kfr.jfr.");
                applicationCode |= Stacks.isApplication(f);
            }
        }
        WaitKind kind = WaitKind.of(state, stack, acrossGcPause, waker, wakerThread == null ? null
                : Threads.name(wakerThread), wakerStack);
        Where w = byKind.computeIfAbsent(kind, k -> new Where());
        w.nanos += nanos;
        String by = wakerText(waker, wakerThread, wakerStack);
        if (by != null) {
            w.wakers.merge(by, nanos, Long::sum);
            w.wakerNanos += nanos;
        }
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

    /**
     * Who woke the thread, as the findings name it: a thread of the JVM with the innermost
     * application frame of its stack (the release site: an unlock, a put), or the JDK frame it
     * woke from; an interrupt as what completed. Null when no wake-up is known.
     */
    static String wakerText(String waker, IMCThread thread, IMCStackTrace stack) {
        if (waker == null) {
            return null;
        }
        return switch (waker) {
            case "timer" -> "its own timer (the wait ran out)";
            case "interrupt" -> {
                String k = Stacks.kernelFunction(stack);
                boolean block = false;
                for (IMCFrame f : Frames.of(stack)) {
                    String n = Frames.name(f);
                    block |= Frames.isKernel(f) && (n.startsWith("blk_") || n.startsWith("bio_") || n.contains("_end_io")
                            || n.startsWith("virtblk") || n.startsWith("nvme") || n.startsWith("scsi"));
                }
                yield block ? "the disk's I/O completion (interrupt)" : "an interrupt" + (k != null ? " (" + k + ")" : "");
            }
            case "thread" -> {
                String name = thread == null ? "a thread" : Threads.name(thread);
                IMCFrame at = Stacks.waitedFrom(stack);
                yield name + (at != null ? " at " + Frames.javaText(at) : "");
            }
            default -> thread != null ? Threads.name(thread) : waker;
        };
    }

    /** The time the thread was seen, at least its off-CPU time. */
    long spanNanos() {
        return Math.max(totalNanos, lastNanos - firstNanos);
    }

    /** The problem kind with the most time weighted by its problem weight, or null. */
    WaitKind worstKind() {
        WaitKind worst = null;
        for (Map.Entry<WaitKind, Where> e : byKind.entrySet()) {
            if (e.getKey().isProblem() && (worst == null || e.getKey().problemWeight * e.getValue().nanos
                    > worst.problemWeight * byKind.get(worst).nanos)) {
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

    /**
     * The share of the thread's real work that problem waits delayed: problem time (weighted by
     * kind) against the time the thread was working, i.e. running (its span less its off-CPU
     * time) plus held up. Idle waits count in neither: a pool thread idle 99% of the time whose
     * requests spend half their time blocked on a lock scores 50%, not 0.5%. The work share counts
     * only from {@code minNanos} of such waits on: a thread that is off-CPU nearly all its life has
     * next to no running time, and a few milliseconds of preemption would be "100% of its work".
     */
    double problemShare(long minNanos) {
        double weighted = 0;
        for (Map.Entry<WaitKind, Where> e : byKind.entrySet()) {
            weighted += e.getKey().problemWeight * e.getValue().nanos;
        }
        long blocking = blockingNanos();
        double ofSpan = weighted / Math.max(1, spanNanos());
        // Only the kinds that stop a thread's own work count against its work: waits for the JVM
        // (GC pauses stop every thread) and network waits (a peer's latency) only by their share of
        // the thread's life, as before.
        double ofWork = blocking >= minNanos ? workShare(blocking) : 0;
        return Math.min(1, Math.max(ofSpan, ofWork));
    }

    /** Time in the kinds that stop the thread's own work (full problem weight). */
    private long blockingNanos() {
        long blocking = 0;
        for (Map.Entry<WaitKind, Where> e : byKind.entrySet()) {
            if (e.getKey().problemWeight >= 1) {
                blocking += e.getValue().nanos;
            }
        }
        return blocking;
    }

    /** {@code nanos} against the time the thread worked: running (span less off-CPU) plus held up. */
    private double workShare(long nanos) {
        long running = Math.max(0, spanNanos() - totalNanos);
        return Math.min(1, (double) nanos / Math.max(1, running + blockingNanos()));
    }

    double share(WaitKind kind) {
        Where w = byKind.get(kind);
        return w == null ? 0 : Math.min(1, (double) w.nanos / Math.max(1, spanNanos()));
    }

    /**
     * "76% disk I/O or page faults (state D), 2.1 s = 41% of its working time: syscall fsync, kernel
     * folio_wait_bit, from Worker.flush:42": the share of the thread's life, and for the kinds that
     * stop its work the time and the share of the time it worked (running or held up) it took.
     */
    String describe(WaitKind kind) {
        Where w = byKind.get(kind);
        StringBuilder b = new StringBuilder(Text.percent(share(kind))).append(' ').append(kind.text);
        if (kind.problemWeight >= 1) {
            b.append(", ").append(Text.duration(w.nanos)).append(" = ").append(Text.percent(workShare(w.nanos)))
                    .append(" of its working time");
        }
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
        String waker = KfrRules.top(w.wakers);
        if (waker != null && w.wakerNanos > 0) {
            b.append("; woken by ").append(Text.safe(waker)).append(" (")
                    .append(Text.percent((double) w.wakers.get(waker) / w.wakerNanos)).append(" of that time)");
        }
        return b.toString();
    }

    /**
     * The thread's problem kinds worth naming (at least a tenth of its time), most time first,
     * each described; the worst kind always.
     */
    String describeProblems() {
        return describeProblems(Long.MAX_VALUE);
    }

    /** As {@link #describeProblems()}, also naming every problem kind with at least {@code minNanos}. */
    String describeProblems(long minNanos) {
        WaitKind worst = worstKind();
        StringBuilder b = new StringBuilder(describe(worst));
        byKind.keySet().stream().filter(k -> k != worst && k.isProblem()
                        && (share(k) >= 0.1 || byKind.get(k).nanos >= minNanos))
                .sorted((x, y) -> Long.compare(byKind.get(y).nanos, byKind.get(x).nanos))
                .forEach(k -> b.append("; ").append(describe(k)));
        return b.toString();
    }

    String waker(WaitKind kind) {
        Where w = byKind.get(kind);
        return w == null ? null : KfrRules.top(w.wakers);
    }

    String method(WaitKind kind) {
        Where w = byKind.get(kind);
        return w == null ? null : KfrRules.top(w.methods);
    }
}
