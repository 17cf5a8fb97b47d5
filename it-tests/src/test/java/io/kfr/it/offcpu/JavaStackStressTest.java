package io.kfr.it.offcpu;

import io.kfr.it.offcpu.OffCpuStacks.Event;
import io.kfr.it.offcpu.OffCpuStacks.Frame;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.WorkloadClasses;
import io.kfr.it.support.workload.UnwinderStress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java-frame walker under class unloading, deoptimization of blocked frames, code cache churn,
 * thread churn and (JDK 25) virtual threads: the JVM must survive (exit 0, no hs_err), the file must
 * read, and few Java frames may be "[unknown]". A frame naming a workload class must name a method
 * that class has (kfr may fail to name a frame, never misname it).
 */
class JavaStackStressTest {
    /** Share of "[unknown]" among all Java frames, apart from the ones below; set from the first runs. */
    private static final double UNKNOWN_BUDGET = 0.05;
    /**
     * JDK 11 and 17 run with -XX:+StressCodeAging: the sweeper flushes nmethods within moments of
     * their last use, and kfr names a compiled frame after the walk, when the collector reads the
     * record; a frame whose nmethod was flushed by then is "[java: stale nmethod]" (its memory may
     * already hold other code: never named from it). Measured: 17 at 5.1-6.6% on an idle 2-CPU
     * machine (3 runs), 7.1% in CI; 11 at 3.9-6.0%; 21 and 25 (no sweeper) 1.1-2.1%.
     */
    private static final double UNKNOWN_BUDGET_CODE_AGING = 0.10;
    /**
     * Frames of classes that can be unloaded, used in a poll period in which the JVM unloaded
     * classes, are reported unknown on purpose (their metadata may already belong to another class).
     * This workload unloads classes every few milliseconds, so they are budgeted apart.
     */
    private static final String UNLOADED_MEANWHILE = "java: classes unloaded meanwhile";
    private static final double UNLOADED_MEANWHILE_BUDGET = 0.10;
    /**
     * JDK 11: a lambda proxy is a VM-anonymous class with a loader of its own, and this workload's
     * threads run through lambdas: their proxy frames keep their names once anchored (their class
     * found alive, docs/jdks.md), which takes the first 2 s of the run: 6-10.5% of all frames at
     * load 8-14 (17: 2-4%), 15-22% before anchors.
     */
    private static final double UNLOADED_MEANWHILE_BUDGET_JDK11 = 0.15;
    private static final String WORKLOAD_PACKAGE = "io.kfr.it.support.workload.";
    /** Threads of the JVM that never run Java code. */
    private static final Pattern JVM_THREADS =
            Pattern.compile("GC Thread#|G1 |VM Thread|VM Periodic Task Thread|C[12] CompilerThread");

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#javaFrames")
    void survivesClassUnloadingDeoptimizationAndChurn(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-stress-" + jdk.name().toLowerCase());
        Path file = dir.resolve("stress.jfr");
        Path classes = WorkloadClasses.copyTo(dir, UnwinderStress.class);
        JvmRun run = JvmRun.on(jdk).agent("file=" + file + ",offcpu.threshold=1us").classpath(classes)
                // a small code cache reuses nmethod addresses soon after their classes unload
                .jvmArg("-XX:ReservedCodeCacheSize=8m")
                // small generations of Java stacks: the kernel forgets its announced stacks several
                // times during the run (JavaStackTruth), and stacks must stay named across it
                .jvmArg("-Dkfr.javaStacks.generation=500")
                .jvmArg("-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"))
                .jvmArg("-XX:+UnlockDiagnosticVMOptions");
        // 17-25: nmethod entry barriers (all GCs) deoptimize at random; 11 has no such barriers
        if (jdk != Jdk.JDK11) {
            run.jvmArg("-XX:+DeoptimizeNMethodBarriersALot");
        }
        // 11 and 17: nmethods age and are flushed sooner; 25 (no sweeper): C2 takes its unstable-if
        // traps at random; 21 has neither flag (no sweeper, the trap stress came later): the barriers only
        if (jdk == Jdk.JDK11 || jdk == Jdk.JDK17) {
            run.jvmArg("-XX:+StressCodeAging");
        } else if (jdk == Jdk.JDK25) {
            run.jvmArg("-XX:+StressUnstableIfTraps");
        }
        JvmRun.Result r = run.main(UnwinderStress.class, "7").run(240);

