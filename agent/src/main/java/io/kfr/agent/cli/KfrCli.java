package io.kfr.agent.cli;

import io.kfr.jmc.report.ReportCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code java -jar kfr-agent.jar <command>}: the kfr command line. */
public final class KfrCli {
    private static final String USAGE = String.join("\n",
            "usage: java -jar kfr-agent.jar <command>",
            "  summary <file.jfr>   where the recorded JVM's threads were off-CPU and why, and where CPU time went",
            "  " + ReportCommand.USAGE + "  kfr's findings and JMC's JDK rules (text), or a page with flame graphs",
            "  demo [file.jfr]      run a demo workload (sleep, park, lock, fsync, socket) under the agent and summarize it",
            "  doctor               what this machine allows kfr to do (kernel, BTF, privileges, BPF, perf events, JVM)",
            "  version              print kfr's version",
            ControlCommands.USAGE,
            "to record: java -javaagent:kfr-agent.jar=file=app.jfr[,offcpu.threshold=1ms] -jar app.jar");

    private KfrCli() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println(USAGE);
            return 2;
        }
        switch (args[0]) {
            case "summary" -> {
                if (args.length != 2) {
                    System.err.println("kfr: summary needs one .jfr file\n" + USAGE);
                    return 2;
                }
                Path file = Path.of(args[1]);
                if (!Files.isReadable(file)) {
                    System.err.println("kfr: cannot read " + file);
                    return 1;
                }
                try {
                    Summaries.print(file);
                } catch (java.io.IOException | RuntimeException e) {
                    // a file cut short (a copy in progress, a full disk) or not JFR at all: one line
                    System.err.println("kfr: cannot read " + file + " as a JFR recording"
                            + (e instanceof java.io.EOFException ? " (it is cut short)" : "") + ": " + e.getMessage());
                    return 1;
                }
                return 0;
            }
            case "report" -> {
                return ReportCommand.run(List.of(args).subList(1, args.length), System.out, System.err);
            }
            case "demo" -> {
                return Demo.run(args.length > 1 ? Path.of(args[1]) : Path.of("kfr-demo.jfr"));
            }
            case "doctor" -> {
                return io.kfr.agent.cli.doctor.Doctor.run(args, System.out);
            }
            case "list", "start", "status", "dump", "stop" -> {
                return ControlCommands.ofRunningJar().run(args);
            }
            case "version" -> {
                String v = KfrCli.class.getPackage().getImplementationVersion();
                System.out.println("kfr " + (v != null ? v : "(development build)"));
                return 0;
            }
            default -> {
                System.err.println("kfr: unknown command '" + args[0] + "'\n" + USAGE);
                return 2;
            }
        }
    }
}
