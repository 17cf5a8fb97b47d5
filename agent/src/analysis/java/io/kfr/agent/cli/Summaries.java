package io.kfr.agent.cli;

import io.kfr.agent.report.CpuReport;
import io.kfr.agent.report.OffCpuReport;
import io.kfr.jmc.rules.OffCpuRule;
import io.kfr.jmc.rules.StartupReadsRule;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.ResultToolkit;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The text summaries of a recording: the off-CPU findings and threads, then CPU if it has CPU samples. */
final class Summaries {
    static final String HELP = """
            usage: java -jar kfr-agent.jar summary [options] <file.jfr>
              where the recorded JVM's threads were off-CPU and why, and where CPU time went:
              first the findings (waits that held up work: locks, the disk, the CPU queue), then the
              threads they name, then the other application threads (a pool in one line), then the
              JVM's own threads in one line, then the heaviest stacks.
            options:
              --thread <text>   only threads whose name contains <text> (or whose tid is <text>)
              --state <S|D|R|OTHER>  only intervals in that state
              --from <seconds>  only from this many seconds after the first off-CPU event
              --to <seconds>    only up to this many seconds after the first off-CPU event
              --help            this text
            The findings are the off-CPU rule's over the whole recording; the options narrow the tables.""";

    private Summaries() {
    }

    /** Runs `summary` with its arguments (after the command name); returns the exit code. */
    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        String thread = null;
        String state = null;
        Double from = null;
        Double to = null;
        Path file = null;
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--help", "-h" -> {
                        out.println(HELP);
                        return 0;
                    }
                    case "--thread" -> thread = args.get(++i);
                    case "--state" -> {
                        state = args.get(++i).toUpperCase(java.util.Locale.ROOT);
                        if (!List.of("S", "D", "R", "OTHER").contains(state)) {
                            err.println("kfr: --state takes S, D, R or OTHER, not " + args.get(i));
                            return 2;
                        }
                    }
                    case "--from" -> from = Double.parseDouble(args.get(++i));
                    case "--to" -> to = Double.parseDouble(args.get(++i));
                    default -> {
                        if (a.startsWith("-") || file != null) {
                            err.println("kfr: summary: unknown option or second file: " + a + "\n" + HELP);
                            return 2;
                        }
                        file = Path.of(a);
                    }
                }
            }
        } catch (IndexOutOfBoundsException | NumberFormatException e) {
            err.println("kfr: summary: an option lacks its value (" + e.getMessage() + ")\n" + HELP);
            return 2;
        }
        if (file == null) {
            err.println("kfr: summary needs one .jfr file\n" + HELP);
            return 2;
        }
        if (!Files.isReadable(file)) {
            err.println("kfr: cannot read " + file);
            return 1;
        }
        OffCpuReport.Filter filter = new OffCpuReport.Filter(thread, state, from, to);
        try {
            OffCpuReport report = OffCpuReport.read(file, filter); // not JFR, or cut short: the one line below
            IItemCollection items = load(file, err);
            report.print(out, file.toString(), findings(items, err));
            CpuReport cpu = CpuReport.read(file);
            if (!cpu.isEmpty()) {
                out.println();
                cpu.print(out, file.toString());
            }
            List<String> reads = startupReads(items, file, err);
            if (!reads.isEmpty()) {
                out.println();
                reads.forEach(out::println);
            }
        } catch (IOException | RuntimeException e) {
            // a file cut short (a copy in progress, a full disk) or not JFR at all: one line
            err.println("kfr: cannot read " + file + " as a JFR recording"
                    + (e instanceof java.io.EOFException ? " (it is cut short)" : "") + ": " + e.getMessage());
            return 1;
        }
        return 0;
    }

    /** The recording as JMC's rules read it; null (said on err) if JMC cannot load it. */
    private static IItemCollection load(Path file, PrintStream err) {
        try {
            return JfrLoaderToolkit.loadEvents(file.toFile());
        } catch (Exception | LinkageError e) {
            err.println("kfr: the findings could not be computed: " + e);
            return null;
        }
    }

    /**
     * The start-up disk reads (kfr.PageCacheMiss, with workingset=): the files waited for most, the
     * Java code behind them, and the prefetch that saves the wait, as the start-up reads rule says in
     * JMC and `report`; no lines without such events or if the rule cannot run.
     */
    private static List<String> startupReads(IItemCollection items, Path file, PrintStream err) {
        if (items == null) {
            return List.of();
        }
        try {
            IRule rule = new StartupReadsRule();
            IResult r = RulesToolkit.evaluateParallel(List.of(rule), items, null, 1).get(rule).get(60, TimeUnit.SECONDS);
            Collection<String> files = r.getResult(StartupReadsRule.FILES);
            if (files == null) {
                return List.of(); // not applicable: no kfr.PageCacheMiss in the recording
            }
            List<String> lines = new ArrayList<>();
            lines.add("kfr start-up disk reads of " + file + " (kfr.PageCacheMiss):");
            lines.add("  " + ResultToolkit.populateMessage(r, r.getSummary(), false));
            for (String f : files) {
                lines.add("  " + f);
            }
            lines.add("  advice: " + ResultToolkit.populateMessage(r, r.getSolution(), false));
            return lines;
        } catch (Exception | LinkageError e) {
            err.println("kfr: the start-up disk reads could not be computed: " + e);
            return List.of();
        }
    }

    /** The off-CPU rule's findings (one line per thread), as in JMC and `report`; none if it cannot run. */
    private static List<String> findings(IItemCollection items, PrintStream err) {
        if (items == null) {
            return List.of();
        }
        try {
            IRule rule = new OffCpuRule();
            IResult r = RulesToolkit.evaluateParallel(List.of(rule), items, OffCpuRule.namingThreads(20), 1).get(rule).get(60, TimeUnit.SECONDS);
            Collection<String> lines = r.getResult(OffCpuRule.FINDINGS);
            return lines == null ? List.of() : List.copyOf(lines);
        } catch (Exception | LinkageError e) {
            err.println("kfr: the off-CPU findings could not be computed: " + e);
            return List.of();
        }
    }
}
