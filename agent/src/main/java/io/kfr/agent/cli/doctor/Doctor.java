package io.kfr.agent.cli.doctor;

import io.kfr.agent.collectors.CollectorKind;
import io.kfr.agent.collectors.CollectorKinds;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.probe.CollectorTrial;
import io.kfr.collectors.probe.Probes;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code java -jar kfr-agent.jar doctor}: what this machine allows kfr to do, one line per check
 * (ok / limited / missing, what it means for kfr, the fix), then which collectors run here.
 * Exit code 0 when every collector runs, 1 otherwise.
 * Every probe's failure is a line, never an exception.
 */
public final class Doctor {
    private final PrintStream out;
    /** Every line printed so far, for the kinds' words in the closing line. */
    private final List<Check> printed = new ArrayList<>();

    private Doctor(PrintStream out) {
        this.out = out;
    }

    /** @param args the command line, {@code doctor} first; it takes nothing else */
    public static int run(String[] args, PrintStream out) {
        if (args.length > 1) {
            System.err.println("kfr: doctor takes no arguments (got '" + args[1] + "')");
            return 2;
        }
        return new Doctor(out).diagnose();
    }

    private int diagnose() {
        Capabilities caps = Capabilities.ofThisProcess();
        String release = System.getProperty("os.version");
        print(() -> SystemChecks.kernel(release));
        print(() -> SystemChecks.arch(System.getProperty("os.name"), System.getProperty("os.arch")));
        print(SystemChecks::btf);
        print(() -> SystemChecks.capabilities(caps));
        print(() -> SystemChecks.unprivilegedBpf(caps));
        print(() -> SystemChecks.perfEventParanoid(caps));
        print(() -> SystemChecks.memlock(KernelVersion.parse(release)));
        print(SystemChecks::tracefs);

        String loadError = Probes.load();
        if (loadError != null) {
            print(() -> Check.missing("libkfr", loadError, "run on Linux x86_64 with the kfr-agent.jar as built"));
            out.println(CollectorChecks.summary(CollectorKinds.ALL.stream().filter(CollectorKind::samplesThreads).map(k -> new CollectorChecks.Tried(k,
                    new CollectorTrial.Outcome(false, "", "", loadError))).collect(Collectors.toList()), summaries()));
            return 1;
        }
        print(() -> Check.ok("libkfr", KfrNative.version()));
        printAll(BpfChecks::tracepoints);
        printAll(BpfChecks::programs);
        printAll(BpfChecks::maps);
        printAll(BpfChecks::helpers);
        print(BpfChecks::stats);
        printAll("perf", PerfChecks::all);
        print(JvmCheck::check);
        for (CollectorKind kind : CollectorKinds.ALL) {
            printAll(() -> kind.doctorChecks(caps));
        }

        List<CollectorChecks.Tried> tried = new ArrayList<>();
        for (CollectorKind kind : CollectorKinds.ALL.stream().filter(CollectorKind::samplesThreads).collect(Collectors.toList())) {
            tried.add(new CollectorChecks.Tried(kind, trial(kind::trial)));
        }
        tried.forEach(t -> print(() -> CollectorChecks.check(t)));
        out.println(CollectorChecks.summary(tried, summaries()));
        return tried.stream().allMatch(t -> t.outcome().runs()) ? 0 : 1;
    }

    private void print(Supplier<Check> check) {
        printAll(() -> List.of(check.get()));
    }

    private void printAll(Supplier<List<Check>> checks) {
        printAll("probe", checks);
    }

    private void printAll(String what, Supplier<List<Check>> checks) {
        for (Check c : checked(what, checks)) {
            out.println(c.line());
            printed.add(c);
        }
    }

    /** The words of the kinds that have their own in the closing line (Intel PT). */
    private List<String> summaries() {
        List<String> words = new ArrayList<>();
        for (CollectorKind kind : CollectorKinds.ALL) {
            String w = kind.doctorSummary(printed);
            if (w != null) {
                words.add(w);
            }
        }
        return words;
    }

    /** The checks, or one line saying the probe itself failed (doctor never ends in a stack trace). */
    private static List<Check> checked(String what, Supplier<List<Check>> checks) {
        try {
            return checks.get();
        } catch (RuntimeException | LinkageError e) {
            return List.of(Check.limited(what, "the probe failed: " + e, "report this as a kfr bug"));
        }
    }

    private static CollectorTrial.Outcome trial(Supplier<CollectorTrial.Outcome> open) {
        try {
            return open.get();
        } catch (RuntimeException | LinkageError e) {
            return new CollectorTrial.Outcome(false, "", "", "the trial failed: " + e);
        }
    }
}
