package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.jmc.rules.CollectorHealthRule;
import io.kfr.jmc.rules.CpuOutsideJavaRule;
import io.kfr.jmc.rules.OffCpuRule;
import io.kfr.jmc.rules.StartupReadsRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.common.util.TypedPreference;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.ResultToolkit;
import org.openjdk.jmc.flightrecorder.rules.RuleRegistry;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kfr's JMC rules, found through JMC's RuleRegistry and evaluated headless as JMC does, on a real
 * recording of {@link RulesWorkload} (threads with known waits and CPU use), and on a plain JFR
 * recording without kfr events.
 */
class RulesTest {
    private static final List<String> IDS = List.of(OffCpuRule.ID, CpuOutsideJavaRule.ID, CollectorHealthRule.ID,
            StartupReadsRule.ID, io.kfr.jmc.rules.HotPathsRule.ID);
    /** Name every thread with a finding: on a busy 2-CPU machine several threads also wait for a CPU. */
    private static final IPreferenceValueProvider ALL_THREADS = new IPreferenceValueProvider() {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T getPreferenceValue(TypedPreference<T> preference) {
            return preference.equals(OffCpuRule.TOP_THREADS) ? (T) UnitLookup.NUMBER_UNITY.quantity(20)
                    : preference.getDefaultValue();
        }
    };

    private static List<IRule> kfrRules() {
        Collection<IRule> all = RuleRegistry.getRules();
        List<IRule> kfr = all.stream().filter(r -> r.getTopic().equals("kfr")).toList();
        assertEquals(IDS, kfr.stream().map(IRule::getId).sorted((a, b) -> IDS.indexOf(a) - IDS.indexOf(b)).toList(),
                "kfr's rules in JMC's registry");
        assertTrue(all.size() > 3 * kfr.size(), "JMC's JDK rules next to kfr's: " + all.size());
        return kfr;
    }

