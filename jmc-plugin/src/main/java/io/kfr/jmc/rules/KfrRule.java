package io.kfr.jmc.rules;

import io.kfr.events.KfrEventNames;
import io.kfr.jmc.events.KfrEvents;
import org.openjdk.jmc.common.item.IItemCollection;
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
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit.RequiredEventsBuilder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;

/**
 * What every kfr rule is to JMC: an id, a name, topic "kfr", the one kfr event type it reads, its
 * preferences and results (the score first). Its evaluation runs only on a recording with that
 * event type; without, the result is "not applicable" and says how to record with kfr.
 * <p>
 * Public so that reflection on a rule (tools, tests) can call the methods it inherits from here;
 * only this package can extend it (package-private constructor).
 */
public abstract class KfrRule implements IRule {
    /** The topic (JMC groups rules by it) of every kfr rule. */
    public static final String TOPIC = "kfr";
    static final String HOW_TO_RECORD = "Record with kfr's agent, e.g. "
            + "java -javaagent:kfr-agent.jar=offcpu,cpu,file=app.jfr ...";

    private final String id;
    private final String name;
    private final String eventType;
    private final Map<String, EventAvailability> required;
    private final List<TypedPreference<?>> preferences;
    private final List<TypedResult<?>> results;

    KfrRule(String id, String name, String eventType, List<TypedPreference<?>> preferences,
            List<TypedResult<?>> results) {
        this.id = id;
        this.name = name;
        this.eventType = eventType;
        this.required = RequiredEventsBuilder.create().addEventType(eventType, EventAvailability.AVAILABLE).build();
        this.preferences = List.copyOf(preferences);
        List<TypedResult<?>> all = new ArrayList<>();
        all.add(TypedResult.SCORE);
        all.addAll(results);
        this.results = List.copyOf(all);
    }

    /** The rule's result on a recording that holds the rule's event type. */
    abstract IResult evaluate(IItemCollection items, IPreferenceValueProvider vp);

    @Override
    public final String getId() {
        return id;
    }

    @Override
    public final String getTopic() {
        return TOPIC;
    }

    @Override
    public final String getName() {
        return name;
    }

    @Override
    public final Map<String, EventAvailability> getRequiredEvents() {
        return required;
    }

    @Override
    public final Collection<TypedPreference<?>> getConfigurationAttributes() {
        return preferences;
    }

    @Override
    public final Collection<TypedResult<?>> getResults() {
        return results;
    }

    @Override
    public final RunnableFuture<IResult> createEvaluation(IItemCollection items, IPreferenceValueProvider vp,
            IResultValueProvider dependencies) {
        return new FutureTask<>(() -> KfrEvents.has(items, eventType) ? evaluate(items, vp)
                : notApplicable(vp, "The recording has no " + eventType + " events" + (KfrEventNames.collectorOf(eventType) != null
                        ? " (kfr's " + KfrEventNames.collectorOf(eventType) + " collector)." : ".")));
    }

    IResult notApplicable(IPreferenceValueProvider vp, String summary) {
        return ResultBuilder.createFor(this, vp).setSeverity(Severity.NA).setSummary(summary)
                .setExplanation(HOW_TO_RECORD).build();
    }

    /** A result with this score (0..100) and the severity JMC gives it. */
    ResultBuilder scored(IPreferenceValueProvider vp, double score) {
        return ResultBuilder.createFor(this, vp).setSeverity(Severity.get(score))
                .addResult(TypedResult.SCORE, UnitLookup.NUMBER_UNITY.quantity(score));
    }
}
