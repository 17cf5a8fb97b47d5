package io.kfr.jmc.rules;

import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.common.util.TypedPreference;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IResultValueProvider;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit.EventAvailability;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit.RequiredEventsBuilder;

import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;

/**
 * The share of the JVM's sampled CPU time spent outside Java code: garbage collection, the JIT
 * compiler, the kernel, native libraries, the JVM runtime, from kfr.CpuSample (which, unlike the
 * JVM's own sampler, sees every thread and the kernel). Scores high when GC, JIT or kernel take a
 * large share; native libraries and the JVM runtime are reported with a lower weight.
 */
public final class CpuOutsideJavaRule implements IRule {
    public static final String ID = "KfrCpuOutsideJava";
    static final int MIN_SAMPLES = 20;

    public static final TypedPreference<IQuantity> GC_WARNING = share("kfr.cpu.gc.warning", "GC share warning",
            "Share of the sampled CPU time in garbage collection that gives a warning", 20);
    public static final TypedPreference<IQuantity> JIT_WARNING = share("kfr.cpu.jit.warning", "JIT share warning",
            "Share of the sampled CPU time in the JIT compiler that gives a warning", 30);
    public static final TypedPreference<IQuantity> KERNEL_WARNING = share("kfr.cpu.kernel.warning",
            "Kernel share warning", "Share of the sampled CPU time in the kernel that gives a warning", 30);
    public static final TypedPreference<IQuantity> OTHER_WARNING = share("kfr.cpu.other.warning",
            "Native/JVM share info", "Share in native libraries or the JVM runtime that is worth a note (at most INFO)",
            40);

    public static final TypedResult<IQuantity> OUTSIDE_SHARE = result("kfrCpuOutsideJava", "Outside Java",
            "Share of the sampled CPU time outside Java code");
    public static final TypedResult<IQuantity> GC_SHARE = result("kfrCpuGc", "GC", "Share in garbage collection");
    public static final TypedResult<IQuantity> JIT_SHARE = result("kfrCpuJit", "JIT", "Share in the JIT compiler");
    public static final TypedResult<IQuantity> KERNEL_SHARE = result("kfrCpuKernel", "Kernel", "Share in the kernel");
    public static final TypedResult<IQuantity> NATIVE_SHARE = result("kfrCpuNative", "Native",
            "Share in native libraries called from Java");
    public static final TypedResult<IQuantity> JVM_SHARE = result("kfrCpuJvm", "JVM", "Share in the JVM runtime");
    public static final TypedResult<IQuantity> JAVA_SHARE = result("kfrCpuJava", "Java", "Share in Java code");
    public static final TypedResult<String> TOP_KIND = new TypedResult<>("kfrCpuTopKind", "Largest outside Java",
            "The largest share outside Java code", UnitLookup.PLAIN_TEXT, String.class);

    private static final Map<String, EventAvailability> REQUIRED = RequiredEventsBuilder.create()
            .addEventType(KfrEvents.CPU_SAMPLE, EventAvailability.AVAILABLE).build();
    private static final Map<CpuKind, TypedResult<IQuantity>> RESULTS = Map.of(CpuKind.GC, GC_SHARE, CpuKind.JIT,
            JIT_SHARE, CpuKind.KERNEL, KERNEL_SHARE, CpuKind.NATIVE, NATIVE_SHARE, CpuKind.JVM, JVM_SHARE,
            CpuKind.JAVA, JAVA_SHARE);

    private static TypedPreference<IQuantity> share(String id, String name, String description, int percent) {
        return new TypedPreference<>(id, name, description, UnitLookup.PERCENTAGE, UnitLookup.PERCENT.quantity(percent));
    }

