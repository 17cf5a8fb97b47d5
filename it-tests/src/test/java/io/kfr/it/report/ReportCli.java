package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;

/** Runs {@code java -jar kfr-agent.jar <args>} (the command line, not the agent) on a JDK. */
final class ReportCli {
    private ReportCli() {
    }

    static JvmRun.Result run(Jdk jdk, String... args) throws Exception {
        return JvmRun.on(jdk).classpath(JvmRun.AGENT_JAR).main("io.kfr.agent.cli.KfrCli", args).run(120);
    }
}