        List<Path> crashes;
        try (Stream<Path> files = Files.list(dir)) {
            crashes = files.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList();
        }
        assertTrue(crashes.isEmpty(), "the JVM crashed: " + crashes + "\n"
                + (crashes.isEmpty() ? "" : Files.readString(crashes.get(0)).lines().limit(60)
                .collect(Collectors.joining("\n"))) + "\n" + r.describe());
        assertEquals(0, r.exitCode(), r.describe());
        String done = r.stdout().lines().filter(l -> l.startsWith("STRESS-DONE")).findFirst().orElse(null);
        assertTrue(done != null, r.describe());

        List<Event> events = OffCpuStacks.read(file);
        ClassLoader workload = new URLClassLoader(new URL[] {classes.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        // short threads end before kfr learns their Java names: a thread with Java frames is a Java thread too
        Set<Long> withJava = events.stream().filter(e -> !e.javaFrames().isEmpty()).map(Event::tid)
                .collect(Collectors.toSet());
        Stats all = new Stats();
        Map<String, Stats> groups = new TreeMap<>();
        List<String> wrongNames = new ArrayList<>();
        List<String> nativeWithJava = new ArrayList<>();
        for (Event e : events) {
            boolean javaThread = e.javaThread() || withJava.contains(e.tid());
            all.add(e, javaThread, workload, wrongNames);
            groups.computeIfAbsent(group(e.threadName()), k -> new Stats()).add(e, javaThread, workload, new ArrayList<>());
            if (JVM_THREADS.matcher(e.threadName()).lookingAt() && !e.javaFrames().isEmpty() && nativeWithJava.size() < 3) {
                nativeWithJava.add("  " + e.threadName() + ":\n" + OffCpuStacks.describe(e.frames(), "    "));
            }
        }
        System.out.printf("java stacks stress %s: %s; %s%n", jdk, all, done);
        groups.forEach((g, s) -> System.out.printf("java stacks stress %s   %-28s %s%n", jdk, g, s));

        String context = jdk + " " + all + "\n" + done + "\nrecording: " + file;
        assertTrue(all.javaFrames > 0, "no kfr.OffCpu event with Java frames\n" + context);
        long meanwhile = all.unknownReasons.getOrDefault(UNLOADED_MEANWHILE, 0L);
        double otherUnknown = (all.unknownFrames - meanwhile) / (double) all.javaFrames;
        double unknownBudget = jdk == Jdk.JDK11 || jdk == Jdk.JDK17 ? UNKNOWN_BUDGET_CODE_AGING : UNKNOWN_BUDGET;
        assertTrue(otherUnknown <= unknownBudget, String.format("%.2f%% of the Java frames are [unknown] (besides"
                + " classes unloaded meanwhile), budget %.0f%%%n%s", otherUnknown * 100, unknownBudget * 100, context));
        double meanwhileBudget = jdk == Jdk.JDK11 ? UNLOADED_MEANWHILE_BUDGET_JDK11 : UNLOADED_MEANWHILE_BUDGET;
        assertTrue(meanwhile <= meanwhileBudget * all.javaFrames, String.format("%d Java frames unknown"
                + " because classes were unloaded meanwhile, budget %.0f%%%n%s", meanwhile,
                meanwhileBudget * 100, context));
        assertTrue(nativeWithJava.isEmpty(), "the JVM's own threads never run Java code, yet have Java frames:\n"
                + String.join("\n", nativeWithJava) + context);
        assertTrue(wrongNames.isEmpty(), "frames naming a method their class does not have (" + all.wrongNames
                + "), e.g.\n" + String.join("\n", wrongNames) + "\n" + context);
    }

    /** Counts over a set of events. */
    private static final class Stats {
        long events;
        long javaThreadEvents;
        long javaThreadEventsWithJava;
        long blockedJavaThreadEvents;
        long blockedJavaThreadEventsWithJava;
        long javaFrames;
        long unknownFrames;
        long wrongNames;
        final Map<String, Long> types = new TreeMap<>();
        /** By kfr's reason (the unknown frame's class: "java: stale nmethod", "truncated", ...). */
        final Map<String, Long> unknownReasons = new TreeMap<>();

        void add(Event e, boolean javaThread, ClassLoader workload, List<String> wrongExamples) {
            events++;
            List<Frame> java = e.javaFrames();
            if (javaThread) {
                javaThreadEvents++;
                javaThreadEventsWithJava += java.isEmpty() ? 0 : 1;
                // preempted threads (R) running Java code have no anchor: no Java frames by design, for now
                if (!"R".equals(e.state())) {
                    blockedJavaThreadEvents++;
                    blockedJavaThreadEventsWithJava += java.isEmpty() ? 0 : 1;
                }
            }
            for (Frame f : java) {
                if (f.stub()) {
                    types.merge("stub", 1L, Long::sum);
                    continue;
                }
                javaFrames++;
                types.merge(f.type(), 1L, Long::sum);
                if (f.unknown()) {
                    unknownFrames++;
                    unknownReasons.merge(f.className(), 1L, Long::sum);
                } else if (!plausible(f, workload)) {
                    wrongNames++;
                    if (wrongExamples.size() < 5) {
                        wrongExamples.add("  " + f + " in a stack of " + e.threadName() + ":\n"
                                + OffCpuStacks.describe(e.frames(), "    "));
                    }
                }
            }
        }

        double unknownRate() {
            return unknownFrames / (double) Math.max(1, javaFrames);
        }

        @Override
        public String toString() {
            return String.format("%d events, Java threads' events with Java frames %d/%d (%.1f%%; not R: %d/%d, %.1f%%),"
                            + " Java frames %d, [unknown] %d (%.2f%%) %s, wrong names %d, types %s", events,
                    javaThreadEventsWithJava, javaThreadEvents, pct(javaThreadEventsWithJava, javaThreadEvents),
                    blockedJavaThreadEventsWithJava, blockedJavaThreadEvents,
                    pct(blockedJavaThreadEventsWithJava, blockedJavaThreadEvents), javaFrames, unknownFrames,
                    unknownRate() * 100, unknownReasons, wrongNames, types);
        }

        private static double pct(long a, long b) {
            return 100.0 * a / Math.max(1, b);
        }
    }

    private static final Map<String, Boolean> PLAUSIBLE = new HashMap<>();

    /** The named method must exist in the workload's class (loaded from the child's class path copy). */
    private static boolean plausible(Frame f, ClassLoader workload) {
        if (!f.className().startsWith(WORKLOAD_PACKAGE) || f.className().contains("$$Lambda")) {
            return true; // JDK classes differ between 17 and 25, lambda proxies are generated: not checked
        }
        return PLAUSIBLE.computeIfAbsent(f.className() + "." + f.method(), k -> {
            String name = f.className().replaceAll("[/+]0x[0-9a-fA-F]+$", ""); // hidden copies: X/0x1234
            try {
                Class<?> c = Class.forName(name, false, workload);
                return f.method().equals("<init>") || f.method().equals("<clinit>")
                        || Arrays.stream(c.getDeclaredMethods()).anyMatch(m -> m.getName().equals(f.method()));
            } catch (ClassNotFoundException e) {
                return false;
            }
        });
    }

    /** Thread names without their numbers: stress-deopt-blocked-2 -> stress-deopt-blocked-#. */
    private static String group(String threadName) {
        return threadName.replaceAll("[0-9]+", "#");
    }
}
