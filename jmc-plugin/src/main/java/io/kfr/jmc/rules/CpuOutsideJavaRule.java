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
import org.openjdk.jmc.flightrecorder.rules.TypedResult;

import static io.kfr.jmc.rules.KfrRules.percent;
import static io.kfr.jmc.rules.KfrRules.share;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The share of the JVM's sampled CPU time spent outside Java code: garbage collection, the JIT
 * compiler, the kernel, native libraries, the JVM runtime, from kfr.CpuSample (which, unlike the
 * JVM's own sampler, sees every thread and the kernel). Scores high when GC, JIT or kernel take a
 * large share; native libraries and the JVM runtime are reported with a lower weight.
 */
public final class CpuOutsideJavaRule extends KfrRule {
    public static final String ID = "KfrCpuOutsideJava";
    static final int MIN_SAMPLES = 20;

    public static final TypedPreference<IQuantity> GC_WARNING = percent("kfr.cpu.gc.warning", "GC share warning",
            "Share of the sampled CPU time in garbage collection that gives a warning", 20);
    public static final TypedPreference<IQuantity> JIT_WARNING = percent("kfr.cpu.jit.warning", "JIT share warning",
            "Share of the sampled CPU time in the JIT compiler that gives a warning", 30);
    public static final TypedPreference<IQuantity> KERNEL_WARNING = percent("kfr.cpu.kernel.warning",
            "Kernel share warning", "Share of the sampled CPU time in the kernel that gives a warning", 30);
    public static final TypedPreference<IQuantity> OTHER_WARNING = percent("kfr.cpu.other.warning",
            "Native/JVM share info", "Share in native libraries or the JVM runtime that is worth a note (at most INFO)",
            40);

    public static final TypedResult<IQuantity> OUTSIDE_SHARE = share("kfrCpuOutsideJava", "Outside Java",
            "Share of the sampled CPU time outside Java code");
    public static final TypedResult<IQuantity> GC_SHARE = share("kfrCpuGc", "GC", "Share in garbage collection");
    public static final TypedResult<IQuantity> JIT_SHARE = share("kfrCpuJit", "JIT", "Share in the JIT compiler");
    public static final TypedResult<IQuantity> KERNEL_SHARE = share("kfrCpuKernel", "Kernel", "Share in the kernel");
    public static final TypedResult<IQuantity> NATIVE_SHARE = share("kfrCpuNative", "Native",
            "Share in native libraries called from Java");
    public static final TypedResult<IQuantity> JVM_SHARE = share("kfrCpuJvm", "JVM", "Share in the JVM runtime");
    public static final TypedResult<IQuantity> JAVA_SHARE = share("kfrCpuJava", "Java", "Share in Java code");
    public static final TypedResult<String> TOP_KIND = new TypedResult<>("kfrCpuTopKind", "Largest outside Java",
            "The largest share outside Java code", UnitLookup.PLAIN_TEXT, String.class);

    private static final Map<CpuKind, TypedResult<IQuantity>> RESULTS = Map.of(CpuKind.GC, GC_SHARE, CpuKind.JIT,
            JIT_SHARE, CpuKind.KERNEL, KERNEL_SHARE, CpuKind.NATIVE, NATIVE_SHARE, CpuKind.JVM, JVM_SHARE,
            CpuKind.JAVA, JAVA_SHARE);

    public CpuOutsideJavaRule() {
        super(ID, "CPU outside Java (kfr)", KfrEvents.CPU_SAMPLE, List.of(GC_WARNING, JIT_WARNING, KERNEL_WARNING,
                OTHER_WARNING), List.of(OUTSIDE_SHARE, GC_SHARE, JIT_SHARE, KERNEL_SHARE, NATIVE_SHARE, JVM_SHARE,
                JAVA_SHARE, TOP_KIND));
    }

    /** Time per kind, and within a kind per place (function, method) and per thread. */
    private static final class Tally {
        long nanos;
        final Map<String, Long> where = new HashMap<>();
        final Map<String, Long> threads = new HashMap<>();
    }

    @Override
    IResult evaluate(IItemCollection items, IPreferenceValueProvider vp) {
        Map<CpuKind, Tally> tallies = new EnumMap<>(CpuKind.class);
        long[] samples = {0};
        KfrEvents.forEach(items, KfrEvents.CPU_SAMPLE, e -> {
            IMCThread thread = e.thread();
            CpuKind kind = CpuKind.of(thread == null ? null : thread.getThreadName(), e.stack());
            // every sample stands for its weight of CPU time; 1 ns where a file has no weight
            long nanos = Math.max(1, e.weightNanos());
            Tally t = tallies.computeIfAbsent(kind, k -> new Tally());
            t.nanos += nanos;
            String where = CpuKind.where(kind, e.stack());
            if (where != null) {
                t.where.merge(where, nanos, Long::sum);
            }
            t.threads.merge(Threads.name(thread), nanos, Long::sum);
            samples[0]++;
        });
        if (samples[0] < MIN_SAMPLES) {
            return notApplicable(vp, "Too few kfr.CpuSample events (" + samples[0] + ", at least "
                    + MIN_SAMPLES + " needed) to give shares.");
        }
        long total = tallies.values().stream().mapToLong(t -> t.nanos).sum();
        Map<CpuKind, Double> shares = new EnumMap<>(CpuKind.class);
        for (CpuKind k : CpuKind.values()) {
            Tally t = tallies.get(k);
            shares.put(k, t == null ? 0 : (double) t.nanos / total);
        }
        double outside = shares.entrySet().stream().filter(e -> e.getKey().isOutsideJava())
                .mapToDouble(Map.Entry::getValue).sum();

        Map<CpuKind, Double> scores = new EnumMap<>(CpuKind.class);
        scores.put(CpuKind.GC, KfrRules.score(shares.get(CpuKind.GC), KfrRules.fraction(vp, GC_WARNING)));
        scores.put(CpuKind.JIT, KfrRules.score(shares.get(CpuKind.JIT), KfrRules.fraction(vp, JIT_WARNING)));
        scores.put(CpuKind.KERNEL, KfrRules.score(shares.get(CpuKind.KERNEL),
                KfrRules.fraction(vp, KERNEL_WARNING)));
        double otherLimit = KfrRules.fraction(vp, OTHER_WARNING);
        // native libraries and the JVM runtime are the application's choice or small: a note, never a warning
        scores.put(CpuKind.NATIVE, Math.min(50, KfrRules.score(shares.get(CpuKind.NATIVE), otherLimit)));
        scores.put(CpuKind.JVM, Math.min(50, KfrRules.score(shares.get(CpuKind.JVM), otherLimit)));
        CpuKind worst = scores.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
        double score = scores.get(worst);
        CpuKind largest = shares.entrySet().stream().filter(e -> e.getKey().isOutsideJava())
                .max(Map.Entry.comparingByValue()).get().getKey();

        StringBuilder summary = new StringBuilder(Text.percent(outside))
                .append(" of the sampled CPU time was outside Java code");
        String breakdown = breakdown(shares);
        summary.append(breakdown.isEmpty() ? "." : " (" + breakdown + ").");
        StringBuilder explanation = new StringBuilder().append(samples[0]).append(" CPU samples, ")
                .append(Text.duration(total)).append(" of CPU time.\n");
        for (CpuKind k : CpuKind.values()) {
            Tally t = tallies.get(k);
            if (t != null) {
                explanation.append(line(k, t, shares.get(k))).append('\n');
            }
        }
        ResultBuilder b = scored(vp, score).setSummary(summary.toString())
                .setExplanation(explanation.toString().strip())
                .addResult(OUTSIDE_SHARE, KfrRules.percentQuantity(outside)).addResult(TOP_KIND, largest.name());
        RESULTS.forEach((k, r) -> b.addResult(r, KfrRules.percentQuantity(shares.get(k))));
        if (score >= KfrRules.INFO_SCORE) {
            b.setSolution(solution(worst));
        }
        return b.build();
    }

    private static String breakdown(Map<CpuKind, Double> shares) {
        StringBuilder b = new StringBuilder();
        for (CpuKind k : List.of(CpuKind.GC, CpuKind.JIT, CpuKind.KERNEL, CpuKind.NATIVE, CpuKind.JVM)) {
            if (shares.get(k) > 0) {
                b.append(b.length() > 0 ? ", " : "").append(k.text).append(' ').append(Text.percent(shares.get(k)));
            }
        }
        return b.toString();
    }

    private static String line(CpuKind kind, Tally t, double share) {
        String text = Character.toUpperCase(kind.text.charAt(0)) + kind.text.substring(1) + " " + Text.percent(share);
        String where = KfrRules.top(t.where);
        String thread = KfrRules.top(t.threads);
        StringBuilder b = new StringBuilder(text);
        if (where != null) {
            b.append(": mostly ").append(Text.safe(where)).append(" (")
                    .append(Text.percent((double) t.where.get(where) / t.nanos)).append(" of it)");
        }
        if (thread != null) {
            b.append(where != null ? ", " : ": ").append("thread ").append(Text.safe(thread)).append(" (")
                    .append(Text.percent((double) t.threads.get(thread) / t.nanos)).append(" of it)");
        }
        return b.append('.').toString();
    }

    private static String solution(CpuKind kind) {
        return switch (kind) {
            case GC -> "Garbage collection takes a large share of the CPU: allocate less (JMC's Allocations page), "
                    + "give the heap more room, or check the collector's settings.";
            case JIT -> "The JIT compiler takes a large share of the CPU: normal while the application warms up; "
                    + "if it lasts, look for deoptimization loops (jdk.Deoptimization) or a full code cache.";
            case KERNEL -> "The kernel takes a large share of the CPU: look at the kernel functions and the Java "
                    + "methods that call into them (many small reads and writes, page faults, futex storms); "
                    + "buffer I/O and reduce system calls.";
            case NATIVE -> "Native libraries take a notable share of the CPU: the functions named are the place "
                    + "to optimize (or call less often).";
            case JVM -> "The JVM runtime takes a notable share: the functions named show which (class loading, "
                    + "safepoints, locking, allocation slow paths).";
            default -> "";
        };
    }
}
