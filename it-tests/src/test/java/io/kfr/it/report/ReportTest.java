package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.ReportWorkload;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.RuleRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kfr report} on a recording with a known picture (ReportWorkload under the agent): the text
 * lists every registered kfr rule and JMC's JDK rules, and the page's flame graphs hold the
 * workload's methods with the time it measured itself. Then recordings without kfr events and bad
 * input.
 */
class ReportTest {
    /** kfr's rules are those with topic "kfr" or an id starting with "Kfr"; the rest are JMC's JDK rules. */
    static final List<IRule> KFR_RULES = RuleRegistry.getRules().stream()
            .filter(r -> "kfr".equalsIgnoreCase(r.getTopic()) || r.getId().startsWith("Kfr")).toList();
    static final int JDK_RULES = RuleRegistry.getRules().size() - KFR_RULES.size();
    /** The off-CPU graph's sleep time against the workload's own wall time in Thread.sleep. */
    private static final double SLEEP_TOLERANCE = 0.05;
    /** The CPU graph's time against the burner's own CPU time (10 ms sampling, ~150 samples). */
    private static final double CPU_TOLERANCE = 0.25;

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void textListsKfrFindingsAndJdkRules(Jdk jdk) throws Exception {
        ReportRecording rec = ReportRecording.of(jdk);
        JvmRun.Result r = ReportCli.run(jdk, "report", rec.file.toString());
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stderr().isBlank(), r.describe());
        String out = r.stdout();
        int kfr = out.indexOf("== kfr findings ==");
        int jdkHeader = out.indexOf("== JMC JDK rules (" + JDK_RULES + " rules) ==");
        int facts = out.indexOf("== recording ==");
        assertTrue(kfr >= 0 && jdkHeader > kfr && facts > jdkHeader, "sections in order\n" + out);
        String kfrSection = out.substring(kfr, jdkHeader);
        for (IRule rule : KFR_RULES) {
            assertTrue(kfrSection.contains("(" + rule.getId() + ")"), "kfr rule " + rule.getId() + " in\n" + out);
        }
        if (KFR_RULES.isEmpty()) {
            assertTrue(kfrSection.contains("no kfr rules are registered"), out);
        }
        assertFalse(kfrSection.contains("no kfr events"), out);
        // collector health says each check once (its worst as the summary, not again below), in words
        for (String check : new String[] {"Overhead: ", "BPF cost: ", "Lost for good: "}) {
            assertTrue(kfrSection.split(java.util.regex.Pattern.quote(check), -1).length <= 2,
                    check + "said more than once:\n" + kfrSection);
        }
        assertFalse(out.contains("walk stopped, reason "), "a walker's reason as a number:\n" + out);
        // JDK rules above OK in full (one header line each), the others counted
        String jdkSection = out.substring(jdkHeader, facts);
        long shown = jdkSection.lines().filter(l -> l.startsWith("[")).count();
        java.util.regex.Matcher rest = java.util.regex.Pattern.compile("not shown: (\\d+) OK, (\\d+) not applicable")
                .matcher(jdkSection);
        assertTrue(rest.find(), out);
        assertEquals(JDK_RULES, shown + Long.parseLong(rest.group(1)) + Long.parseLong(rest.group(2)), out);
        assertFalse(out.contains("[Error"), "a rule failed or timed out:\n" + out);
        String factLines = out.substring(facts);
        assertTrue(factLines.contains("recording span: ") && factLines.matches("(?s).*kfr events: .*kfr\\.OffCpu \\d+.*")
                && factLines.contains("kfr.CpuSample "), out);
        System.out.printf("report text %s: %d JDK rules shown in full, %s%n", jdk, shown, rest.group());
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void pageHasFindingsAndFlameGraphsWithTheKnownTimes(Jdk jdk) throws Exception {
        ReportRecording rec = ReportRecording.of(jdk);
        Path html = rec.dir.resolve("report.html");
        JvmRun.Result r = ReportCli.run(jdk, "report", "--html", html.toString(), rec.file.toString());
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("report written to " + html), r.describe());
        ReportPage page = new ReportPage(html);

        Element kfrFindings = page.doc.getElementById("kfr-findings");
        assertNotNull(kfrFindings, "kfr findings section");
        for (IRule rule : KFR_RULES) {
            assertFalse(kfrFindings.select(".finding[data-rule-id=" + rule.getId() + "]").isEmpty(), "kfr rule " + rule.getId());
        }
        Element jdkRules = page.doc.getElementById("jdk-rules");
        assertNotNull(jdkRules, "JDK rules section");
        assertTrue(jdkRules.selectFirst(".rest").text().startsWith(JDK_RULES + " rules"), jdkRules.text());
        assertTrue(page.doc.select(".sev-error").isEmpty(), "a rule failed: " + page.doc.select(".sev-error").text());

        // self-contained, and the recording's text stays text
        assertTrue(page.doc.select("[src], [href], link, iframe, img").isEmpty(), "no external or injected elements");
        assertTrue(page.doc.selectFirst("meta[http-equiv=Content-Security-Policy]").attr("content")
                .startsWith("default-src 'none'"), "CSP");
        assertFalse(page.html.contains(ReportWorkload.HOSTILE_THREAD), "the hostile thread name appears unescaped");