    private static TypedResult<IQuantity> result(String id, String name, String description) {
        return new TypedResult<>(id, name, description, UnitLookup.PERCENTAGE, IQuantity.class);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getTopic() {
        return KfrRules.TOPIC;
    }

    @Override
    public String getName() {
        return "CPU outside Java (kfr)";
    }

    @Override
    public Map<String, EventAvailability> getRequiredEvents() {
        return REQUIRED;
    }

    @Override
    public Collection<TypedPreference<?>> getConfigurationAttributes() {
        return List.of(GC_WARNING, JIT_WARNING, KERNEL_WARNING, OTHER_WARNING);
    }

    @Override
    public Collection<TypedResult<?>> getResults() {
        return List.of(TypedResult.SCORE, OUTSIDE_SHARE, GC_SHARE, JIT_SHARE, KERNEL_SHARE, NATIVE_SHARE, JVM_SHARE,
                JAVA_SHARE, TOP_KIND);
    }

    @Override
    public RunnableFuture<IResult> createEvaluation(IItemCollection items, IPreferenceValueProvider vp,
            IResultValueProvider dependencies) {
        return new FutureTask<>(() -> evaluate(items, vp));
    }

    /** Time per kind, and within a kind per place (function, method) and per thread. */
    private static final class Tally {
        long nanos;
        final Map<String, Long> where = new HashMap<>();
        final Map<String, Long> threads = new HashMap<>();
    }

    private IResult evaluate(IItemCollection items, IPreferenceValueProvider vp) {
        if (!KfrEvents.has(items, KfrEvents.CPU_SAMPLE)) {
            return KfrRules.notApplicable(this, vp, "The recording has no kfr.CpuSample events (kfr's cpu collector).");
        }
        Map<CpuKind, Tally> tallies = new EnumMap<>(CpuKind.class);
        long[] samples = {0};
        KfrEvents.forEach(items, KfrEvents.CPU_SAMPLE, e -> {
            IMCThread thread = e.thread();
            String name = thread == null ? null : thread.getThreadName();
            CpuKind kind = CpuKind.of(name, e.stack());
            // every sample stands for its weight of CPU time; 1 ns where a file has no weight
            long nanos = Math.max(1, e.weightNanos());
            Tally t = tallies.computeIfAbsent(kind, k -> new Tally());
            t.nanos += nanos;
            String where = CpuKind.where(kind, e.stack());
            if (where != null) {
                t.where.merge(where, nanos, Long::sum);
            }
            t.threads.merge(name == null ? "?" : name, nanos, Long::sum);
            samples[0]++;
        });
        if (samples[0] < MIN_SAMPLES) {
            return KfrRules.notApplicable(this, vp, "Too few kfr.CpuSample events (" + samples[0] + ", at least "
                    + MIN_SAMPLES + " needed) to give shares.");
        }
        long total = tallies.values().stream().mapToLong(t -> t.nanos).sum();
        Map<CpuKind, Double> shares = new EnumMap<>(CpuKind.class);
        for (CpuKind k : CpuKind.values()) {
            Tally t = tallies.get(k);
            shares.put(k, t == null ? 0 : (double) t.nanos / total);
        }
        double outside = 1 - shares.get(CpuKind.JAVA) - shares.get(CpuKind.UNKNOWN) - shares.get(CpuKind.KFR);

        Map<CpuKind, Double> scores = new EnumMap<>(CpuKind.class);
        scores.put(CpuKind.GC, KfrRules.score(shares.get(CpuKind.GC), KfrRules.fraction(vp.getPreferenceValue(GC_WARNING))));
        scores.put(CpuKind.JIT, KfrRules.score(shares.get(CpuKind.JIT), KfrRules.fraction(vp.getPreferenceValue(JIT_WARNING))));
        scores.put(CpuKind.KERNEL, KfrRules.score(shares.get(CpuKind.KERNEL),
                KfrRules.fraction(vp.getPreferenceValue(KERNEL_WARNING))));
        double otherLimit = KfrRules.fraction(vp.getPreferenceValue(OTHER_WARNING));
        // native libraries and the JVM runtime are the application's choice or small: a note, never a warning
        scores.put(CpuKind.NATIVE, Math.min(50, KfrRules.score(shares.get(CpuKind.NATIVE), otherLimit)));
        scores.put(CpuKind.JVM, Math.min(50, KfrRules.score(shares.get(CpuKind.JVM), otherLimit)));
        CpuKind worst = scores.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
        double score = scores.get(worst);
        CpuKind largest = shares.entrySet().stream().filter(e -> e.getKey() != CpuKind.JAVA && e.getKey() != CpuKind.UNKNOWN && e.getKey() != CpuKind.KFR)
                .max(Map.Entry.comparingByValue()).get().getKey();

        StringBuilder summary = new StringBuilder(Text.percent(outside)).append(" of the sampled CPU time was outside Java code");
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
        ResultBuilder b = KfrRules.scored(this, vp, score).setSummary(summary.toString())
                .setExplanation(explanation.toString().strip())
                .addResult(OUTSIDE_SHARE, KfrRules.percentQuantity(outside)).addResult(TOP_KIND, largest.name());
        RESULTS.forEach((k, r) -> b.addResult(r, KfrRules.percentQuantity(shares.get(k))));
        if (score >= 25) {
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
        String where = ThreadOffCpu.Where.top(t.where);
        String thread = ThreadOffCpu.Where.top(t.threads);
        StringBuilder b = new StringBuilder(text);
        if (where != null) {
            b.append(": mostly ").append(Text.safe(where)).append(" (").append(Text.percent((double) t.where.get(where) / t.nanos))
                    .append(" of it)");
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
