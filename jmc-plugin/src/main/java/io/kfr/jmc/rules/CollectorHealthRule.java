package io.kfr.jmc.rules;

import io.kfr.jmc.events.Frames;
import io.kfr.jmc.events.KfrEvents;
import org.openjdk.jmc.common.IMCFrame;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether kfr's data can be trusted and what it cost: records lost for good, records that went to
 * the kernel's aggregates because the ring buffer was full, BPF time per program run and as a
 * share of one CPU, frames kfr could not name, Java stack walks that stopped, from the collectors'
 * final kfr.CollectorStatistics and the stacks in the file.
 */
public final class CollectorHealthRule extends KfrRule {
    public static final String ID = "KfrCollectorHealth";

    public static final TypedPreference<IQuantity> LOSS_WARNING = percent("kfr.health.loss.warning",
            "Lost records warning", "Share of records lost for good that gives a warning", 1);
    public static final TypedPreference<IQuantity> RING_FULL_WARNING = percent("kfr.health.ringfull.warning",
            "Ring-buffer-full warning", "Share of off-CPU records that found the ring buffer full (their time is "
                    + "kept in aggregates, their own timestamps lost) that gives a warning", 20);
    public static final TypedPreference<IQuantity> BPF_RUN_WARNING = new TypedPreference<>("kfr.health.bpf.run.warning",
            "BPF time per run warning", "Average BPF program run time that gives a warning", UnitLookup.TIMESPAN,
            UnitLookup.NANOSECOND.quantity(3000));
    public static final TypedPreference<IQuantity> COST_WARNING = percent("kfr.health.cost.warning",
            "Collector cost warning",
            "BPF plus collector thread time while collecting, as a share of one CPU, that gives a warning", 5);
    public static final TypedPreference<IQuantity> UNKNOWN_WARNING = percent("kfr.health.unknown.warning",
            "Unknown frames warning", "Share of unnamed frames in kfr's stacks that gives a warning", 10);
    public static final TypedPreference<IQuantity> JAVA_BROKEN_WARNING = percent("kfr.health.javabroken.warning",
            "Stopped Java walks warning", "Share of Java stack walks that stopped early that gives a warning", 10);

    public static final TypedResult<IQuantity> LOST = share("kfrHealthLost", "Lost records",
            "Records lost for good, as a share of all records");
    public static final TypedResult<IQuantity> RING_FULL = share("kfrHealthRingFull", "Ring buffer full",
            "Off-CPU records that went to the aggregates because the ring buffer was full");
    public static final TypedResult<IQuantity> BPF_RUN = new TypedResult<>("kfrHealthBpfRun", "BPF time per run",
            "Average run time of kfr's BPF programs (all collectors)", UnitLookup.TIMESPAN, IQuantity.class);
    public static final TypedResult<IQuantity> COST = share("kfrHealthCost", "Collector cost",
            "BPF and collector thread time while collecting, as a share of one CPU");
    public static final TypedResult<IQuantity> UNKNOWN_FRAMES = share("kfrHealthUnknownFrames", "Unknown frames",
            "Unnamed frames as a share of all frames in kfr's stacks");
    public static final TypedResult<IQuantity> JAVA_BROKEN = share("kfrHealthJavaBroken", "Stopped Java walks",
            "Java stack walks that stopped at a frame they could not follow");

    public CollectorHealthRule() {
        super(ID, "Collector health (kfr)", KfrEvents.COLLECTOR_STATISTICS, List.of(LOSS_WARNING, RING_FULL_WARNING,
                BPF_RUN_WARNING, COST_WARNING, UNKNOWN_WARNING, JAVA_BROKEN_WARNING), List.of(LOST, RING_FULL, BPF_RUN,
                COST, UNKNOWN_FRAMES, JAVA_BROKEN));
    }

    /** One checked aspect: its score, a line for the explanation, and what to do about it. */
    private record Check(double score, String line, String solution) {
    }

