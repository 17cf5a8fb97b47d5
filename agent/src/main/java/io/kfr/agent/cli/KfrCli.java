package io.kfr.agent.cli;

import io.kfr.agent.workingset.PrefetchCommand;
import io.kfr.agent.workingset.RecordCommand;

import java.util.Arrays;
import java.util.List;

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
            case "prefetch":
                return PrefetchCommand.prefetch(rest, System.out, System.err);
            case "workingset":
                if (args.length > 1 && args[1].equals("record")) {
                    return RecordCommand.run(List.of(args).subList(2, args.length), System.out, System.err);
                }
                if (args.length == 3 && args[1].equals("save")) {
                    return ControlCommands.ofRunningJar().run("workingset-save", args[2]);
                }
                System.err.println("usage: java -jar kfr-agent.jar " + RecordCommand.USAGE + "\n       java -jar kfr-agent.jar "
                        + "workingset save <pid>");
                return 2;
            case "run":
                return PrefetchCommand.run(rest, System.out, System.err);
            case "doctor":
                return io.kfr.agent.cli.doctor.Doctor.run(args, System.out);
            case "list":
            case "start":
            case "status":
            case "dump":
            case "stop":
            case "pt-snapshot":
                return ControlCommands.ofRunningJar().run(args);
            case "version":
                String v = KfrCli.class.getPackage().getImplementationVersion();
                System.out.println("kfr " + (v != null ? v : "(development build)"));
                return 0;
            default:
                System.err.println("kfr: unknown command '" + args[0] + "'\n" + usage());
                return 2;
        }
    }

    private static String usage() {
        return String.join("\n",
                "usage: java -jar kfr-agent.jar <command>",
                Analysis.usage(),
                "  " + RecordCommand.USAGE,
                "                       start the command and record what it reads from disk as it starts",
                "  workingset save <pid> end the recording window of a JVM running with workingset=<file.ws> and save the set",
                "  " + PrefetchCommand.PREFETCH_USAGE,
                "                       read a recorded working set (workingset=<file.ws>) into the page cache",
                "  " + PrefetchCommand.RUN_USAGE,
                "                       prefetch, then execute the command in this process's place",
                "  " + RecoverCommand.USAGE + "  a killed JVM's kfr spool as a JFR file",
                "  " + MergeCommand.USAGE + "  a kept JVM recording and kfr's chunk or spool in one file",
                "  doctor               what this machine allows kfr to do (kernel, BTF, privileges, BPF, perf events, JVM)",
                "  version              print kfr's version",
                ControlCommands.USAGE,
                "to record: java -javaagent:kfr-agent.jar=file=app.jfr[,offcpu.threshold=1ms] -jar app.jar");
    }
}
