package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.ReportWorkload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report page in a real browser: headless Chromium through chromedriver (Debian packages
 * chromium and chromium-driver; dev.sh installs them, and the test fails without them). The rendered
 * page shows the findings and the flame graphs with the workload's methods, zooms on a click, keeps
 * a hostile thread name as text, shows the waits that hold up work wide on first render (idle ones
 * hidden, threads merged), and logs no script or security-policy errors.
 */
class ReportHtmlChromiumTest {
    /** The least share of the graph's width a problem stack's frame has on first render. */
    private static final double MIN_PROBLEM_SHARE = 0.10;
    /** The least share of the waker graph's width the monitor holder has (the VM thread ends GC waits beside it). */
    private static final double MIN_WAKER_SHARE = 0.05;
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static ChromeDriver driver;
    private static Path profile;

    @BeforeAll
    static void startChromium() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "headless Chromium is needed: apt-get install chromium chromium-driver (./dev.sh test installs them)");
        profile = Files.createTempDirectory("kfr-it-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1400,1000");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopChromium() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void pageShowsFindingsAndFlameGraphsAndZooms() throws Exception {
        ReportRecording rec = ReportRecording.of(Jdk.JDK17);
        Path html = rec.dir.resolve("chromium.html");
        JvmRun.Result r = ReportCli.run(Jdk.JDK17, "report", "--html", html.toString(), rec.file.toString());
        assertEquals(0, r.exitCode(), r.describe());
        load(html);

        // findings: every registered kfr rule, and JMC's JDK rules above OK
        assertTrue(driver.findElement(By.id("kfr-findings")).isDisplayed());
        for (var rule : ReportTest.KFR_RULES) {
            assertTrue(driver.findElement(By.cssSelector("#kfr-findings .finding[data-rule-id='" + rule.getId() + "']"))
                    .isDisplayed(), rule.getId());
        }
        List<WebElement> jdkFindings = driver.findElements(By.cssSelector("#jdk-rules .finding"));
        assertFalse(jdkFindings.isEmpty(), "JDK rules above OK on the page");
        assertFalse(jdkFindings.get(0).findElement(By.cssSelector(".summary")).getText().isBlank());

        // both graphs drawn, with the workload's methods: its off-CPU time is sleep (an idle wait,
        // hidden at first) in a thread of its own, so the page shows idle waits split by thread
        WebElement offCpu = driver.findElement(By.id("offcpu-graph"));
        driver.findElement(By.cssSelector("#offcpu .show-idle")).click();
        driver.findElement(By.cssSelector("#offcpu .by-thread")).click();
        WebElement sleep = frame("offcpu-graph", "ReportWorkload.sleepTenTimes");
        assertNotNull(sleep, "off-CPU graph shows sleepTenTimes");
        assertTrue(sleep.getRect().getWidth() > 5 && sleep.isDisplayed(), "sleepTenTimes drawn: " + sleep.getRect());
        assertNotNull(frame("cpu-graph", "ReportWorkload.burnCpu"), "CPU graph shows burnCpu");

        // the hostile thread name is a frame's text, not markup
        WebElement hostile = frame("offcpu-graph", ReportWorkload.HOSTILE_THREAD);
        assertNotNull(hostile, "the sleeper's thread frame");
        assertEquals(ReportWorkload.HOSTILE_THREAD, js("return arguments[0].textContent", hostile));
        assertEquals(0L, js("return document.querySelectorAll('img').length"));
        assertFalse(driver.getTitle().contains("pwned"), driver.getTitle());

        // click to zoom: the frame spans the graph, fewer frames are drawn, its thread becomes an ancestor
        String name = sleep.getAttribute("data-name");
        long framesBefore = Long.parseLong(offCpu.getAttribute("data-frames"));
        sleep.click();
        new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> name.equals(offCpu.getAttribute("data-zoom")));
        WebElement zoomed = frame("offcpu-graph", name);
        double graphWidth = ((Number) js("return arguments[0].clientWidth", offCpu)).doubleValue();
        assertTrue(Math.abs(zoomed.getRect().getWidth() - graphWidth) <= 3, "zoomed frame " + zoomed.getRect()
                + " spans the graph (" + graphWidth + " px)");
        long framesAfter = Long.parseLong(offCpu.getAttribute("data-frames"));
        assertTrue(framesAfter < framesBefore, "frames drawn " + framesBefore + " -> " + framesAfter);
        assertTrue(frameElement(offCpu, ReportWorkload.HOSTILE_THREAD, true) != null, "thread shown as ancestor");
        driver.findElement(By.cssSelector("#offcpu .reset")).click();
        new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> "".equals(offCpu.getAttribute("data-zoom")));
        System.out.printf("report page in Chromium: off-CPU frames drawn %d, zoomed on sleepTenTimes %d%n",
                framesBefore, framesAfter);
        assertNoBrowserErrors();
    }

    @Test
    void emptyGraphsSayThereIsNothingToDraw() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-report-plain-page");
        Path file = PlainRecording.file();
        Path html = dir.resolve("plain.html");
        JvmRun.Result r = ReportCli.run(Jdk.JDK17, "report", "--html", html.toString(), file.toString());
        assertEquals(0, r.exitCode(), r.describe());
        load(html);
        assertTrue(driver.findElement(By.id("no-kfr-events")).isDisplayed());
        for (String graph : List.of("offcpu-graph", "waker-graph", "cpu-graph")) {
            WebElement empty = driver.findElement(By.cssSelector("#" + graph + " .flame-empty"));
            assertTrue(empty.isDisplayed() && empty.getText().startsWith("No kfr."), graph + ": " + empty.getText());
        }
        assertNoBrowserErrors();
    }

    /**
     * The page of a recording with known waits that hold up work (RulesWorkload: a thread in fsync,
     * one blocked entering a monitor) among idle threads (a pool waiting for tasks, a sleeper): on
     * first render, without a click, the problem stacks are wide in the off-CPU graph, the idle
     * sleeper is not drawn, and the waker graph names the monitor's holder as the one who woke the
     * blocked thread. Screenshots of the first render go to target/chromium/.
     */
    @Test
    void problemWaitsAreWideOnFirstRender() throws Exception {
        Path file = RulesRecording.of(Jdk.JDK17);
        Path html = file.resolveSibling("rules.html");
        JvmRun.Result r = ReportCli.run(Jdk.JDK17, "report", "--html", html.toString(), file.toString());
        assertEquals(0, r.exitCode(), r.describe());
        load(html);
        Path shots = Files.createDirectories(Path.of("target", "chromium"));
        Files.write(shots.resolve("rules-report.png"), driver.getScreenshotAs(OutputType.BYTES));

        WebElement offCpu = driver.findElement(By.id("offcpu-graph"));
        double width = ((Number) js("return arguments[0].clientWidth", offCpu)).doubleValue();
        Files.write(shots.resolve("rules-offcpu.png"), driver.findElement(By.id("offcpu")).getScreenshotAs(OutputType.BYTES));
        Files.write(shots.resolve("rules-waker.png"), driver.findElement(By.id("waker")).getScreenshotAs(OutputType.BYTES));
        for (String method : List.of("RulesWorkload.flushToDisk", "RulesWorkload.enterLock")) {
            WebElement f = frame("offcpu-graph", method);
            assertNotNull(f, method + " drawn on first render");
            System.out.printf("first render: %s %.0f px of %.0f px%n", method, (double) f.getRect().getWidth(), width);
            assertTrue(f.getRect().getWidth() >= MIN_PROBLEM_SHARE * width && f.isDisplayed(),
                    method + " is " + f.getRect().getWidth() + " px of " + width + " px");
        }
        // the sleeper's sleep is idle: at first only its preemptions (CPU queueing) may be drawn
        long sleeperFirst = drawnValue("offcpu-graph", "RulesWorkload.pollSlowly");
        assertTrue(Long.parseLong(offCpu.getAttribute("data-hidden")) > 0, "idle time hidden");

        // who woke the blocked thread: the monitor's holder, split by waker thread from the start
        WebElement holder = frame("waker-graph", "rules-lock-holder");
        assertNotNull(holder, "the lock holder in the waker graph");
        double wakerWidth = ((Number) js("return arguments[0].clientWidth", driver.findElement(By.id("waker-graph"))))
                .doubleValue();
        System.out.printf("first render: waker rules-lock-holder %.0f px of %.0f px%n",
                (double) holder.getRect().getWidth(), wakerWidth);
        assertTrue(holder.getRect().getWidth() >= MIN_WAKER_SHARE * wakerWidth, "holder " + holder.getRect().getWidth()
                + " px of " + wakerWidth);

        // the idle waits come back on request
        driver.findElement(By.cssSelector("#offcpu .show-idle")).click();
        long sleeperAll = drawnValue("offcpu-graph", "RulesWorkload.pollSlowly");
        System.out.printf("first render: the sleeper's pollSlowly %.1f ms drawn, %.1f ms with idle waits shown%n",
                sleeperFirst / 1e6, sleeperAll / 1e6);
        assertTrue(sleeperAll > 0 && sleeperFirst < 0.1 * sleeperAll, "the idle sleeper hidden at first: "
                + sleeperFirst + " of " + sleeperAll + " ns drawn");
        Files.write(shots.resolve("rules-offcpu-idle-shown.png"),
                driver.findElement(By.id("offcpu")).getScreenshotAs(OutputType.BYTES));
        assertNoBrowserErrors();
    }

    private static void load(Path html) {
        driver.get(html.toUri().toString());
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> "3".equals(
                d.findElement(By.tagName("body")).getAttribute("data-flamegraphs-ready")));
    }

    /** Summed data-value (ns) of the drawn frames of a graph whose name contains the text, outermost ones only. */
    private static long drawnValue(String graphId, String text) {
        return ((Number) js("var fs = Array.from(arguments[0].querySelectorAll('.frame:not(.ancestor)'))"
                + ".filter(f => f.getAttribute('data-name').includes(arguments[1]));"
                + " var tops = fs.filter(f => !fs.some(g => g !== f && g.kfrNode && f.kfrNode"
                + " && isUnder(f.kfrNode, g.kfrNode)));"
                + " function isUnder(n, a) { for (var p = n.parent; p; p = p.parent) { if (p === a) return true; } return false; }"
                + " return tops.reduce((s, f) => s + Number(f.getAttribute('data-value')), 0);",
                driver.findElement(By.id(graphId)), text)).longValue();
    }

    /** The drawn (not ancestor) frame of a graph whose name contains the text. */
    private static WebElement frame(String graphId, String text) {
        return frameElement(driver.findElement(By.id(graphId)), text, false);
    }

    private static WebElement frameElement(WebElement graph, String text, boolean ancestor) {
        return (WebElement) js("return Array.from(arguments[0].querySelectorAll('.frame')).find(f =>"
                + " f.getAttribute('data-name').includes(arguments[1]) && f.classList.contains('ancestor') === arguments[2])"
                + " || null", graph, text, ancestor);
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private static void assertNoBrowserErrors() {
        List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
        assertTrue(errors.isEmpty(), "browser log: " + errors);
    }
}
