package io.kfr.jfr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a child process to completion, output captured in files (jfr print can be megabytes). */
final class Processes {
    record Result(int exitCode, String stdout, String stderr) {
        Result requireSuccess(List<String> command) {
            if (exitCode != 0) {
                throw new AssertionError("exit code " + exitCode + " from " + command + "\nstdout:\n"
                        + tail(stdout) + "\nstderr:\n" + tail(stderr));
            }
            return this;
        }

        private static String tail(String s) {
            return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
        }
    }

    private Processes() {
    }

    static Result run(Path workDir, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "out-", ".txt");
        Path err = Files.createTempFile(workDir, "err-", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("LC_ALL", "C.UTF-8"); // thread names with non-ASCII characters
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result runOk(Path workDir, List<String> command) throws IOException, InterruptedException {
        return run(workDir, command).requireSuccess(command);
    }
}