        ReportPage.Node offCpu = page.graph("offcpu");
        long slept = offCpu.thread(ReportWorkload.HOSTILE_THREAD).sum(n -> n.name().contains("ReportWorkload.sleepTenTimes"));
        double sleepRatio = (double) slept / rec.sleptNanos;
        ReportPage.Node cpu = page.graph("cpu");
        long burned = cpu.child(ReportWorkload.BURNER_THREAD).sum(n -> n.name().contains("ReportWorkload.burnCpu"));
        double cpuRatio = (double) burned / rec.burnedNanos;
        // libjvm's C++ frames read as in the rules' texts (CppNames), not as mangled symbols
        List<ReportPage.Node> cppFrames = cpu.all().stream().filter(n -> n.kind().equals("cpp")).toList();
        assertFalse(cppFrames.isEmpty(), "the CPU graph has libjvm frames");
        assertTrue(cppFrames.stream().noneMatch(n -> n.name().startsWith("_Z")), "mangled C++ frames: "
                + cppFrames.stream().map(ReportPage.Node::name).filter(n -> n.startsWith("_Z")).limit(5).toList());
        assertTrue(cppFrames.stream().anyMatch(n -> n.name().contains("::")), "qualified C++ names: "
                + cppFrames.stream().map(ReportPage.Node::name).limit(10).toList());
        System.out.printf("report page %s: off-CPU sleepTenTimes %.3f s vs measured %.3f s (%.3fx); CPU burnCpu %.3f s"
                        + " vs thread CPU time %.3f s (%.3fx); page %d kB%n", jdk, slept / 1e9, rec.sleptNanos / 1e9,
                sleepRatio, burned / 1e9, rec.burnedNanos / 1e9, cpuRatio, Files.size(html) / 1024);
        assertTrue(Math.abs(sleepRatio - 1) <= SLEEP_TOLERANCE, "off-CPU time of sleepTenTimes " + slept
                + " ns vs measured " + rec.sleptNanos + " ns");
        assertTrue(Math.abs(cpuRatio - 1) <= CPU_TOLERANCE, "CPU time of burnCpu " + burned + " ns vs measured "
                + rec.burnedNanos + " ns");
    }

    /** A JVM's own recording without kfr: the JDK rules still run, and the report says what is missing. */
    @Test
    void recordingWithoutKfrEvents() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-report-plain");
        Path file = PlainRecording.file();

        JvmRun.Result text = ReportCli.run(Jdk.JDK17, "report", file.toString());
        assertEquals(0, text.exitCode(), text.describe());
        assertTrue(text.stdout().contains("no kfr events in this recording"), text.stdout());
        assertTrue(text.stdout().contains("== JMC JDK rules (" + JDK_RULES + " rules) =="), text.stdout());
        assertTrue(text.stdout().contains("kfr events: none"), text.stdout());

        Path html = dir.resolve("plain.html");
        JvmRun.Result page = ReportCli.run(Jdk.JDK17, "report", "--html", html.toString(), file.toString());
        assertEquals(0, page.exitCode(), page.describe());
        ReportPage p = new ReportPage(html);
        assertNotNull(p.doc.getElementById("no-kfr-events"), "the page says there are no kfr events");
        for (String graph : List.of("offcpu", "cpu")) {
            assertEquals(0, p.graph(graph).value(), graph);
            assertTrue(p.doc.getElementById(graph).selectFirst(".meta").text().startsWith("no kfr."), graph);
        }
    }

    @Test
    void badInputGivesOneLineAndExitCode() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-report-bad");
        Path text = Files.writeString(dir.resolve("notes.jfr"), "this is not a flight recording\n");
        Path truncated = dir.resolve("truncated.jfr");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(ReportRecording.of(Jdk.JDK17).file), 3000));
        Path empty = Files.createFile(dir.resolve("empty.jfr"));
        String good = ReportRecording.of(Jdk.JDK17).file.toString();
        Object[][] cases = {
                {1, new String[] {"report", text.toString()}, "is not a readable JFR recording"},
                {1, new String[] {"report", truncated.toString()}, "is not a readable JFR recording"},
                {1, new String[] {"report", empty.toString()}, "is not a readable JFR recording"},
                {1, new String[] {"report", dir.resolve("missing.jfr").toString()}, "cannot read"},
                {1, new String[] {"report", dir.toString()}, "cannot read"},
                {1, new String[] {"report", "--html", dir.resolve("no/such/dir/r.html").toString(), good}, "cannot write"},
                {2, new String[] {"report"}, "needs one .jfr file"},
                {2, new String[] {"report", "--pdf", good}, "unexpected argument '--pdf'"},
        };
        for (Object[] c : cases) {
            String[] args = (String[]) c[1];
            JvmRun.Result r = ReportCli.run(Jdk.JDK17, args);
            String what = String.join(" ", args) + "\n" + r.describe();
            assertEquals((int) c[0], r.exitCode(), what);
            List<String> lines = r.stderr().lines().toList();
            assertEquals(1, lines.size(), "one line on stderr: " + what);
            assertTrue(lines.get(0).startsWith("kfr: ") && lines.get(0).contains((String) c[2]), what);
            assertTrue(r.stdout().isEmpty(), what);
        }
    }
}
