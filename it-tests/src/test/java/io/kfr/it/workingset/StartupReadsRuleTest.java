package io.kfr.it.workingset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kfr.collectors.workingset.PrefetchNative;
import io.kfr.it.support.Cli;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.SlowDisk;
import io.kfr.jmc.rules.StartupReadsRule;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;

/**
 * The start-up reads rule and the summary's section on a real start: a JVM that reads an 8 MB cold
 * file in readColdFile (and a 256 kB one through a mapping; 10 s in, when Java frames are on) from
 * a disk the kernel throttles to 32 MB/s names the 8 MB file first, with the Java method behind it
 * and the prefetch advice.
 */
class StartupReadsRuleTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void namesTheColdFileFirst(Jdk jdk) throws Exception {
        assertNull(PrefetchNative.load());
        Path big = cold("big.bin", 2048, 3);
        Path small = cold("small.bin", 64, 4);
        Path jfr = dir.resolve("start.jfr");
        JvmRun.Result r;
        try (SlowDisk disk = SlowDisk.throttle(dir, 32L << 20)) {
            r = JvmRun.on(jdk).agent("workingset=" + dir.resolve("app.ws") + ",file=" + jfr).inCgroup(disk.cgroup)
                    .main(ColdFileReader.class, big.toString(), small.toString(), "10000", "1000").run(120);
        }
        assertEquals(0, r.exitCode(), r.describe());

        IItemCollection items = JfrLoaderToolkit.loadEvents(jfr.toFile());
        IRule rule = new StartupReadsRule();
        IResult result = RulesToolkit.evaluateParallel(List.of(rule), items, null, 1).get(rule).get(60, TimeUnit.SECONDS);
        List<String> files = new ArrayList<>(result.getResult(StartupReadsRule.FILES));
        String all = String.join("\n", files);
        assertEquals(big.toString(), result.getResult(StartupReadsRule.TOP_FILE), all);
        assertTrue(files.get(0).startsWith(big + ": ") && files.get(0).contains("ColdFileReader.readColdFile"),
                "the first file and the Java method behind its reads: " + all);
        assertTrue(result.getSolution().contains("kfr-agent.jar run"), result.getSolution());

        Cli.Result summary = Cli.jar(Jdk.JDK25, JvmRun.AGENT_JAR, null, "summary", jfr.toString());
        assertEquals(0, summary.exitCode(), summary.toString());
        List<String> lines = summary.stdout().lines().toList();
        int at = lines.indexOf(lines.stream().filter(l -> l.startsWith("kfr start-up disk reads of ")).findFirst()
                .orElse(null));
        assertTrue(at >= 0, "the summary has the start-up reads section\n" + summary);
        assertTrue(lines.get(at + 2).startsWith("  " + big + ": "), "and names the cold file first\n" + summary);
        assertNotNull(lines.stream().filter(l -> l.startsWith("  advice: ") && l.contains("kfr-agent.jar run")).findFirst()
                .orElse(null), summary.toString());
        System.out.println(jdk + ": " + r.stdout().lines().filter(l -> l.startsWith("read ")).findFirst().orElse("") + "\n"
                + String.join("\n", lines.subList(at, lines.size())));
    }

    private Path cold(String name, int pages, long seed) throws Exception {
        Path p = dir.resolve(name);
        byte[] b = new byte[pages * 4096];
        new Random(seed).nextBytes(b);
        Files.write(p, b);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        assertEquals(0, PrefetchNative.evict(p.toString()));
        return p;
    }
}
