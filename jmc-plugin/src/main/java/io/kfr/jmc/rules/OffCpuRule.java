package io.kfr.jmc.rules;

import io.kfr.jmc.events.KfrEvents;
import io.kfr.jmc.events.Threads;
import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.common.util.TypedPreference;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;
import org.openjdk.jmc.flightrecorder.rules.TypedCollectionResult;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;

import static io.kfr.jmc.rules.KfrRules.percent;
import static io.kfr.jmc.rules.KfrRules.share;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which application threads spend their time off-CPU waiting for the disk, a lock or a CPU, on
 * what (state, system call, kernel function) and from which Java method. Idle waits (pools waiting
 * for work, sleeping pollers) are listed but never raise the score; JVM-internal threads without
 * Java frames and kfr's own threads are left out (the CPU rule covers GC and JIT).
 */
public final class OffCpuRule extends KfrRule {
    public static final String ID = "KfrOffCpu";

    public static final TypedPreference<IQuantity> WARNING_SHARE = percent("kfr.offcpu.warning.share", "Warning share",
            "Share of a thread's time spent waiting for the disk, a lock or a CPU that gives a warning", 50);
    public static final TypedPreference<IQuantity> MIN_TIME = new TypedPreference<>("kfr.offcpu.min.time",
            "Minimum time", "Threads with less time in such waits are not reported", UnitLookup.TIMESPAN,
            UnitLookup.MILLISECOND.quantity(100));
    public static final TypedPreference<IQuantity> TOP_THREADS = new TypedPreference<>("kfr.offcpu.top.threads",
            "Threads listed", "How many threads the explanation names", UnitLookup.NUMBER,
            UnitLookup.NUMBER_UNITY.quantity(5));

    public static final TypedResult<String> THREAD = new TypedResult<>("kfrOffCpuThread", "Thread",
            "The thread with the highest share of problem waits", UnitLookup.PLAIN_TEXT, String.class);
    public static final TypedResult<String> KIND = new TypedResult<>("kfrOffCpuKind", "Wait",
            "What that thread waited for most", UnitLookup.PLAIN_TEXT, String.class);
    public static final TypedResult<String> STATE = new TypedResult<>("kfrOffCpuState", "State",
            "The task state of that wait: D, S or R", UnitLookup.PLAIN_TEXT, String.class);
    public static final TypedResult<String> METHOD = new TypedResult<>("kfrOffCpuMethod", "Method",
            "The application's Java method it waited from", UnitLookup.PLAIN_TEXT, String.class);
    public static final TypedResult<IQuantity> SHARE = share("kfrOffCpuShare", "Share",
            "Share of that thread's time in that wait");
    public static final TypedCollectionResult<String> FINDINGS = new TypedCollectionResult<>("kfrOffCpuFindings",
            "Findings", "One line per thread named", UnitLookup.PLAIN_TEXT, String.class);

