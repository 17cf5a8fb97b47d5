package io.kfr.jmc.rules;

import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.common.util.TypedPreference;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;

import java.util.Map;

/** What kfr's rules share besides {@link KfrRule}: the score scale, share preferences and results. */
final class KfrRules {
    /** The score from which a finding is worth telling (JMC's INFO): a solution is given from here. */
    static final double INFO_SCORE = Severity.INFO.getLimit();

    private KfrRules() {
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

    /** A limit given as a percentage (shown as "20 %" in JMC's rule settings). */
    static TypedPreference<IQuantity> percent(String id, String name, String description, int percent) {
        return new TypedPreference<>(id, name, description, UnitLookup.PERCENTAGE,
                UnitLookup.PERCENT.quantity(percent));
    }

    /** A result that is a share (0..1 shown as a percentage). */
    static TypedResult<IQuantity> share(String id, String name, String description) {
        return new TypedResult<>(id, name, description, UnitLookup.PERCENTAGE, IQuantity.class);
    }

    /** The key with the most time in a tally (time per function, method or thread), or null if empty. */
    static String top(Map<String, Long> tally) {
        return tally.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    /** A share (0..1) as the quantity of a {@link #share} result. */
    static IQuantity percentQuantity(double share) {
        return UnitLookup.PERCENT_UNITY.quantity(share);
    }

    /** A percentage preference's value as a fraction (20 % is 0.2). */
    static double fraction(IPreferenceValueProvider vp, TypedPreference<IQuantity> preference) {
        return vp.getPreferenceValue(preference).doubleValueIn(UnitLookup.PERCENT_UNITY);
    }
}
