package io.kfr.collectors.pt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What decoding costs: MB of trace and instructions per second of PtDecoder over synthesized traces
 * of real executions (pt_target_work, and a child JVM's C2 code), and what building the image of
 * this JVM costs (file sections + a copy of the code heap). Every round printed, then the median.
 * Run by `./dev.sh bench` (-Dtest='*Bench'); writes target/bench-pt-decode.txt.
 */
class PtDecodeBench {
    static final int ROUNDS = 11;

    @TempDir
    Path dir;
    final List<String> report = new ArrayList<>();

    void say(String line) {
        System.out.println(line);
        report.add(line);
    }

    @Test
    void decodeSpeed() throws Exception {
        assertNull(PtNative.load());
        say("Intel PT decoding (libipt " + PtNative.libiptVersion() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs), " + ROUNDS + " rounds each, one thread; load average "
                + Files.readString(Path.of("/proc/loadavg")).trim());
        PtDecodeTraces nativeTrace = PtDecodeTraces.nativeTarget(dir.resolve("native"), 2000, 4096);
        try (PtImage image = nativeTrace.image()) {
            measure("native pt_target_work", nativeTrace, image);
        }
        PtDecodeTraces jit = jitTrace(dir.resolve("jit"));
        try (PtImage image = jit.image()) {
            measure("JIT (C2 ptHot, child JVM)", jit, image);
        }
        try (PtImage image = jit.image()) {
            addChanges(image, jit, 5_000);
            measure("JIT, with 5000 sideband changes over its code (all before the trace: none stops it)", jit, image);
        }
        imageCost();
        say("load average at the end (other work on this machine): " + Files.readString(Path.of("/proc/loadavg")).trim());
        Files.write(Path.of("target/bench-pt-decode.txt"), report);
    }

    void measure(String what, PtDecodeTraces t, PtImage image) {
        // repeat the trace so that one round decodes for about 100 ms or more
        int repeat = Math.max(1, 2_000_000 / t.instructions());
        ByteBuffer trace = ByteBuffer.allocateDirect(t.trace.length);
        trace.put(t.trace).flip();
        double[] mbs = new double[ROUNDS];
        double[] mips = new double[ROUNDS];
        say(what + ": " + t.trace.length + " trace bytes, " + t.instructions() + " instructions ("
                + String.format("%.2f", (double) t.trace.length / t.instructions()) + " bytes/instruction), decoded "
                + repeat + " times a round");
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            long instructions = 0;
            for (int i = 0; i < repeat; i++) {
                PtDecodeResult r = PtDecoder.decode(image, trace.duplicate(), PtCpu.unknown(), 100_000_000, 60_000);
                assertEquals(t.instructions(), r.instructions, r::toString);
                instructions += r.instructions;
            }
            double s = (System.nanoTime() - start) / 1e9;
            mbs[round] = (double) t.trace.length * repeat / s / 1e6;
            mips[round] = instructions / s / 1e6;
            say(String.format("  round %2d: %7.1f MB/s  %7.1f M instructions/s", round + 1, mbs[round], mips[round]));
        }
        say(String.format("  median:   %7.1f MB/s  %7.1f M instructions/s", median(mbs), median(mips)));
    }

    /**
     * n changes of 256 bytes each, spread over the code the trace ran through and timed before it,
     * as a JIT's sideband has them: every read of code then looks them up, and none refuses.
     */
    static void addChanges(PtImage image, PtDecodeTraces t, int n) {
        long lo = Arrays.stream(t.steps).min().orElseThrow(), hi = Arrays.stream(t.steps).max().orElseThrow() + 16;
        long step = Math.max(1, (hi - lo) / n);
        for (int i = 0; i < n; i++) {
            image.addChange(lo + i * step, 256, 1 + i % 7);
        }
    }

    void imageCost() {
        double[] ms = new double[ROUNDS];
        long bytes = 0;
        say("image of this JVM (PtImage.ofThisProcess + copyCodeHeap): the snapshot's code copy");
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            try (PtImage image = PtImage.ofThisProcess()) {
                assertTrue(image.copyCodeHeap() > 0);
                bytes = image.copiedBytes();
            }
            ms[round] = (System.nanoTime() - start) / 1e6;
            say(String.format("  round %2d: %6.2f ms (%.1f MB copied)", round + 1, ms[round], bytes / 1e6));
        }
        say(String.format("  median:   %6.2f ms", median(ms)));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** 200k single steps of a child JVM's C2 code (as PtJitDecodeTest). */
    static PtDecodeTraces jitTrace(Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-XX:CompileCommand=quiet",
                "-XX:CompileCommand=dontinline,io.kfr.collectors.pt.PtDecodeJitSpinner::ptHot",
                "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0",
                "-cp", System.getProperty("java.class.path"), PtDecodeJitSpinner.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new BufferedReader(new InputStreamReader(child.getInputStream())).readLine();
            assertTrue(line != null && line.startsWith("tid "), "the child says its spinning thread: " + line);
            return PtDecodeTraces.attach(dir, child.pid(), Integer.parseInt(line.substring(4).trim()), 200_000, 4096);
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
