package io.kfr.it.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's own pprof ({@code go tool pprof}, Debian's golang-go) run on a profile: the consumer the
 * pprof output is written for. {@link #top} reads its {@code -top} table in nanoseconds.
 */
final class GoPprof {
    /**
     * "1120000000ns 31.82% 31.82% 1180000000ns 33.52%  name"; a zero prints without unit, a tiny
     * share in exponent form ("9.9e-05%").
     */
    private static final Pattern ROW = Pattern.compile(
            "^\\s*(\\d+)(?:ns)?\\s+[\\d.e+-]+%\\s+[\\d.e+-]+%\\s+(\\d+)(?:ns)?\\s+[\\d.e+-]+%\\s+(.+)$");
    /** "Showing nodes accounting for 43810000000ns, 100% of 43810000000ns total": shown (after focus) and all. */
    private static final Pattern TOTAL = Pattern.compile("accounting for (\\d+)(?:ns)?, [\\d.e+-]+% of (\\d+)(?:ns)? total");

    private GoPprof() {
    }

    /**
     * The -top table: the profile's total, what the table shows (less than the total where a
     * -focus or -tagfocus option left samples out, or where samples have no stack) and, per function
     * name, its cum value.
     */
    record Top(long total, long shown, Map<String, Long> cum, String text) {
    }

    static Top top(Path profile, String sampleIndex, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-top", "-unit=ns", "-sample_index=" + sampleIndex,
                "-nodecount=1000000", "-nodefraction=0", "-edgefraction=0"));
        args.addAll(List.of(extra));
        String out = run(profile, args);
        Matcher t = TOTAL.matcher(out);
        if (!t.find()) {
            throw new AssertionError("no total in go tool pprof -top:\n" + out);
        }
        Map<String, Long> cum = new HashMap<>();
        for (String line : out.lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                cum.put(m.group(3).strip(), Long.parseLong(m.group(2)));
            }
        }
        return new Top(Long.parseLong(t.group(2)), Long.parseLong(t.group(1)), cum, out);
    }

    /** go tool pprof with these options on the profile; its output (stdout and stderr). */
    static String run(Path profile, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("go", "tool", "pprof"));
        cmd.addAll(options);
        cmd.add(profile.toString());
        Path out = Files.createTempFile("kfr-it-pprof", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            // no symbolization servers, no fetching: a local file read as is
            pb.environment().put("PPROF_BINARY_PATH", "/nonexistent");
            Process p;
            try {
                p = pb.start();
            } catch (java.io.IOException e) {
                throw new AssertionError("cannot run go tool pprof (" + e.getMessage()
                        + "): install Debian's golang-go (./dev.sh test does)");
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("go tool pprof did not finish in 120 s: " + cmd);
            }
            String text = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new AssertionError("go tool pprof failed (" + p.exitValue() + "): " + cmd + "\n" + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
