package io.kfr.it.workingset;

import io.kfr.collectors.workingset.FileIdentity;
import io.kfr.collectors.workingset.FileSet;
import io.kfr.collectors.workingset.PageRange;
import io.kfr.collectors.workingset.PrefetchNative;
import io.kfr.collectors.workingset.PrefetchPlan;
import io.kfr.collectors.workingset.WorkingSet;
import io.kfr.collectors.workingset.WorkingSetFormat;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kfr-prefetch, the prefetcher as a native program (written by `kfr prefetcher <dir>`), on a set
 * file written by kfr's own writer: it reads exactly the set's pages (two ranges of a cold 4 MB
 * file, nothing between or past them), skips a file changed since it was recorded, becomes the
 * command it was given, and says a set it cannot use in one line while the command still runs.
 */
class PrefetchProgramTest {
    private static final int PAGES = 1024; // 4 MB

    @TempDir
    Path dir;
    private Path program;
    private Path data;
    private Path changed;
    private Path set;

    @BeforeEach
    void setUp() throws Exception {
        assertNull(PrefetchNative.load());
        Process p = new ProcessBuilder(Jdk.JDK17.java().toString(), "-jar", JvmRun.AGENT_JAR.toString(), "prefetcher",
                dir.resolve("bin").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        program = dir.resolve("bin/kfr-prefetch");
        assertTrue(Files.isExecutable(program), out);

        byte[] b = new byte[PAGES * 4096];
        new Random(11).nextBytes(b);
        data = writeToDisk(dir.resolve("data.bin"), b);
        changed = writeToDisk(dir.resolve("changed.bin"), b);
        // pages 0-63 and 512-575 of data.bin (448 pages apart: two requests), all of changed.bin
        set = dir.resolve("app.ws");
        WorkingSetFormat.write(new WorkingSet(System.currentTimeMillis(), List.of(
                fileSet(data, List.of(new PageRange(0, 64), new PageRange(512, 64))),
                fileSet(changed, List.of(new PageRange(0, PAGES))))), set);
        Files.setLastModifiedTime(changed, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertEquals(0, PrefetchNative.evict(data.toString()));
        assertEquals(0, PrefetchNative.evict(changed.toString()));
        assertEquals(0, resident(data, 0, PAGES));
    }

    @Test
    void readsTheSetThenBecomesTheCommand() throws Exception {
        Result r = run(program.toString(), set.toString(), "--method=read", "--", "sh", "-c", "echo ran as $$");
        assertEquals(0, r.exit, r.out);
        assertTrue(r.out.contains("ran as "), "the command ran: " + r.out);
        assertEquals(64, resident(data, 0, 64), r.out);
        assertEquals(64, resident(data, 512, 576), r.out);
        assertEquals(0, resident(data, 64, 512), "nothing between the ranges: " + r.out);
        assertEquals(0, resident(data, 576, PAGES), "nothing past them: " + r.out);
        assertEquals(0, resident(changed, 0, PAGES), "a file modified since it was recorded is skipped: " + r.out);
        assertTrue(r.out.contains("skipped " + changed + ": modified since it was recorded"), r.out);
        // the same plan as the JVM's prefetcher: its bytes, once
        long planned = PrefetchPlan.of(WorkingSetFormat.read(set), 0).bytes();
        assertTrue(r.out.contains(String.format(java.util.Locale.ROOT, "read %.1f MB of 1 files", planned / 1048576.0)), r.out);
    }

    @Test
    void fadviseWithoutACommandStartsTheReads() throws Exception {
        Result r = run(program.toString(), set.toString());
        assertEquals(0, r.exit, r.out);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (resident(data, 0, 64) + resident(data, 512, 576) < 128 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(128, resident(data, 0, 64) + resident(data, 512, 576), r.out);
        assertTrue(r.out.startsWith("kfr-prefetch: started reading"), r.out);
    }

    /** --background: the command starts at once, and a process of its own reads the set meanwhile. */
    @Test
    void inTheBackgroundTheCommandStartsAtOnce() throws Exception {
        Result r = run(program.toString(), set.toString(), "--method=read", "--background", "--", "sh", "-c", "echo ran");
        assertEquals(0, r.exit, r.out);
        assertTrue(r.out.contains("ran") && r.out.contains("kfr-prefetch: reading " + set + " in the background"), r.out);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (resident(data, 0, 64) + resident(data, 512, 576) < 128 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(128, resident(data, 0, 64) + resident(data, 512, 576), r.out);
        assertEquals(0, resident(data, 64, 512), r.out);
        assertEquals(0, resident(changed, 0, PAGES), r.out);
    }

    @Test
    void aSetItCannotUseIsOneLineAndTheCommandStillRuns() throws Exception {
        byte[] good = Files.readAllBytes(set);
        List<String[]> bad = new ArrayList<>();
        byte[] flipped = good.clone();
        flipped[20] ^= 1; // in the body: the checksum no longer matches
        bad.add(new String[] {"damaged working-set file (checksum)", write("flipped.ws", flipped)});
        bad.add(new String[] {"truncated working-set file", write("cut.ws", java.util.Arrays.copyOf(good, good.length - 3))});
        bad.add(new String[] {"not a kfr working-set file", write("other.ws", "hello".getBytes(StandardCharsets.US_ASCII))});
        bad.add(new String[] {"No such file or directory", dir.resolve("missing.ws").toString()});
        for (String[] b : bad) {
            Result r = run(program.toString(), b[1], "--", "sh", "-c", "echo started; exit 3");
            assertEquals(3, r.exit, "the command's own exit status: " + r.out);
            List<String> lines = r.out.lines().toList();
            assertEquals(List.of("kfr-prefetch: " + b[1] + ": " + b[0], "started"), lines, r.out);
        }
        assertEquals(0, resident(data, 0, PAGES));

        Result usage = run(program.toString(), "--method=populate", set.toString());
        assertEquals(2, usage.exit, usage.out);
        assertEquals(1, usage.out.lines().count(), usage.out);
        Result missingCommand = run(program.toString(), set.toString(), "--");
        assertEquals(2, missingCommand.exit, missingCommand.out);
        Result notThere = run(program.toString(), set.toString(), "--quiet", "--", dir.resolve("no-such-program").toString());
        assertEquals(127, notThere.exit, notThere.out);
        assertTrue(notThere.out.startsWith("kfr-prefetch: cannot execute "), notThere.out);
    }

    /** Written and forced to the disk: dirty pages would stay in the page cache through an eviction. */
    private static Path writeToDisk(Path file, byte[] bytes) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        return file;
    }

    private String write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes).toString();
    }

    private static FileSet fileSet(Path file, List<PageRange> ranges) throws Exception {
        FileIdentity id = FileIdentity.of(file);
        return new FileSet(file.toString(), id.size(), id.mtimeNanos(), id.inode(), id.device(), ranges);
    }

    private static long resident(Path file, long firstPage, long endPage) {
        return PrefetchNative.resident(file.toString(), new long[] {firstPage * 4096, (endPage - firstPage) * 4096});
    }

    private record Result(int exit, String out) {
    }

    private static Result run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        return new Result(p.exitValue(), out);
    }
}
