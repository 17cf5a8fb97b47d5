package io.kfr.agent.cli;

import io.kfr.jmc.report.ReportCommand;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs {@link io.kfr.agent.demo.DemoWorkload} in a child JVM with this agent jar, summarizes it, and
 * writes the report page (findings, flame graphs) next to the recording.
 */
final class Demo {
    private Demo() {
    }

    static int run(Path out) throws Exception {
        Path jar = Path.of(KfrCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of(java.toString(), "-javaagent:" + jar + "=offcpu,cpu,file=" + out.toAbsolutePath(),
                "-cp", jar.toString(), "io.kfr.agent.demo.DemoWorkload");
        System.out.println("running: " + String.join(" ", cmd));
        int rc = new ProcessBuilder(cmd).inheritIO().start().waitFor();
        if (rc != 0) {
            System.err.println("kfr: the demo JVM exited with " + rc);
            return rc;
        }
        System.out.println();
        Summaries.run(List.of(out.toString()), System.out, System.err);
        String name = out.getFileName().toString();
        Path page = out.resolveSibling((name.endsWith(".jfr") ? name.substring(0, name.length() - 4) : name) + ".html");
        System.out.println();
        return ReportCommand.run(List.of("--html", page.toString(), out.toString()), System.out, System.err);
    }
}
