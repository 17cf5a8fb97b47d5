package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.ReportWorkload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
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
 * page shows the findings and both flame graphs with the workload's methods, zooms on a click, keeps
 * a hostile thread name as text, and logs no script or security-policy errors.
 */
class ReportHtmlChromiumTest {
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

        // both graphs drawn, with the workload's methods
        WebElement offCpu = driver.findElement(By.id("offcpu-graph"));
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
        for (String graph : List.of("offcpu-graph", "cpu-graph")) {
            WebElement empty = driver.findElement(By.cssSelector("#" + graph + " .flame-empty"));
            assertTrue(empty.isDisplayed() && empty.getText().startsWith("No kfr."), graph + ": " + empty.getText());
        }
        assertNoBrowserErrors();
    }

    private static void load(Path html) {
        driver.get(html.toUri().toString());
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> "2".equals(
                d.findElement(By.tagName("body")).getAttribute("data-flamegraphs-ready")));
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