    /** Evaluates the rules the way JMC's own runners do (event availability checked first). */
    private static Map<String, IResult> evaluate(IItemCollection items, IPreferenceValueProvider preferences)
            throws Exception {
        Map<IRule, Future<IResult>> futures = RulesToolkit.evaluateParallel(kfrRules(), items, preferences, 1);
        Map<String, IResult> results = new HashMap<>();
        for (Map.Entry<IRule, Future<IResult>> e : futures.entrySet()) {
            results.put(e.getKey().getId(), e.getValue().get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    private static String text(IResult r) {
        return r.getRule().getId() + " " + r.getSeverity() + "\n" + ResultToolkit.populateMessage(r, r.getSummary(), false)
                + "\n" + ResultToolkit.populateMessage(r, r.getExplanation(), false) + "\n" + r.getSolution();
    }

    private static double percent(IResult r, org.openjdk.jmc.flightrecorder.rules.TypedResult<IQuantity> key) {
        IQuantity q = r.getResult(key);
        assertNotNull(q, key.getIdentifier() + " in " + text(r));
        return q.doubleValueIn(UnitLookup.PERCENT);
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void findingsNameTheThreadMethodAndState(Jdk jdk) throws Exception {
        Path file = RulesRecording.of(jdk);
        IItemCollection items = JfrLoaderToolkit.loadEvents(file.toFile());
        Map<String, IResult> results = evaluate(items, ALL_THREADS);
        String all = results.values().stream().map(RulesTest::text).collect(Collectors.joining("\n\n"));
        System.out.println(jdk + ":\n" + all);

        IResult offCpu = results.get(OffCpuRule.ID);
        assertEquals(Severity.WARNING, offCpu.getSeverity(), all);
        Map<String, String> findings = offCpu.getResult(OffCpuRule.FINDINGS).stream()
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l));
        String fsync = finding(findings, "rules-fsync");
        assertTrue(fsync.contains("(state D)") && fsync.contains("syscall fsync")
                && fsync.contains("from RulesWorkload.flushToDisk:"), "fsync finding: " + fsync + "\n" + all);
        String waiter = finding(findings, "rules-lock-waiter");
        assertTrue(waiter.contains("monitor contention in synchronized") && waiter.contains("from RulesWorkload.enterLock:"),
                "lock finding: " + waiter + "\n" + all);
        // the allocator blocks in Java code too, but for the GC: never read as monitor contention
        String allocator = finding(findings, "rules-allocator");
        assertFalse(allocator.contains("monitor contention"), "allocator finding: " + allocator + "\n" + all);
        // idle pools and a sleeping poller are normal: never a finding
        assertFalse(findings.keySet().stream().anyMatch(t -> t.startsWith("rules-idle-pool") || t.equals("rules-sleeper")),
                "idle threads named as findings: " + findings.keySet());
        assertTrue(offCpu.getExplanation().contains("idle waits (a pool or selector waiting for work)")
                || offCpu.getExplanation().contains("sleep (Thread.sleep)"), all);
        // no JVM-internal thread (GC, compiler) and none of kfr's own threads is an off-CPU finding
        assertFalse(findings.keySet().stream().anyMatch(t -> t.startsWith("kfr-") || t.contains("CompilerThre")
                || t.startsWith("GC Thread")), "non-application threads: " + findings.keySet());
        String worst = offCpu.getResult(OffCpuRule.THREAD);
        assertTrue(findings.containsKey(worst), worst + " heads the findings " + findings.keySet());
        assertEquals(findings.get(worst), offCpu.getResult(OffCpuRule.FINDINGS).iterator().next());

        IResult cpu = results.get(CpuOutsideJavaRule.ID);
        assertNotEquals(Severity.NA, cpu.getSeverity(), all);
        double java = percent(cpu, CpuOutsideJavaRule.JAVA_SHARE);
        double outside = percent(cpu, CpuOutsideJavaRule.OUTSIDE_SHARE);
        double parts = percent(cpu, CpuOutsideJavaRule.GC_SHARE) + percent(cpu, CpuOutsideJavaRule.JIT_SHARE)
                + percent(cpu, CpuOutsideJavaRule.KERNEL_SHARE) + percent(cpu, CpuOutsideJavaRule.NATIVE_SHARE)
                + percent(cpu, CpuOutsideJavaRule.JVM_SHARE);
        assertEquals(outside, parts, 0.01, all);
        assertTrue(java > 10 && java + outside <= 100.01, "Java share " + java + "\n" + all);
        // the burner is the busiest Java thread, the C2 compiler thread does the JIT's work
        assertTrue(cpu.getExplanation().contains("Java code") && cpu.getExplanation().contains("RulesWorkload.burn:"),
                all);
        assertTrue(percent(cpu, CpuOutsideJavaRule.JIT_SHARE) > 0 && cpu.getExplanation().contains("CompilerThread"), all);

        IResult health = results.get(CollectorHealthRule.ID);
        assertNotEquals(Severity.NA, health.getSeverity(), all);
        assertEquals(0, percent(health, CollectorHealthRule.LOST), 1e-9, all);
        IQuantity run1 = health.getResult(CollectorHealthRule.BPF_RUN);
        assertTrue(run1.clampedLongValueIn(UnitLookup.NANOSECOND) > 0, "BPF time per run (root: BPF statistics on)\n" + all);
        assertTrue(percent(health, CollectorHealthRule.UNKNOWN_FRAMES) < 10, all);
    }

    /**
     * The finding of a thread, by its full name: a thread's first records may carry the 15-character
     * name from /proc, and kfr's chunk must write the name the JVM gave it.
     */
    private static String finding(Map<String, String> findings, String thread) {
        return findings.getOrDefault(thread, "");
    }

    @Test
    void notApplicableWithoutKfrEvents() throws Exception {
        IItemCollection items = JfrLoaderToolkit.loadEvents(PlainRecording.file().toFile());
        assertTrue(items.hasItems(), "the JVM's own recording has events");
        // through JMC's runner (which checks the required events) and called directly
        for (IResult r : evaluate(items, IPreferenceValueProvider.DEFAULT_VALUES).values()) {
            assertEquals(Severity.NA, r.getSeverity(), text(r));
        }
        for (IRule rule : kfrRules()) {
            RunnableFuture<IResult> f = rule.createEvaluation(items, IPreferenceValueProvider.DEFAULT_VALUES, null);
            f.run();
            IResult r = f.get();
            assertEquals(Severity.NA, r.getSeverity(), text(r));
            assertTrue(r.getSummary().startsWith("The recording has no kfr."), text(r));
        }
    }
}