    /**
     * The rule's preferences with their defaults, except that the findings name up to
     * {@code threads} threads (outside JMC, where no preference page sets it).
     */
    public static IPreferenceValueProvider namingThreads(int threads) {
        return new IPreferenceValueProvider() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> T getPreferenceValue(TypedPreference<T> preference) {
                return preference.equals(TOP_THREADS) ? (T) UnitLookup.NUMBER_UNITY.quantity(threads)
                        : preference.getDefaultValue();
            }
        };
    }

    public OffCpuRule() {
        super(ID, "Off-CPU waits (kfr)", KfrEvents.OFF_CPU, List.of(WARNING_SHARE, MIN_TIME, TOP_THREADS),
                List.of(THREAD, KIND, STATE, METHOD, SHARE, FINDINGS));
    }

    @Override
    IResult evaluate(IItemCollection items, IPreferenceValueProvider vp) {
        double warningShare = KfrRules.fraction(vp, WARNING_SHARE);
        long minNanos = vp.getPreferenceValue(MIN_TIME).clampedLongValueIn(UnitLookup.NANOSECOND);
        int top = (int) Math.max(1, vp.getPreferenceValue(TOP_THREADS).longValue());

        PauseWindows pauses = PauseWindows.read(items);
        Map<IMCThread, ThreadOffCpu> threads = new HashMap<>();
        KfrEvents.forEach(items, KfrEvents.OFF_CPU, e -> {
            ThreadOffCpu t = threads.computeIfAbsent(e.thread(), ThreadOffCpu::new);
            long start = e.startNanos();
            long nanos = e.durationNanos();
            t.seen(start, start + nanos);
            // only an interval recorded on its own has its real start (a summed one has its period's)
            boolean acrossGcPause = !e.aggregated() && !pauses.isEmpty() && pauses.overlapNanos(start, start + nanos) > 0;
            t.add(e.text(KfrEvents.STATE), e.text(KfrEvents.SYSCALL), e.stack(), nanos, acrossGcPause,
                    e.text(KfrEvents.WAKER), e.wakerThread(), e.wakerStack());
        });
        // CPU samples widen a thread's window: a busy thread is seen while it runs
        KfrEvents.forEach(items, KfrEvents.CPU_SAMPLE, e -> {
            ThreadOffCpu t = threads.get(e.thread());
            if (t != null) {
                t.seen(e.startNanos(), e.startNanos());
            }
        });

        List<ThreadOffCpu> app = threads.values().stream().filter(t -> t.javaThread && !t.kfrThread
                && t.applicationCode).toList();
        if (app.isEmpty()) {
            return notApplicable(vp, "kfr.OffCpu has no events of application threads "
                    + "(no thread with Java frames).");
        }
        // a finding scores at least INFO: a few percent of preemption in a sleeping thread is not one
        List<ThreadOffCpu> problems = new ArrayList<>(app.stream().filter(t -> t.worstKind() != null
                && t.byKind.get(t.worstKind()).nanos >= minNanos
                && KfrRules.score(t.problemShare(minNanos), warningShare) >= KfrRules.INFO_SCORE).toList());
        Comparator<ThreadOffCpu> byScore = Comparator.comparingDouble(t -> t.problemShare(minNanos));
        problems.sort(byScore.thenComparingLong(t -> t.byKind.get(t.worstKind()).nanos).reversed());
        List<ThreadOffCpu> named = problems.subList(0, Math.min(top, problems.size()));

        List<String> findings = new ArrayList<>();
        for (ThreadOffCpu t : named) {
            findings.add(prefix(t) + t.describeProblems(minNanos) + ".");
        }
        long idle = app.stream().filter(t -> !problems.contains(t)).count();
        StringBuilder explanation = new StringBuilder();
        findings.forEach(f -> explanation.append(f).append('\n'));
        if (idle > 0) {
            ThreadOffCpu longest = app.stream().filter(t -> !problems.contains(t))
                    .max(Comparator.comparingLong(t -> t.totalNanos)).get();
            explanation.append(idle).append(idle == 1 ? " other thread was" : " other threads were")
                    .append(" off-CPU mostly idle or waiting for other threads, which is normal; the longest: ")
                    .append(line(longest, longest.mainKind())).append('\n');
        }

        if (named.isEmpty()) {
            return scored(vp, 0).addResult(FINDINGS, findings)
                    .setSummary("No application thread waited long for the disk, a lock or a CPU.")
                    .setExplanation(explanation.toString().strip()).build();
        }
        ThreadOffCpu worst = named.get(0);
        WaitKind kind = worst.worstKind();
        double score = KfrRules.score(worst.problemShare(minNanos), warningShare);
        String method = worst.method(kind);
        String summary = Threads.name(worst.thread) + " spent " + Text.percent(worst.share(kind)) + " of its time in "
                + kind.text + (method != null ? ", from " + Text.safe(method) : "") + "."
                + (named.size() > 1 ? " " + (named.size() - 1) + " more thread" + (named.size() > 2 ? "s" : "")
                        + " below." : "");
        ResultBuilder b = scored(vp, score).addResult(THREAD, Threads.name(worst.thread))
                .addResult(KIND, kind.name()).addResult(STATE, state(kind))
                .addResult(SHARE, KfrRules.percentQuantity(worst.share(kind))).addResult(FINDINGS, findings)
                .setSummary(summary).setExplanation(explanation.toString().strip()).setSolution(solution(kind));
        if (method != null) {
            b.addResult(METHOD, method);
        }
        return b.build();
    }

    private static String line(ThreadOffCpu t, WaitKind kind) {
        return prefix(t) + t.describe(kind) + ".";
    }

    private static String prefix(ThreadOffCpu t) {
        return Threads.name(t.thread) + ": off-CPU " + Text.percent((double) t.totalNanos / t.spanNanos()) + " of "
                + Text.duration(t.spanNanos()) + "; ";
    }

    private static String state(WaitKind kind) {
        return kind == WaitKind.DISK ? "D" : kind == WaitKind.CPU_QUEUE ? "R" : "S";
    }

    private static String solution(WaitKind kind) {
        return switch (kind) {
            case DISK -> "Keep disk writes, fsync and page faults off threads that serve requests: batch or "
                    + "write asynchronously, or use faster storage. The kernel function tells writeback "
                    + "(folio_wait_bit, jbd2) from page faults (filemap_fault).";
            case LOCK -> "Shorten the critical section in the method named or split the lock. In JMC, "
                    + "the kfr.OffCpu flame graph weighted by Off-CPU Milliseconds shows where the lock is taken.";
            case MONITOR -> "The thread waits to enter a synchronized block at the line named: shorten the critical "
                    + "section or split the lock (JMC's Lock Instances page shows the holder for waits over 20 ms). "
                    + "A line that only allocates or calls points to another wait of the JVM (safepoint, class "
                    + "initialization).";
            case CPU_QUEUE -> "The threads were runnable but got no CPU: the machine or container was saturated. "
                    + "Run fewer busy threads, raise the CPU limit, or look for other busy processes.";
            case JVM_WAIT -> "The thread waits for the JVM, mostly for garbage collections its allocations "
                    + "trigger: allocate less on this path (JMC's Allocations page) or tune the heap; JMC's GC rules "
                    + "and the jdk.GCPhasePause events give the pauses.";
            case NETWORK -> "The thread waits for a remote peer: check that service's latency and the timeouts.";
            default -> "";
        };
    }
}
