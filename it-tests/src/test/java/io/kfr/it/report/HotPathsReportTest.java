package io.kfr.it.report;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;
import io.kfr.collectors.pt.PtHotPath;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.jfr.JfrFiles;
import io.kfr.jfr.KfrChunk;
import io.kfr.jmc.rules.HotPathsRule;
import org.junit.jupiter.api.Test;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.Severity;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot-paths rule and the HTML report's Intel PT section on a recording with kfr.HotPath events
 * of two snapshots (a JVM's own recording with kfr's chunk, as the pt collector writes them):
 * per snapshot and thread, the hottest path first, with its share of the thread's trace.
 */
class HotPathsReportTest {
    private static StackTrace path(String leaf, int line) {
        return new StackTrace(List.of(new Frame("io.kfr.demo.Hot", leaf, "(J)J", FrameType.INLINED, line, 3),
                new Frame("io.kfr.demo.Hot", "loop", "(I)J", FrameType.JIT_COMPILED, 12, 30)), true);
    }

    private static Path recording() throws Exception {
        Path plain = PlainRecording.file();
        Path file = Files.createTempDirectory("kfr-it-hotpaths").resolve("hot.jfr");
        long start = System.currentTimeMillis() * 1_000_000L;
        ThreadRef worker = new ThreadRef(4242, "worker", 21, "worker");
        ThreadRef other = new ThreadRef(4243, "other", 22, "other");
        try (KfrChunk chunk = new KfrChunk(file.getParent().resolve("spool"))) {
            chunk.addHotPath(worker, new PtHotPath(path("mix", 17), 700_000, 50_000, -1, 0), start, 0, "on demand", 1);
            chunk.addHotPath(worker, new PtHotPath(path("fold", 40), 300_000, 1_000, -1, 0), start, 0, "on demand", 1);
            chunk.addHotPath(other, new PtHotPath(path("fold", 41), 10_000, 100, -1, 0), start, 0, "on demand", 1);
            chunk.addHotPath(worker, new PtHotPath(path("fold", 40), 90_000, 900, -1, 0), start + 1_000_000, 0, "off-CPU", 2);
            JfrFiles.mergeAtomically(plain, chunk, file);
        }
        return file;
    }

    @Test
    void theRuleListsTheHottestPathsOfEachSnapshot() throws Exception {
        IItemCollection items = JfrLoaderToolkit.loadEvents(recording().toFile());
        HotPathsRule rule = new HotPathsRule();
        java.util.concurrent.RunnableFuture<IResult> f = rule.createEvaluation(items, IPreferenceValueProvider.DEFAULT_VALUES, null);
        f.run();
        IResult r = f.get();
        assertEquals(Severity.INFO, r.getSeverity(), r.getSummary());
        assertEquals("Hot.mix:17 (inlined) <- Hot.loop:12", r.getResult(HotPathsRule.TOP_PATH));
        assertEquals(List.of(
                "snapshot 1 (on demand), other: 10000 instructions",
                "  Hot.fold:41 (inlined) <- Hot.loop:12: 100% of the trace, 10000 instructions, 100 branches",
                "snapshot 1 (on demand), worker: 1000000 instructions",
                "  Hot.mix:17 (inlined) <- Hot.loop:12: 70% of the trace, 700000 instructions, 50000 branches",
                "  Hot.fold:40 (inlined) <- Hot.loop:12: 30% of the trace, 300000 instructions, 1000 branches",
                "snapshot 2 (off-CPU), worker: 90000 instructions",
                "  Hot.fold:40 (inlined) <- Hot.loop:12: 100% of the trace, 90000 instructions, 900 branches"),
                List.copyOf(r.getResult(HotPathsRule.PATHS)));
        assertTrue(r.getSummary().startsWith("2 Intel PT snapshots of 3 threads' traces; the hottest path"), r.getSummary());
    }

    @Test
    void theHtmlReportHasAnIntelPtSection() throws Exception {
        Path file = recording();
        Path html = file.resolveSibling("hot.html");
        JvmRun.Result run = ReportCli.run(Jdk.JDK17, "report", "--html", html.toString(), file.toString());
        assertEquals(0, run.exitCode(), run.describe());
        org.jsoup.nodes.Document page = org.jsoup.Jsoup.parse(Files.readString(html));
        assertEquals(1, page.select("section#kfr-hot-paths").size(), "the section");
        List<String> traces = page.select("section#kfr-hot-paths h3.pt-trace").eachText();
        assertEquals(List.of("snapshot 1 (on demand), other: 10000 instructions",
                "snapshot 1 (on demand), worker: 1000000 instructions", "snapshot 2 (off-CPU), worker: 90000 instructions"),
                traces);
        List<String> worker = page.select("section#kfr-hot-paths table.pt-paths").get(1).select("td.pt-path").eachText();
        assertEquals(List.of("Hot.mix:17 (inlined) <- Hot.loop:12", "Hot.fold:40 (inlined) <- Hot.loop:12"), worker);
        assertTrue(page.select("[data-rule-id=KfrHotPaths]").size() == 1, "the rule's finding");
    }
}
