package io.kfr.it.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** JDK 17's jcmd against a test's JVM (same user): its output, once it succeeded. */
public final class Jcmd {
    private Jcmd() {
    }

    public static String run(long pid, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Jdk.JDK17.home().resolve("bin/jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ":\n" + out);
        return out;
    }
}
