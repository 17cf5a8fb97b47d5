package io.kfr.it;

/** Runs {@code java -jar kfr-agent.jar <args>} (the command line, not the agent) on a JDK. */
final class ReportCli {
    private ReportCli() {
    }

    static JvmRun.Result run(Jdk jdk, String... args) throws Exception {
        return JvmRun.on(jdk).classpath(JvmRun.AGENT_JAR).main("io.kfr.agent.cli.KfrCli", args).run(120);
    }
}
