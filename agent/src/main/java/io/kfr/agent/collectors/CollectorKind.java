package io.kfr.agent.collectors;

import io.kfr.agent.AgentOptions;
import io.kfr.agent.cli.doctor.Capabilities;
import io.kfr.agent.cli.doctor.Check;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.RunningCollector;
import io.kfr.collectors.probe.CollectorTrial;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One kind of kfr collector as the agent knows it: its options (keys {@code name} and {@code name.*}),
 * its commands (command line, control) and doctor's lines of its own, how it starts and where its
 * output goes, its trial for doctor, its words. The kinds are listed in {@link CollectorKinds}.
 */
public interface CollectorKind {
    /** Its option (and option prefix, {@code name.}), the collector in its statistics, doctor's check collector.name. */
    String name();

    /** In sentences: "off-CPU collector". */
    String title();

    /** In doctor's closing line: "off-CPU". */
    String shortTitle();

    /** Its options in the agent's usage line: "pt, pt.buffer=<size>, ...". */
    String usage();

    /** A fresh reader of its option keys ({@code name}, {@code name.*}), one per parse of the options. */
    CollectorOptions options();

    /** Whether it runs when the options name no collector (the off-CPU collector: the point of kfr). */
    default boolean onByDefault() {
        return false;
    }

    /**
     * Whether the JVM's recording that kfr starts should take its samples as jdk.ExecutionSample
     * (JMC's Method Profiling) when it runs; userRecords: whether the user started a JVM recording
     * of their own (asking starts JFR: ask only when the answer matters).
     */
    default boolean feedsExecutionSamples(AgentOptions options, BooleanSupplier userRecords) {
        return false;
    }

    /** Whether the options ask for it. */
    default boolean requested(AgentOptions options) {
        return options.runs(name());
    }

    /**
     * Starts it on this JVM with its output wired to the session, and says so (one line).
     * @throws CollectorException with a one-line message when it cannot run here
     */
    RunningCollector start(AgentOptions options, CollectorOutput output) throws CollectorException;

    /** Opens it on this JVM as {@link #start} would and closes it at once (doctor). */
    CollectorTrial.Outcome trial();

    /**
     * Why a trial that opened runs it in a slower or reduced mode, or null: doctor's check is then
     * limited, with {@link #limitedFix}.
     */
    default String limitedMode(CollectorTrial.Outcome trial) {
        return null;
    }

    default String limitedFix() {
        return null;
    }

    /**
     * Whether it samples threads with Java frames (off-CPU, CPU): doctor opens those as a trial and
     * names them in its closing line; the others have doctor lines of their own.
     */
    default boolean samplesThreads() {
        return true;
    }

    /** Added when the collector is losing records: which option loses less. */
    String lossAdvice();

    /** Doctor's lines of its own, after the system, BPF, perf and JVM lines (in registry order). */
    default List<Check> doctorChecks(Capabilities caps) {
        return List.of();
    }

    /**
     * Its words in doctor's closing line for a kind that {@link #samplesThreads} does not name
     * there ("Intel PT available (option pt)"), from every line doctor printed; null for none.
     */
    default String doctorSummary(List<Check> printed) {
        return null;
    }

    /**
     * An off-CPU interval the off-CPU collector delivered, for a kind that acts on them (pt.trigger);
     * called on the off-CPU collector's thread, also when this kind does not run: return at once then.
     */
    default void offCpuInterval(OffCpuSample interval) {
    }

    /** Commands of the command line it adds (kfr prefetch). */
    default List<CliCommand> cliCommands() {
        return List.of();
    }

    /** Control commands it adds (kfr pt-snapshot <pid>). */
    default List<ControlCommand> controlCommands() {
        return List.of();
    }

    /**
     * Runs in the recording JVM before {@code kfr dump} writes, so that what it does goes into the
     * dump; what it did for the reply ("Intel PT snapshots of 3 threads"), or null when it does not run.
     */
    default String beforeDump() {
        return null;
    }
}
