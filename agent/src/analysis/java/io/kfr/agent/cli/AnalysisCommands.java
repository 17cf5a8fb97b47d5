package io.kfr.agent.cli;

import io.kfr.agent.convert.ConvertCommand;
import io.kfr.jmc.report.ReportCommand;

import java.nio.file.Path;
import java.util.List;

/**
 * The commands that read a recording (summary, report, convert, demo's summary): they use JMC's
 * libraries, which need Java 17, so they are compiled for 17 apart from the rest of the agent
 * (src/analysis) and {@link KfrCli} reaches them by name only on a java that runs them.
 */
public final class AnalysisCommands {
    private AnalysisCommands() {
    }

    /** The usage lines of these commands, for kfr's usage text. */
    public static String usage() {
        return String.join("\n",
                "  summary <file.jfr>   where the recorded JVM's threads were off-CPU and why, and where CPU time went (--help)",
                "  " + ReportCommand.USAGE + "  kfr's findings and JMC's JDK rules (text), or a page with flame graphs",
                "  " + ConvertCommand.USAGE,
                "                       kfr's off-CPU and CPU time as pprof, OpenTelemetry profiles or folded stacks",
                "  demo [file.jfr]      run a demo workload (sleep, park, lock, fsync, socket) under the agent and summarize it");
    }

    /** Runs summary, report, convert or demo; args are the command line after the command's name. */
    public static int run(String command, String[] args) throws Exception {
        List<String> rest = List.of(args);
        switch (command) {
            case "summary":
                return Summaries.run(rest, System.out, System.err);
            case "report":
                return ReportCommand.run(rest, System.out, System.err);
            case "convert":
                return ConvertCommand.run(rest, System.out, System.err);
            case "demo":
                return Demo.run(args.length > 0 ? Path.of(args[0]) : Path.of("kfr-demo.jfr"));
            default:
                throw new IllegalArgumentException(command);
        }
    }
}
