package io.kfr.it.offcpu;

import io.kfr.it.offcpu.OffCpuStacks.Event;
import io.kfr.it.offcpu.OffCpuStacks.Frame;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.WorkloadClasses;
import io.kfr.it.support.workload.JavaStackTruth;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java frames of kfr.OffCpu against ground truth: every blocking call of the JavaStackTruth workload
 * recorded its own Thread.getStackTrace() on the line of the call. The longest kfr.OffCpu event of
 * that thread inside the call's window must end with exactly those frames (class and method, in
 * order; the line too where kfr says "Interpreted"); frames above them (Thread.sleep, Unsafe.park,
 * ...) may be anything. Cold: -Xint, every frame interpreted. Warm: the chain C2-compiled with
 * inlining. JDK 11, 17, 21 and 25.
 */
class JavaStackGroundTruthTest {
    /** The window is taken on-CPU around the call; this covers the clock conversion. */
    private static final long SLACK_NANOS = 1_000_000;
    private static final Map<String, Double> TARGET = Map.of("sleep", 0.99, "park", 0.99, "monitor", 0.90,
            "wait", 0.90, "socket", 0.90, "fsync", 0.90);
    private static final int EXAMPLES = 3;

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#javaFrames")
    void interpretedCallers(Jdk jdk) throws Exception {
        check(jdk, "cold");
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#javaFrames")
    void compiledAndInlinedCallers(Jdk jdk) throws Exception {
        check(jdk, "warm");
    }

    /** One blocking call as the workload printed it; frames innermost first. */
    record Call(String scenario, long tid, long startEpochNanos, long endEpochNanos, List<Expected> frames) {
        static List<Call> parse(String stdout) {
            return stdout.lines().filter(l -> l.startsWith("KFR-JSTACK ")).map(l -> {
                String[] p = l.split(" ", 6);
                List<Expected> frames = new ArrayList<>();
                for (String f : p[5].split(";")) {
                    String[] q = f.split("\\|");
                    frames.add(new Expected(q[0], q[1], Integer.parseInt(q[2])));
                }
                return new Call(p[1], Long.parseLong(p[2]), Long.parseLong(p[3]), Long.parseLong(p[4]), frames);
            }).toList();
        }
    }

    record Expected(String className, String method, int line) {
        @Override
        public String toString() {
            return className + "." + method + ":" + line;
        }
    }

    /** UNKNOWN_FRAME: kfr could not name a ground-truth frame; MISMATCH: it named it wrongly (or lost it). */
    enum Outcome { MATCH, NO_EVENT, NO_JAVA_FRAMES, UNKNOWN_FRAME, MISMATCH }

    /**
     * How the event's frames compare with the call's: at = index of the first differing recorded
     * frame (-1 if none); matchedTypes = the types kfr gave the ground-truth frames.
     */
    record Comparison(Outcome outcome, String reason, int at, List<String> matchedTypes, int compiledLineDiffs) {
    }

    /** The verdict on one call: the event it was compared with (null if none) and how. */
    record Verdict(Call call, Event event, int eventsInWindow, Comparison cmp) {
        Outcome outcome() {
            return cmp.outcome();
        }
    }

    private static void check(Jdk jdk, String variant) throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-jstacks-" + jdk.name().toLowerCase() + "-" + variant);
        Path file = dir.resolve("jstacks.jfr");
        JvmRun run = JvmRun.on(jdk).agent("file=" + file + ",offcpu.threshold=1us")
                .classpath(WorkloadClasses.copyTo(dir, JavaStackTruth.class));
        if (variant.equals("cold")) {
            run.jvmArg("-Xint");
        }
        JvmRun.Result r = run.main(JavaStackTruth.class, variant).run(180);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("KFR-JSTACK-DONE"), r.describe());
        List<Call> calls = Call.parse(r.stdout());
        Map<Long, List<Event>> byTid = OffCpuStacks.individualByTid(OffCpuStacks.read(file));