    @Override
    IResult evaluate(IItemCollection items, IPreferenceValueProvider vp) {
        Map<String, CollectorCounters> collectors = CollectorCounters.read(items);
        long handled = 0;
        long lost = 0;
        long runs = 0;
        long bpfNanos = 0;
        long collectorNanos = 0;
        long javaWalks = 0;
        long javaBroken = 0;
        long javaStacksLost = 0;
        long firstNanos = Long.MAX_VALUE;
        long lastNanos = Long.MIN_VALUE;
        for (CollectorCounters c : collectors.values()) {
            handled += c.handled();
            lost += c.lost();
            runs += c.get("bpfRunCount");
            bpfNanos += c.get("bpfRunTime");
            collectorNanos += c.get("collectorCpuTime");
            javaWalks += c.get("javaWalks");
            javaBroken += c.get("javaBroken");
            javaStacksLost += c.get("javaStacksLost");
            firstNanos = Math.min(firstNanos, c.firstNanos);
            lastNanos = Math.max(lastNanos, c.lastNanos);
        }
        CollectorCounters offCpu = collectors.get("offcpu");
        long ringFull = offCpu == null ? 0 : offCpu.get("recordsLost");
        long offCpuHandled = offCpu == null ? 0 : offCpu.handled();
        long[] frames = countFrames(items);
        // the statistics run from the collectors' first period to their end; widen to the events seen
        long spanNanos = Math.max(1, Math.max(lastNanos - firstNanos, eventSpan(items)));

        double lostShare = handled == 0 ? 0 : (double) lost / handled;
        double ringFullShare = offCpuHandled == 0 ? 0 : (double) ringFull / offCpuHandled;
        double runNanos = runs == 0 ? 0 : (double) bpfNanos / runs;
        // the steady cost, per collector from its first to its last statistics (start-up, such as
        // reading the kernel's symbols, is paid once); the average over the span where there are none
        double cost = 0;
        for (CollectorCounters c : collectors.values()) {
            double steady = c.steadyCpuShare();
            cost += steady >= 0 ? steady : (double) (c.get("bpfRunTime") + c.get("collectorCpuTime")) / spanNanos;
        }
        double unknownShare = frames[1] == 0 ? 0 : (double) frames[0] / frames[1];
        double brokenShare = javaWalks == 0 ? 0 : (double) javaBroken / javaWalks;

        List<Check> checks = new ArrayList<>();
        checks.add(new Check(KfrRules.score(lostShare, KfrRules.fraction(vp, LOSS_WARNING)),
                "Lost for good: " + lost + " of " + handled + " records (" + Text.percent(lostShare) + ")"
                        + perCollector(collectors) + ".",
                "Records were lost: for the off-CPU collector shorten offcpu.period (the aggregation map is drained "
                        + "more often) or raise offcpu.threshold; for the CPU sampler raise cpu.interval."));
        checks.add(new Check(KfrRules.score(ringFullShare, KfrRules.fraction(vp, RING_FULL_WARNING)),
                "Ring buffer full: " + ringFull + " off-CPU records (" + Text.percent(ringFullShare)
                        + ") went to the kernel's aggregates; their time is kept, their own timestamps are not.",
                "Raise offcpu.threshold so that fewer intervals need a record of their own."));
        checks.add(new Check(runs == 0 ? 0 : KfrRules.score(runNanos, vp.getPreferenceValue(BPF_RUN_WARNING)
                .clampedLongValueIn(UnitLookup.NANOSECOND)),
                runs == 0 ? "BPF cost: not measured (the kernel's BPF statistics need CAP_SYS_ADMIN)."
                        : "BPF cost: " + Math.round(runNanos) + " ns per run over " + runs + " runs, "
                                + Text.duration(bpfNanos) + " in total.",
                "The BPF programs are expensive per run: Java stack walks cost most; offcpu.java=off or cpu.java=off "
                        + "turn them off, a larger cpu.interval samples less often."));
        checks.add(new Check(KfrRules.score(cost, KfrRules.fraction(vp, COST_WARNING)),
                "Overhead: " + Text.percent(cost) + " of one CPU while collecting (BPF programs and collector "
                        + "threads); in total BPF " + Text.duration(bpfNanos) + " and collector threads "
                        + Text.duration(collectorNanos) + " (start-up included) over " + Text.duration(spanNanos) + ".",
                "kfr costs a notable share of a CPU: raise offcpu.threshold and cpu.interval, or turn Java frames "
                        + "off (offcpu.java=off, cpu.java=off)."));
        checks.add(new Check(KfrRules.score(unknownShare, KfrRules.fraction(vp, UNKNOWN_WARNING)),
                "Unnamed frames: " + frames[0] + " of " + frames[1] + " frames in kfr's stacks ("
                        + Text.percent(unknownShare) + ").",
                "Many frames could not be named: native code without symbols (stripped libraries), or Java methods "
                        + "that changed while the stack was read; kfr shows [unknown] rather than guess."));
        checks.add(new Check(Math.max(KfrRules.score(brokenShare, KfrRules.fraction(vp, JAVA_BROKEN_WARNING)),
                javaStacksLost > 0 ? KfrRules.INFO_SCORE : 0),
                "Java stack walks: " + javaWalks + ", stopped early " + javaBroken + " (" + Text.percent(brokenShare)
                        + ")" + (javaStacksLost > 0 ? ", Java stacks lost " + javaStacksLost : "") + ".",
                "Java stack walks stopped at frames they could not follow: their events end in a "
                        + "[java: walk stopped] frame. Please report it with the JDK version."));

        Check worst = checks.stream().max((a, b) -> Double.compare(a.score, b.score)).get();
        StringBuilder explanation = new StringBuilder();
        for (Check c : checks) {
            if (c != worst || worst.score < KfrRules.INFO_SCORE) { // the summary says the worst once
                explanation.append(c.line).append('\n');
            }
        }
        String summary = worst.score >= KfrRules.INFO_SCORE ? worst.line
                : "kfr's collectors recorded everything they saw at a low cost: " + lost + " records lost, "
                        + (runs == 0 ? "BPF cost not measured" : Math.round(runNanos) + " ns per BPF run") + ", "
                        + Text.percent(cost) + " of one CPU, " + Text.percent(unknownShare) + " unnamed frames.";
        ResultBuilder b = scored(vp, worst.score).setSummary(summary)
                .setExplanation(explanation.toString().strip())
                .addResult(LOST, KfrRules.percentQuantity(lostShare))
                .addResult(RING_FULL, KfrRules.percentQuantity(ringFullShare))
                .addResult(BPF_RUN, UnitLookup.NANOSECOND.quantity(Math.round(runNanos)))
                .addResult(COST, KfrRules.percentQuantity(cost))
                .addResult(UNKNOWN_FRAMES, KfrRules.percentQuantity(unknownShare))
                .addResult(JAVA_BROKEN, KfrRules.percentQuantity(brokenShare));
        if (worst.score >= KfrRules.INFO_SCORE) {
            b.setSolution(worst.solution);
        }
        return b.build();
    }

