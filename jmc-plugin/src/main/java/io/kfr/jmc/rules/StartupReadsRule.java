package io.kfr.jmc.rules;

import io.kfr.jmc.events.Frames;
import io.kfr.jmc.events.KfrEvents;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.common.util.TypedPreference;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.TypedCollectionResult;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the JVM read from disk while it started (kfr.PageCacheMiss, the working-set collector's
 * window): the files most read from disk, how long threads waited for them, the Java code behind
 * the reads, and what a prefetch of the recorded working set would save. Files are ranked by the
 * bytes read from disk: the wait is attributed to a miss by a heuristic (a D-state sleep right after
 * it) and also holds sleeps that were not for the disk. Pages a write put into the page cache
 * (new data, not read from disk: a kernel frame of the write path) are left out. Scores by the time
 * threads waited.
 */
public final class StartupReadsRule extends KfrRule {
    public static final String ID = "KfrStartupReads";
    static final int FILES_LISTED = 5;
    static final long PAGE_BYTES = 4096;

    public static final TypedPreference<IQuantity> WARNING_WAIT = new TypedPreference<>("kfr.workingset.warning.wait",
            "Warning wait", "Time the JVM's threads waited for disk reads in the window that gives a warning",
            UnitLookup.TIMESPAN, UnitLookup.MILLISECOND.quantity(500));

    public static final TypedResult<String> TOP_FILE = new TypedResult<>("kfrStartupTopFile", "File",
            "The file most read from disk", UnitLookup.PLAIN_TEXT,
            String.class);
    public static final TypedResult<IQuantity> WAIT = new TypedResult<>("kfrStartupWait", "Wait",
            "Time the JVM's threads waited for disk reads", UnitLookup.TIMESPAN, IQuantity.class);
    public static final TypedCollectionResult<String> FILES = new TypedCollectionResult<>("kfrStartupFiles", "Files",
            "The top files, one line each, the first first", UnitLookup.PLAIN_TEXT, String.class);

    public StartupReadsRule() {
        super(ID, "Start-up disk reads (kfr)", KfrEvents.PAGE_CACHE_MISS, List.of(WARNING_WAIT),
                List.of(TOP_FILE, WAIT, FILES));
    }

    /** One file's misses. */
    static final class FileTally {
        final String file;
        long misses;
        long pages;
        long waitNanos;
        /** Bytes read per Java frame behind them (the application's, else the innermost Java frame). */
        final Map<String, Long> code = new HashMap<>();

        FileTally(String file) {
            this.file = file;
        }

        /** Bytes from disk first, then the wait, then misses. */
        static final Comparator<FileTally> ORDER = Comparator.comparingLong((FileTally t) -> t.pages)
                .thenComparingLong(t -> t.waitNanos).thenComparingLong(t -> t.misses).reversed()
                .thenComparing(t -> t.file);
    }

    @Override
    IResult evaluate(IItemCollection items, IPreferenceValueProvider vp) {
        Map<String, FileTally> byFile = new HashMap<>();
        KfrEvents.forEach(items, KfrEvents.PAGE_CACHE_MISS, e -> {
            if (written(e.stack())) {
                return;
            }
            String file = Text.safe(e.text(KfrEvents.FILE));
            FileTally t = byFile.computeIfAbsent(file, FileTally::new);
            long pages = Math.max(1, e.number("pages"));
            t.misses++;
            t.pages += pages;
            t.waitNanos += e.durationNanos();
            IMCFrame f = Stacks.applicationFrame(e.stack());
            if (f == null) {
                f = Stacks.innermostJava(e.stack());
            }
            if (f != null) {
                t.code.merge(Frames.owner(f) + "." + Frames.name(f), pages * PAGE_BYTES, Long::sum);
            }
        });
        List<FileTally> files = new ArrayList<>(byFile.values());
        if (files.isEmpty()) {
            return notApplicable(vp, "The JVM read nothing from disk in the window: its kfr.PageCacheMiss events are all "
                    + "pages its writes added.");
        }
        files.sort(FileTally.ORDER);
        long wait = files.stream().mapToLong(t -> t.waitNanos).sum();
        long bytes = files.stream().mapToLong(t -> t.pages).sum() * PAGE_BYTES;
        long misses = files.stream().mapToLong(t -> t.misses).sum();
        List<String> lines = new ArrayList<>();
        for (FileTally t : files.subList(0, Math.min(FILES_LISTED, files.size()))) {
            lines.add(line(t));
        }
        double score = KfrRules.score(wait, vp.getPreferenceValue(WARNING_WAIT).clampedLongValueIn(UnitLookup.NANOSECOND));
        FileTally top = files.get(0);
        StringBuilder explanation = new StringBuilder().append(misses).append(" reads from disk (")
                .append(megabytes(bytes)).append(") in ").append(files.size()).append(files.size() == 1 ? " file" : " files")
                .append(", ").append(Text.duration(wait)).append(" of waiting for them.\n");
        lines.forEach(l -> explanation.append(l).append('\n'));
        return scored(vp, score)
                .setSummary("While it started, the JVM read " + megabytes(bytes) + " from disk, most of it from " + top.file
                        + "; its threads waited " + Text.duration(wait) + " for such reads.")
                .setExplanation(explanation.toString().strip())
                .setSolution(solution(wait))
                .addResult(TOP_FILE, top.file)
                .addResult(WAIT, UnitLookup.NANOSECOND.quantity(wait))
                .addResult(FILES, lines)
                .build();
    }

    /** Pages a write added to the page cache: a kernel frame of the write path. */
    static boolean written(IMCStackTrace stack) {
        for (IMCFrame f : Frames.of(stack)) {
            if (Frames.isKernel(f)) {
                String n = Frames.name(f);
                if (n.contains("write_begin") || n.contains("perform_write")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** "file: 12 ms waited, 4.0 MB from disk in 163 reads, from Class.method (90% of it)." */
    static String line(FileTally t) {
        StringBuilder b = new StringBuilder(t.file).append(": ").append(Text.duration(t.waitNanos)).append(" waited, ")
                .append(megabytes(t.pages * PAGE_BYTES)).append(" from disk in ").append(t.misses)
                .append(t.misses == 1 ? " read" : " reads");
        String code = KfrRules.top(t.code);
        if (code != null) {
            b.append(", from ").append(code).append(" (")
                    .append(Text.percent((double) t.code.get(code) / (t.pages * PAGE_BYTES))).append(" of it)");
        }
        return b.append('.').toString();
    }

    private static String solution(long waitNanos) {
        return "Prefetch the working set kfr recorded (the file named by workingset=) before the JVM starts: write the "
                + "native prefetcher once (\"java -jar kfr-agent.jar prefetcher /usr/local/bin\") and start the JVM with "
                + "\"kfr-prefetch <set.ws> --background -- java ...\" (\"java -jar kfr-agent.jar run <set.ws> -- java ...\" "
                + "does the same, but its own JVM starts cold first; \"kfr-prefetch <set.ws>\" alone fits a service's "
                + "ExecStartPre). The set is read sorted by file and offset in large requests, libjvm and the CDS archive "
                + "included; keeping workingset=<set.ws> alone prefetches at premain, too late for what the JVM reads "
                + "before the agent. "
                + "That saves up to " + Text.duration(waitNanos) + " of waiting for these reads on a start with a cold "
                + "page cache.";
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, bytes >= 10L << 20 ? "%.0f MB" : "%.1f MB", bytes / 1048576.0);
    }
}
