package io.kfr.jmc.report;

import org.junit.jupiter.api.Test;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.ItemCollectionToolkit;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.common.util.TypedPreference;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IResultValueProvider;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit.EventAvailability;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rules that hang, fail or answer, run the way the report runs them (JMC's evaluateParallel). */
class RuleEvaluationTest {
    private static final TypedResult<String> THREAD = new TypedResult<>("thread", "Thread", "A thread",
            UnitLookup.PLAIN_TEXT, String.class);

    /** A rule whose evaluation is the given body. */
    private record TestRule(String id, String topic, Body body) implements IRule {
        interface Body {
            IResult evaluate(IRule rule) throws Exception;
        }

        public String getId() {
            return id;
        }

        public String getTopic() {
            return topic;
        }

        public String getName() {
            return "rule " + id;
        }

        public Map<String, EventAvailability> getRequiredEvents() {
            return Map.of();
        }

        public RunnableFuture<IResult> createEvaluation(IItemCollection items, IPreferenceValueProvider preferences,
                                                        IResultValueProvider dependencyResults) {
            IRule self = this;
            Callable<IResult> c = () -> body.evaluate(self);
            return new FutureTask<>(c);
        }

        public Collection<TypedPreference<?>> getConfigurationAttributes() {
            return List.of();
        }

        public Collection<TypedResult<?>> getResults() {
            return List.of(THREAD, TypedResult.SCORE);
        }
    }

    @Test
    void aHangingRuleTimesOutAndAFailingRuleIsAnErrorWhileOthersAnswer() {
        IRule hangs = new TestRule("Hangs", "test", r -> {
            Thread.sleep(60_000);
            return null;
        });
        IRule fails = new TestRule("Fails", "test", r -> {
            throw new IllegalStateException("broken\nsecond line");
        });
        IRule answers = new TestRule("KfrAnswers", "kfr", r -> ResultBuilder.createFor(r, IPreferenceValueProvider.DEFAULT_VALUES)
                .setSeverity(Severity.WARNING)
                .setSummary("<p>Thread {thread} waited in <b>bold</b>.</p>")
                .addResult(THREAD, "<init> & 'x'")
                .addResult(TypedResult.SCORE, UnitLookup.NUMBER_UNITY.quantity(80))
                .build());
        long t0 = System.nanoTime();
        List<Finding> findings = RuleEvaluation.run(List.of(hangs, fails, answers), ItemCollectionToolkit.EMPTY,
                Duration.ofSeconds(1));
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(tookMillis < 10_000, "took " + tookMillis + " ms");
        assertEquals(3, findings.size());

        Finding hung = find(findings, "Hangs");
        assertNull(hung.severity());
        assertTrue(hung.error().startsWith("did not finish within 1.0 s"), hung.error());
        Finding failed = find(findings, "Fails");
        assertEquals("failed: java.lang.IllegalStateException: broken", failed.error());

        Finding ok = find(findings, "KfrAnswers");
        assertTrue(ok.isKfr());
        assertEquals(Severity.WARNING, ok.severity());
        assertEquals(80.0, ok.score());
        // the template's markup is gone, the value from the recording is kept as it is
        assertEquals("Thread <init> & 'x' waited in bold.", ok.summary());
        // rules that could not answer first, then by score
        assertEquals(List.of("Fails", "Hangs", "KfrAnswers"), findings.stream().map(Finding::ruleId).toList());
    }

    private static Finding find(List<Finding> findings, String id) {
        return findings.stream().filter(f -> f.ruleId().equals(id)).findFirst().orElseThrow();
    }
}