    private static String perCollector(Map<String, CollectorCounters> collectors) {
        if (collectors.size() < 2) {
            return "";
        }
        StringBuilder b = new StringBuilder(": ");
        collectors.values().forEach(c -> b.append(b.length() > 2 ? ", " : "").append(Text.safe(c.collector))
                .append(' ').append(c.lost()).append(" of ").append(c.handled()));
        return b.toString();
    }

    /** Unnamed frames and all frames in the stacks of kfr's events. */
    private static long[] countFrames(IItemCollection items) {
        long[] counts = new long[2];
        for (String type : List.of(KfrEvents.OFF_CPU, KfrEvents.CPU_SAMPLE)) {
            KfrEvents.forEach(items, type, e -> {
                for (IMCFrame f : Frames.of(e.stack())) {
                    counts[1]++;
                    if (Frames.isUnknown(f)) {
                        counts[0]++;
                    }
                }
            });
        }
        return counts;
    }

    private static long eventSpan(IItemCollection items) {
        long[] bounds = {Long.MAX_VALUE, Long.MIN_VALUE};
        for (String type : List.of(KfrEvents.OFF_CPU, KfrEvents.CPU_SAMPLE)) {
            KfrEvents.forEach(items, type, e -> {
                bounds[0] = Math.min(bounds[0], e.startNanos());
                bounds[1] = Math.max(bounds[1], e.startNanos() + e.durationNanos());
            });
        }
        return bounds[0] == Long.MAX_VALUE ? 0 : bounds[1] - bounds[0];
    }
}
