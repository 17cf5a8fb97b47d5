package io.kfr.agent.collectors.pt;

import io.kfr.agent.AgentOptions;
import io.kfr.agent.Durations;
import io.kfr.agent.Log;
import io.kfr.agent.cli.doctor.Capabilities;
import io.kfr.agent.cli.doctor.Check;
import io.kfr.agent.collectors.ControlCommand;
import io.kfr.agent.control.Reply;
import io.kfr.agent.collectors.CollectorForward;
import io.kfr.agent.collectors.CollectorKind;
import io.kfr.agent.collectors.CollectorOptions;
import io.kfr.agent.collectors.CollectorOutput;
import io.kfr.collectors.Clocks;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.RunningCollector;
import io.kfr.collectors.ThreadRef;
import io.kfr.collectors.probe.CollectorTrial;
import io.kfr.collectors.pt.PtCollector;
import io.kfr.collectors.pt.PtCollectorListener;
import io.kfr.collectors.pt.PtHotPath;
import io.kfr.collectors.pt.PtPerfConfig;
import io.kfr.collectors.pt.PtPerfSession;
import io.kfr.collectors.pt.PtSnapshot;
import io.kfr.collectors.pt.PtSnapshotResult;
import io.kfr.collectors.pt.PtSpan;
import io.kfr.events.KfrEventNames;

import java.util.List;

/**
 * The Intel PT collector ({@code pt}): every thread traced into its own AUX ring in snapshot
 * mode; snapshots on {@code kfr dump} and {@code kfr pt-snapshot}, every {@code pt.period}, and
 * after an off-CPU interval of at least {@code pt.trigger}; each decoded into kfr.HotPath and
 * kfr.PtSpan events.
 */
public final class PtKind implements CollectorKind {
    /** How long stop (and the JVM's exit) waits for the last snapshot's decoding. */
    private static final long STOP_SNAPSHOT_WAIT_MILLIS = 5_000;
    /** How long a dump or pt-snapshot waits for the PT snapshots to be decoded. */
    private static final long SNAPSHOT_WAIT_MILLIS = 10_000;
    /** The collector of this JVM's session; null when none runs. */
    private static volatile PtCollector current;

