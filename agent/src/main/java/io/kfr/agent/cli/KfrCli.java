package io.kfr.agent.cli;

import io.kfr.agent.collectors.CliCommand;
import io.kfr.agent.collectors.CollectorKinds;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** {@code java -jar kfr-agent.jar <command>}: the kfr command line. */
public final class KfrCli {
    private KfrCli() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println(usage());
            return 2;
        }
        List<String> rest = List.of(args).subList(1, args.length);
        if (args[0].equals("recover")) {
            return RecoverCommand.run(List.of(args).subList(1, args.length), System.out, System.err);
        }
        if (args[0].equals("merge")) {
            return MergeCommand.run(List.of(args).subList(1, args.length), System.out, System.err);
        }
        switch (args[0]) {
            case "summary":
            case "report":
            case "convert":
            case "demo":
                return Analysis.run(args[0], Arrays.copyOfRange(args, 1, args.length));
            case "doctor":
                return io.kfr.agent.cli.doctor.Doctor.run(args, System.out);
            case "version":
                String v = KfrCli.class.getPackage().getImplementationVersion();
                System.out.println("kfr " + (v != null ? v : "(development build)"));
                return 0;
            default:
                if (ControlCommands.handles(args[0])) {
                    return ControlCommands.ofRunningJar().run(args);
                }
                CliCommand c = CollectorKinds.cliCommand(args[0]);
                if (c != null) {
                    return c.run(rest);
                }
                System.err.println("kfr: unknown command '" + args[0] + "'\n" + usage());
                return 2;
        }
    }

    private static String usage() {
        return String.join("\n",
                "usage: java -jar kfr-agent.jar <command>",
                Analysis.usage(),
                CollectorKinds.ALL.stream().flatMap(k -> k.cliCommands().stream()).flatMap(c -> c.usage().stream())
                        .collect(Collectors.joining("\n")),
                "  " + RecoverCommand.USAGE + "  a killed JVM's kfr spool as a JFR file",
                "  " + MergeCommand.USAGE + "  a kept JVM recording and kfr's chunk or spool in one file",
                "  doctor               what this machine allows kfr to do (kernel, BTF, privileges, BPF, perf events, JVM)",
                "  version              print kfr's version",
                ControlCommands.USAGE,
                "to record: java -javaagent:kfr-agent.jar=file=app.jfr[,offcpu.threshold=1ms] -jar app.jar");
    }
}
