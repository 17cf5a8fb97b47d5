package io.kfr.jmc.rules;

import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;

/** What kfr's rules share: their topic, the not-applicable result, the score. */
final class KfrRules {
    /** The topic (JMC groups rules by it) of every kfr rule. */
    static final String TOPIC = "kfr";
    static final String HOW_TO_RECORD = "Record with kfr's agent, e.g. "
            + "java -javaagent:kfr-agent.jar=offcpu,cpu,file=app.jfr ...";

    private KfrRules() {
    }

    static IResult notApplicable(IRule rule, IPreferenceValueProvider vp, String summary) {
        return ResultBuilder.createFor(rule, vp).setSeverity(Severity.NA).setSummary(summary)
                .setExplanation(HOW_TO_RECORD).build();
    }

    /**
     * A score on JMC's scale (INFO from 25, WARNING from 75): value at the warning limit scores 75,
     * a third of it 25, capped at 100.
     */
    static double score(double value, double warningLimit) {
        if (warningLimit <= 0) {
            return 0;
        }
        return Math.min(100, 75 * value / warningLimit);
    }

    static ResultBuilder scored(IRule rule, IPreferenceValueProvider vp, double score) {
        return ResultBuilder.createFor(rule, vp).setSeverity(Severity.get(score))
                .addResult(TypedResult.SCORE, UnitLookup.NUMBER_UNITY.quantity(score));
    }

    static IQuantity percentQuantity(double share) {
        return UnitLookup.PERCENT_UNITY.quantity(share);
    }

    /** A share preference (a percentage quantity) as a fraction. */
    static double fraction(IQuantity q) {
        return q.doubleValueIn(UnitLookup.PERCENT_UNITY);
    }
}