    private static final String NAME = "pt";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "Intel PT collector";
    }

    @Override
    public String shortTitle() {
        return "Intel PT";
    }

    @Override
    public String usage() {
        return PtOptions.USAGE;
    }

    @Override
    public CollectorOptions options() {
        return new PtOptions();
    }

    /** Its settings in the agent's options, or null when it does not run. */
    public static PtPerfConfig settings(AgentOptions options) {
        return options.runs(NAME) ? (PtPerfConfig) options.settings(NAME) : null;
    }

    @Override
    public boolean samplesThreads() {
        return false;
    }

    @Override
    public RunningCollector start(AgentOptions options, CollectorOutput output) throws CollectorException {
        PtPerfConfig c = settings(options);
        PtCollector.Started s = PtCollector.start(PtPerfSession.SYSFS, c, output.threads(), new Forward(output));
        current = s.collector;
        Log.info("Intel PT collector running (" + (c.bufferBytes() >> 10) + " KB per thread, filter "
                + (c.javaOnly() ? "java" : "all") + (c.periodNanos() > 0 ? ", period " + Durations.format(c.periodNanos()) : "")
                + (c.triggerNanos() > 0 ? ", trigger " + Durations.format(c.triggerNanos()) : "") + ")");
        if (s.warning != null) {
            Log.error(s.warning);
        }
        return new RunningCollector() {
            private boolean last;

            /** Once, before the collector stops: every thread's last trace goes into the file at stop or exit. */
            private synchronized void lastSnapshot() {
                if (!last) {
                    last = true;
                    awaitDecoded(s.collector.snapshotAll(PtSnapshot.AT_STOP), STOP_SNAPSHOT_WAIT_MILLIS);
                }
            }

            @Override
            public void requestStop() {
                lastSnapshot();
                s.running.requestStop();
            }

            @Override
            public void close() {
                lastSnapshot();
                current = null;
                s.running.close();
            }

            @Override
            public Throwable failure() {
                return s.running.failure();
            }
        };
    }

    /**
     * Snapshots every traced thread now (kfr dump, kfr pt-snapshot) and waits up to waitMillis for
     * their events to be in kfr's chunk: the threads decoded (0 when the wait ran out), or -1 when no
     * PT collector runs.
     */
    static int snapshotNow(long waitMillis) {
        PtCollector c = current;
        if (c == null) {
            return -1;
        }
        return awaitDecoded(c.snapshotAll(PtSnapshot.ON_DEMAND), waitMillis);
    }

    /** The threads decoded, or 0 when the wait ran out first. */
    private static int awaitDecoded(java.util.concurrent.CompletableFuture<Integer> done, long waitMillis) {
        try {
            return done.get(waitMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The trigger's input (pt.trigger). */
    @Override
    public void offCpuInterval(OffCpuSample s) {
        PtCollector c = current;
        if (c != null) { // an aggregate of short intervals names a thread but triggers nothing
            c.offCpu(s.thread().tid(), s.startEpochNanos(), s.aggregated() ? 0 : s.durationNanos());
        }
    }

    @Override
    public CollectorTrial.Outcome trial() {
        String pmu = PtPerfSession.describePmu(PtPerfSession.SYSFS);
        if (pmu.startsWith("!")) {
            return new CollectorTrial.Outcome(false, "", "", pmu.substring(1));
        }
        return new CollectorTrial.Outcome(true, "intel_pt " + pmu, "", "");
    }

    @Override
    public String lossAdvice() {
        return "a larger pt.buffer keeps more history; pt.filter=java traces less";
    }

    @Override
    public List<Check> doctorChecks(Capabilities caps) {
        return PtChecks.all(caps);
    }

    /** Whether perf opens an intel_pt event here (the perf.intel_pt line). */
    @Override
    public String doctorSummary(List<Check> printed) {
        boolean pt = printed.stream().anyMatch(c -> c.name().equals("perf.intel_pt") && c.status() == Check.Status.OK);
        return "Intel PT " + (pt ? "available (option pt)" : "no");
    }

    /** Its events go into the dump. */
    @Override
    public String beforeDump() {
        int pt = snapshotNow(SNAPSHOT_WAIT_MILLIS);
        return pt >= 0 ? "Intel PT snapshots of " + pt + " threads" : null;
    }

    @Override
    public List<ControlCommand> controlCommands() {
        return List.of(new ControlCommand() {
            @Override
            public String name() {
                return "pt-snapshot";
            }

            @Override
            public String usage() {
                return "  pt-snapshot <pid>     Intel PT (option pt): snapshot and decode every thread's trace now "
                        + "(kfr.HotPath, kfr.PtSpan)";
            }

            @Override
            public Reply run(boolean recording) {
                if (!recording) {
                    return Reply.error("not recording; start first (kfr start <pid> pt,...)");
                }
                int n = snapshotNow(SNAPSHOT_WAIT_MILLIS);
                if (n < 0) {
                    return Reply.error("no Intel PT collector runs in this JVM (option pt; kfr doctor says whether this "
                            + "machine has PT)");
                }
                return Reply.ok("pt: " + n + " threads' traces decoded into kfr.HotPath and kfr.PtSpan events (in the next dump)");
            }
        });
    }

    private static final class Forward extends CollectorForward implements PtCollectorListener {
        Forward(CollectorOutput output) {
            super(output);
        }

        @Override
        public void onSnapshot(PtSnapshotResult r) {
            if (!output.admitted()) {
                return;
            }
            ThreadRef thread = output.threads().lookup(r.tid);
            for (PtHotPath p : r.paths) {
                boolean timed = p.startNanos >= 0;
                output.chunk().addHotPath(thread, p, timed ? Clocks.monotonicToEpochNanos(p.startNanos) : r.epochNanos,
                        timed ? p.durationNanos : 0, r.reason, r.snapshot);
                output.counted(KfrEventNames.HOT_PATH);
            }
            for (PtSpan s : r.spans) {
                boolean timed = s.startNanos >= 0 && s.endNanos >= s.startNanos;
                output.chunk().addPtSpan(thread, s, timed ? Clocks.monotonicToEpochNanos(s.startNanos) : r.epochNanos,
                        timed ? s.endNanos - s.startNanos : 0, r.snapshot);
                output.counted(KfrEventNames.PT_SPAN);
            }
            if (PtSnapshot.ON_DEMAND.equals(r.reason)) { // periodic and triggered ones would fill the log
                Log.info("pt: " + r);
            }
        }
    }
}
