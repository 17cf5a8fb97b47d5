package io.kfr.agent.collectors.workingset;

import io.kfr.agent.cli.ControlCommands;
import io.kfr.agent.collectors.CliCommand;
import io.kfr.agent.collectors.ControlCommand;
import io.kfr.agent.control.Reply;
import io.kfr.agent.workingset.PrefetchCommand;
import io.kfr.agent.workingset.PrefetcherCommand;
import io.kfr.agent.workingset.RecordCommand;

import java.util.List;

/**
 * The working set's commands: {@code workingset record|save}, {@code prefetch}, {@code run} and
 * {@code prefetcher} on the command line, and the control command {@code workingset save} sends to
 * the recording JVM.
 */
final class WorkingSetCommands {
    private WorkingSetCommands() {
    }

    static List<CliCommand> cli() {
        return List.of(
                command("workingset", List.of("  " + RecordCommand.USAGE,
                        "                       start the command and record what it reads from disk as it starts",
                        "  workingset save <pid> end the recording window of a JVM running with workingset=<file.ws> and "
                                + "save the set"), WorkingSetCommands::workingset),
                command("prefetch", List.of("  " + PrefetchCommand.PREFETCH_USAGE,
                        "                       read a recorded working set (workingset=<file.ws>) into the page cache"),
                        args -> PrefetchCommand.prefetch(args, System.out, System.err)),
                command("run", List.of("  " + PrefetchCommand.RUN_USAGE,
                        "                       prefetch, then execute the command in this process's place"),
                        args -> PrefetchCommand.run(args, System.out, System.err)),
                command("prefetcher", List.of("  " + PrefetcherCommand.USAGE,
                        "                       write kfr-prefetch into <dir>: prefetch and run as a native program, with"
                                + " no JVM starting cold before the set is read"),
                        args -> PrefetcherCommand.run(args, System.out, System.err)));
    }

    private static int workingset(List<String> args) {
        if (!args.isEmpty() && args.get(0).equals("record")) {
            return RecordCommand.run(args.subList(1, args.size()), System.out, System.err);
        }
        if (args.size() == 2 && args.get(0).equals("save")) {
            return ControlCommands.ofRunningJar().run(SAVE.name(), args.get(1));
        }
        System.err.println("usage: java -jar kfr-agent.jar " + RecordCommand.USAGE + "\n       java -jar kfr-agent.jar "
                + "workingset save <pid>");
        return 2;
    }

    /** Ends the recording window of the JVM's working-set collector now. */
    static final ControlCommand SAVE = new ControlCommand() {
        @Override
        public String name() {
            return "workingset-save";
        }

        @Override
        public String words() {
            return "workingset save";
        }

        @Override
        public String usage() {
            return null; // the command line's workingset save sends it
        }

        @Override
        public Reply run(boolean recording) {
            return WorkingSetKind.saveNow()
                    ? Reply.ok("kfr: the working set is saved now (the recording window ends)")
                    : Reply.error("no working-set collector runs in this JVM (option workingset=<file.ws>)");
        }
    };

    private interface Run {
        int run(List<String> args) throws Exception;
    }

    private static CliCommand command(String name, List<String> usage, Run run) {
        return new CliCommand() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<String> usage() {
                return usage;
            }

            @Override
            public int run(List<String> args) throws Exception {
                return run.run(args);
            }
        };
    }
}
