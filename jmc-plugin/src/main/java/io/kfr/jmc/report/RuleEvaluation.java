package io.kfr.jmc.report;

import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.RuleRegistry;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs every rule JMC's RuleRegistry finds (JMC's JDK rules and kfr's, through ServiceLoader) on
 * a recording, as JMC's own headless report does (RulesToolkit.evaluateParallel), with one
 * deadline for all: a rule that has not finished by then is reported as timed out instead of
 * holding up the report.
 */
final class RuleEvaluation {
    private RuleEvaluation() {
    }

    /** @return one finding per registered rule, highest rank first */
    static List<Finding> run(IItemCollection items, Duration timeout) {
        return run(RuleRegistry.getRules(), items, timeout);
    }

    static List<Finding> run(Collection<IRule> rules, IItemCollection items, Duration timeout) {
        Map<IRule, Future<IResult>> futures = RulesToolkit.evaluateParallel(rules, items, null, 0);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Finding> findings = new ArrayList<>();
        for (Map.Entry<IRule, Future<IResult>> e : futures.entrySet()) {
            IRule rule = e.getKey();
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                findings.add(finding(rule, e.getValue().get(left, TimeUnit.NANOSECONDS)));
            } catch (TimeoutException ex) {
                e.getValue().cancel(true);
                findings.add(failed(rule, "did not finish within " + timeout.toMillis() / 1000.0 + " s"));
            } catch (ExecutionException ex) {
                Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
                findings.add(failed(rule, "failed: " + cause));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                findings.add(failed(rule, "interrupted"));
            } catch (RuntimeException ex) { // a rule's result that cannot be rendered
                findings.add(failed(rule, "failed: " + ex));
            }
        }
        findings.sort(Comparator.comparingDouble(Finding::rank).reversed().thenComparing(Finding::ruleName));
        return findings;
    }

    private static Finding finding(IRule rule, IResult r) {
        if (r == null) {
            return failed(rule, "gave no result");
        }
        IQuantity score = r.getResult(TypedResult.SCORE);
        return new Finding(rule.getId(), name(rule), rule.getTopic(), r.getSeverity(),
                score == null ? null : score.doubleValueIn(UnitLookup.NUMBER_UNITY),
                ResultText.of(r, r.getSummary()), ResultText.of(r, r.getExplanation()),
                ResultText.of(r, r.getSolution()), null);
    }

    private static Finding failed(IRule rule, String why) {
        String line = why.lines().findFirst().orElse(why);
        return new Finding(rule.getId(), name(rule), rule.getTopic(), null, null, "", "", "", line);
    }

    private static String name(IRule rule) {
        return rule.getName() != null ? rule.getName() : rule.getId();
    }
}