        StringBuilder failures = new StringBuilder();
        Map<String, Integer> typesOverall = new TreeMap<>();
        for (String scenario : JavaStackTruth.SCENARIOS) {
            List<Verdict> verdicts = calls.stream().filter(c -> c.scenario().equals(scenario))
                    .map(c -> judge(c, byTid.getOrDefault(c.tid(), List.of()))).toList();
            String label = jdk + " " + variant + " " + scenario;
            String summary = summarize(label, verdicts, typesOverall);
            System.out.println(summary);
            long matched = verdicts.stream().filter(v -> v.outcome() == Outcome.MATCH).count();
            if (verdicts.isEmpty() || matched < TARGET.get(scenario) * verdicts.size()) {
                failures.append(String.format("%s: %d of %d calls matched, target %.0f%%%n", label, matched,
                        verdicts.size(), TARGET.get(scenario) * 100)).append(examples(verdicts));
            }
        }
        // without these the variant would not test what it claims
        if (variant.equals("warm")) {
            if (typesOverall.getOrDefault("JIT compiled", 0) == 0 || typesOverall.getOrDefault("Inlined", 0) == 0) {
                failures.append("warm: the matched workload frames have no JIT compiled or no Inlined frames: "
                        + typesOverall + "\n");
            }
        } else if (typesOverall.getOrDefault("Interpreted", 0) == 0 || typesOverall.size() > 1) {
            failures.append("cold (-Xint): the matched workload frames must all be Interpreted: " + typesOverall + "\n");
        }
        assertTrue(failures.isEmpty(), jdk + " " + variant + ": Java frames differ from the ground truth\n"
                + failures + "recording: " + file);
    }

    private static Verdict judge(Call call, List<Event> events) {
        // inside the window give or take the slack, and overlapping it: a short call (fsync) has the
        // neighbouring calls' intervals within the slack
        List<Event> inWindow = events.stream().filter(e -> e.startEpochNanos() >= call.startEpochNanos() - SLACK_NANOS
                && e.endEpochNanos() <= call.endEpochNanos() + SLACK_NANOS
                && e.startEpochNanos() < call.endEpochNanos() && e.endEpochNanos() > call.startEpochNanos()).toList();
        if (inWindow.isEmpty()) {
            return new Verdict(call, null, 0, new Comparison(Outcome.NO_EVENT,
                    "no kfr.OffCpu event of tid " + call.tid() + " inside the window", -1, List.of(), 0));
        }
        // the blocking interval: the longest that is not a preemption (R), else the longest
        Event event = inWindow.stream().max(Comparator.comparing((Event e) -> !"R".equals(e.state()))
                .thenComparingLong(Event::durationNanos)).get();
        return new Verdict(call, event, inWindow.size(), compare(call.frames(), event));
    }

    /** The event's stack must end with the expected frames, compared from the outermost one up. */
    private static Comparison compare(List<Expected> expected, Event event) {
        if (event.javaFrames().isEmpty()) {
            return new Comparison(Outcome.NO_JAVA_FRAMES, "the event has no Java frames", -1, List.of(), 0);
        }
        List<Frame> frames = event.frames();
        List<String> types = new ArrayList<>();
        int lineDiffs = 0;
        int j = frames.size() - 1;
        for (int k = expected.size() - 1; k >= 0; k--, j--) {
            Expected want = expected.get(k);
            while (j >= 0 && isSkippable(frames.get(j), want)) {
                j--;
            }
            String where = "ground-truth frame " + k + " " + want;
            if (j < 0 || !frames.get(j).java()) {
                return new Comparison(Outcome.MISMATCH, "the event's Java frames end before " + where, j, types, lineDiffs);
            }
            Frame got = frames.get(j);
            if (!got.className().equals(want.className()) || !got.method().equals(want.method())) {
                return new Comparison(got.unknown() ? Outcome.UNKNOWN_FRAME : Outcome.MISMATCH, where
                        + " is recorded as " + got.className() + "." + got.method() + " (" + got.type() + ")", j, types,
                        lineDiffs);
            }
            if (got.line() != want.line()) {
                if (got.type().equals("Interpreted")) {
                    return new Comparison(Outcome.MISMATCH, where + " is recorded interpreted at line " + got.line(), j,
                            types, lineDiffs);
                }
                lineDiffs++; // compiled: reported, not required
            }
            types.add(got.type());
        }
        return new Comparison(Outcome.MATCH, "", -1, types, lineDiffs);
    }

    /** Frames getStackTrace() does not show: hidden ones (JDK 25) and stubs between Java frames. */
    private static boolean isSkippable(Frame f, Expected want) {
        return f.stub() || f.hiddenLike() && !f.className().equals(want.className());
    }

    private static String summarize(String label, List<Verdict> verdicts, Map<String, Integer> typesOverall) {
        Map<Outcome, Integer> outcomes = new TreeMap<>();
        Map<String, Integer> types = new TreeMap<>();
        long javaFrames = 0;
        Map<String, Integer> unknown = new TreeMap<>();
        long lineDiffs = 0;
        for (Verdict v : verdicts) {
            outcomes.merge(v.outcome(), 1, Integer::sum);
            if (v.outcome() == Outcome.MATCH) {
                v.cmp().matchedTypes().forEach(t -> types.merge(t, 1, Integer::sum));
                lineDiffs += v.cmp().compiledLineDiffs();
            }
            if (v.event() != null) {
                List<Frame> java = v.event().javaFrames().stream().filter(f -> !f.stub()).toList();
                javaFrames += java.size();
                java.stream().filter(Frame::unknown).forEach(f -> unknown.merge(f.className(), 1, Integer::sum));
            }
        }
        types.forEach((t, n) -> typesOverall.merge(t, n, Integer::sum));
        int matched = outcomes.getOrDefault(Outcome.MATCH, 0);
        return String.format("java stacks %s: matched %d/%d (%.1f%%), outcomes %s, unknown frames %d of %d Java frames"
                        + " %s, matched frame types %s, compiled frames with another line %d", label, matched,
                verdicts.size(), 100.0 * matched / Math.max(1, verdicts.size()), outcomes,
                unknown.values().stream().mapToInt(Integer::intValue).sum(), javaFrames, unknown, types, lineDiffs);
    }

    /** How often each reason occurred, and a few failing calls, different reasons first. */
    private static String examples(List<Verdict> verdicts) {
        Map<String, Integer> reasons = new TreeMap<>();
        List<Verdict> picked = new ArrayList<>();
        for (Verdict v : verdicts) {
            if (v.outcome() != Outcome.MATCH && reasons.merge(v.cmp().reason(), 1, Integer::sum) == 1
                    && picked.size() < EXAMPLES) {
                picked.add(v);
            }
        }
        for (Verdict v : verdicts) {
            if (v.outcome() != Outcome.MATCH && picked.size() < EXAMPLES && !picked.contains(v)) {
                picked.add(v);
            }
        }
        StringBuilder b = new StringBuilder("  reasons (calls): ");
        reasons.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(8)
                .forEach(e -> b.append("\n    ").append(e.getValue()).append(" x ").append(e.getKey()));
        b.append('\n');
        picked.forEach(v -> b.append(example(v)));
        return b.toString();
    }

    /** One failing call: why, the expected frames and the whole recorded stack with types. */
    private static String example(Verdict v) {
        Call c = v.call();
        StringBuilder b = new StringBuilder();
        b.append(String.format("  %s call on tid %d, window %d..%d (%.3f ms): %s: %s%n", c.scenario(), c.tid(),
                c.startEpochNanos(), c.endEpochNanos(), (c.endEpochNanos() - c.startEpochNanos()) / 1e6, v.outcome(),
                v.cmp().reason()));
        if (v.event() != null) {
            Event e = v.event();
            b.append(String.format("    longest of %d events in the window: starts %+.3f ms into it, %.3f ms, state %s%n",
                    v.eventsInWindow(), (e.startEpochNanos() - c.startEpochNanos()) / 1e6, e.durationNanos() / 1e6,
                    e.state()));
        }
        b.append("    expected, innermost first (ends the recorded stack):\n")
                .append(OffCpuStacks.describe(c.frames(), "      "));
        if (v.event() != null) {
            b.append("    recorded, top first").append(v.cmp().at() >= 0 ? ", differs at [" + v.cmp().at() + "]" : "")
                    .append(":\n").append(OffCpuStacks.describe(v.event().frames(), "      "));
        }
        return b.toString();
    }
}
