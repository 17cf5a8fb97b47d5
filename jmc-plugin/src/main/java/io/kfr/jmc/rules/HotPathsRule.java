package io.kfr.jmc.rules;

import io.kfr.jmc.events.KfrEvents;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.TypedCollectionResult;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;

import java.util.ArrayList;
import java.util.List;

/**
 * The hottest paths of each Intel PT snapshot (kfr.HotPath, the pt collector): per snapshot and
 * thread, the call paths that ran most instructions, exactly as the hardware traced them, JIT code
 * included. Information, not a problem: scored INFO when the path that ran most instructions of all
 * holds most of its thread's trace (code worth a look), OK otherwise.
 */
public final class HotPathsRule extends KfrRule {
    public static final String ID = "KfrHotPaths";
    /** Paths listed per thread's trace. */
    static final int PATHS_LISTED = 3;
    /** A path with at least this share of its trace's instructions makes the finding INFO. */
    static final double DOMINANT_SHARE = 0.5;

    public static final TypedResult<String> TOP_PATH = new TypedResult<>("kfrHotPath", "Hottest Path",
            "The path that ran most instructions in one thread's trace", UnitLookup.PLAIN_TEXT, String.class);
    public static final TypedCollectionResult<String> PATHS = new TypedCollectionResult<>("kfrHotPaths", "Hot Paths",
            "Per snapshot and thread, the hottest paths, one line each", UnitLookup.PLAIN_TEXT, String.class);

    public HotPathsRule() {
        super(ID, "Intel PT hot paths (kfr)", KfrEvents.HOT_PATH, List.of(), List.of(TOP_PATH, PATHS));
    }

    @Override
    IResult evaluate(IItemCollection items, IPreferenceValueProvider vp) {
        List<HotPathSnapshots.Trace> traces = HotPathSnapshots.of(items);
        List<String> lines = new ArrayList<>();
        HotPathSnapshots.Trace topTrace = null;
        double topShare = -1;
        for (HotPathSnapshots.Trace t : traces) {
            lines.add("snapshot " + t.snapshot + " (" + t.reason + "), " + t.thread + ": " + t.instructions + " instructions");
            for (HotPathSnapshots.Path p : t.paths.subList(0, Math.min(PATHS_LISTED, t.paths.size()))) {
                lines.add("  " + line(p, t));
            }
            if (topTrace == null || t.paths.get(0).instructions > topTrace.paths.get(0).instructions) {
                topTrace = t; // the path that ran most instructions of all
            }
        }
        topShare = topTrace.instructions == 0 ? 0 : (double) topTrace.paths.get(0).instructions / topTrace.instructions;
        long snapshots = traces.stream().mapToLong(t -> t.snapshot).distinct().count();
        HotPathSnapshots.Path top = topTrace.paths.get(0);
        double score = topShare >= DOMINANT_SHARE ? KfrRules.INFO_SCORE : 0;
        return scored(vp, score)
                .setSummary(snapshots + (snapshots == 1 ? " Intel PT snapshot" : " Intel PT snapshots") + " of "
                        + traces.size() + (traces.size() == 1 ? " thread's trace" : " threads' traces") + "; the hottest path, "
                        + top.text + ", ran " + Text.percent(topShare) + " of the instructions of " + topTrace.thread
                        + "'s trace in snapshot " + topTrace.snapshot + ".")
                .setExplanation(String.join("\n", lines))
                .setSolution(score > 0 ? "Look at " + top.text + ": the hardware trace shows the thread spent most of its "
                        + "recent instructions there (kfr.PtSpan events show the calls around it on the thread's lane)." : null)
                .addResult(TOP_PATH, top.text)
                .addResult(PATHS, lines)
                .build();
    }

    /** "Hot.mix:17 (inlined) <- Hot.loop:12: 61% of the trace, 120000 instructions, 9000 branches". */
    static String line(HotPathSnapshots.Path p, HotPathSnapshots.Trace t) {
        return p.text + ": " + Text.percent(t.instructions == 0 ? 0 : (double) p.instructions / t.instructions)
                + " of the trace, " + p.instructions + " instructions, " + p.branches + " branches";
    }
}
