package io.kfr.collectors.pt;

import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proof over real JIT code: a thread spinning in C2-compiled ptHot (a loop with ptStep inlined) is
 * single-stepped with ptrace (ptStep's megamorphic call takes it through lambdas and an itable stub); the packets PT would have written, decoded over the code bytes copied
 * out of the code heap, give back exactly the recorded instructions. In child JVMs of JDK 17, 25
 * and 21 (the nmethod's bounds from jcmd Compiler.codelist), once in this JVM, where the image is this
 * process's own (PtImage.ofThisProcess + copyCodeHeap) and the decoded pcs are named by
 * KfrNative.javaNamesAtPc: ptHot, with ptStep inlined.
 */
class PtJitDecodeTest {
    static final int STEPS = 20_000;

    @TempDir
    Path dir;

    /** This JDK (17 as built), JDK 25 (which the tests require) and JDK 21 where dev/install-jdks.sh put it. */
    static List<String> jdks() {
        List<String> homes = new ArrayList<>(List.of(System.getProperty("java.home"), "/usr/lib/jvm/temurin-25-jdk-amd64"));
        if (Files.isExecutable(Path.of("/opt/kfr-jdks/jdk21/bin/java"))) {
            homes.add("/opt/kfr-jdks/jdk21");
        }
        return homes;
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aChildJvmsNmethodDecodesToTheSingleSteppedInstructions(String javaHome) throws Exception {
        assertNull(PtNative.load());
        String java = Path.of(javaHome, "bin", "java").toString();
        assertTrue(Files.isExecutable(Path.of(java)), java);
        Process child = new ProcessBuilder(java, "-XX:CompileCommand=quiet",
                "-XX:CompileCommand=dontinline,io.kfr.collectors.pt.PtDecodeJitSpinner::ptHot",
                "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0",
                "-cp", System.getProperty("java.class.path"), PtDecodeJitSpinner.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("tid "), "the child says its spinning thread: " + line);
            int tid = Integer.parseInt(line.substring(4).trim());
            List<long[]> nmethods = c2Nmethods(javaHome, child.pid(), PtDecodeJitSpinner.class.getName() + ".ptHot");
            PtDecodeTraces t = PtDecodeTraces.attach(dir, child.pid(), tid, STEPS, 4096);
            assertTrue(t.instructions() > STEPS / 2, "stepped in JIT code: " + t.instructions());
            assertTrue(t.imageLines.stream().allMatch(l -> l.startsWith("code ")), "JIT code only: " + t.imageLines);
            long inNmethod = Arrays.stream(t.steps).filter(ip -> nmethods.stream().anyMatch(r -> ip >= r[0] && ip < r[1])).count();
            // the rest: the lambdas ptStep calls and the itable stub between
            assertTrue(inNmethod * 3 > t.instructions(), inNmethod + " of " + t.instructions() + " steps in ptHot's C2 code");
            assertDecodesExactly(t, t.image());
            System.out.println("PtJitDecodeTest child JVM " + javaHome + ": " + t.instructions() + " instructions single-stepped, " + inNmethod
                    + " in ptHot's C2 nmethod(s), " + t.trace.length + " trace bytes, decoded exactly");
            try (PtImage none = PtImage.empty()) { // the nmethod unloaded before decoding
                PtDecodeResult r = PtDecoder.decode(none, ByteBuffer.wrap(t.trace), PtCpu.unknown(), 1_000_000, 2_000);
                assertEquals(0, r.instructions, r::toString);
                assertTrue(r.stops.getOrDefault("no code at ip", 0) >= 1, r::toString);
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void thisJvmsCodeHeapCopyDecodesAndItsPcsAreNamed() throws Exception {
        assertNull(PtNative.load());
        assertNull(NativeLibrary.load());
        AtomicInteger tid = new AtomicInteger();
        Thread spinner = new Thread(() -> {
            int[] a = PtDecodeJitSpinner.data();
            PtDecodeJitSpinner.warm(a);
            try {
                tid.set(PtDecodeJitSpinner.tid());
            } catch (java.io.IOException e) {
                tid.set(-1);
            }
            PtDecodeJitSpinner.spin(a);
        }, "pt-decode-spinner");
        spinner.setDaemon(true);
        spinner.start();
        try {
            long until = System.nanoTime() + 30_000_000_000L;
            while (tid.get() == 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertTrue(tid.get() > 0, "the spinner warmed up");
            // Recording ends where the thread enters a safepoint (pt_synth stops before the blob's
            // pushf), which this JVM, unlike the child, may request at any time. And HotSpot patches
            // call sites at safepoints (an inline cache leaves its transitional stub): code copied
            // after such a safepoint is not the code the trace ran through, and decodes to a
            // slightly different path. So: a safepoint first (System.gc), and up to 5 attempts for
            // one without a safepoint between trace and copy. Over the synthesizer's own copy,
            // taken while the thread stood, every attempt must decode exactly.
            long[] ips = null;
            PtDecodeTraces t = null;
            PtImage image = null;
            int differed = 0;
            for (int attempt = 0; attempt < 5 && ips == null; attempt++) {
                System.gc();
                t = PtDecodeTraces.attach(dir.resolve("attempt" + attempt), ProcessHandle.current().pid(), tid.get(), STEPS, 4096);
                if (t.instructions() < 1_000) {
                    continue;
                }
                try (PtImage atTrace = t.image()) {
                    assertDecodesExactly(t, atTrace);
                }
                if (image != null) {
                    image.close();
                }
                image = PtImage.ofThisProcess();
                assertTrue(image.copyCodeHeap() > 0, "anonymous executable mappings copied");
                long[] decoded = new long[t.instructions() + 16];
                PtDecodeResult r = PtDecoder.decode(image, ByteBuffer.wrap(t.trace), PtCpu.unknown(), 10_000_000, 10_000, decoded);
                if (r.instructions == t.instructions()
                        && Arrays.equals(Arrays.copyOf(decoded, t.instructions()), Arrays.copyOf(t.steps, t.instructions()))) {
                    ips = assertDecodesExactly(t, image);
                } else {
                    differed++;
                }
            }
            assertTrue(ips != null, "no attempt's code heap copy decoded to the recorded instructions (" + differed + " differed)");
            try {
                List<String> named = new ArrayList<>();
                int unnamed = 0;
                for (int i = 0; i < ips.length; i += 97) {
                    String names = KfrNative.javaNamesAtPc(ips[i]);
                    if (names == null || names.startsWith("!")) {
                        unnamed++;
                    } else {
                        named.add(names);
                    }
                }
                assertTrue(!named.isEmpty(), "decoded pcs named (" + unnamed + " not)");
                long inHot = named.stream().filter(s -> s.contains("\tptHot\t")).count();
                System.out.println("PtJitDecodeTest this JVM: " + t.instructions() + " instructions decoded exactly over "
                        + image.copiedBytes() + " copied code bytes (" + differed + " attempts' copies differed from the traced code); " + named.size() + " sampled pcs named (" + inHot
                        + " in ptHot, " + named.stream().filter(s -> s.contains("\tptStep\t")).count() + " in ptStep inlined), "
                        + unnamed + " not");
                assertTrue(inHot * 3 > named.size(), inHot + " of " + named.size() + " named pcs in ptHot: " + named);
                assertTrue(named.stream().allMatch(s -> s.contains("PtDecodeJitSpinner")), "all in the spinner's code: " + named);
                assertTrue(named.stream().anyMatch(s -> s.indexOf("\tptStep\t") >= 0 && s.indexOf("\tptStep\t") < s.indexOf("\tptHot\t")),
                        "some decoded pcs are in ptStep inlined into ptHot: " + named);
            } finally {
                image.close();
            }
        } finally {
            PtDecodeJitSpinner.stop = true;
            spinner.join(10_000);
        }
    }

    /** Decodes t over image: every recorded ip, in order, and nothing else. Returns the decoded ips. */
    static long[] assertDecodesExactly(PtDecodeTraces t, PtImage image) {
        long[] ips = new long[t.instructions() + 16];
        PtDecodeResult r = PtDecoder.decode(image, ByteBuffer.wrap(t.trace), PtCpu.unknown(), 10_000_000, 10_000, ips);
        assertEquals(0, r.errors, r::toString);
        assertTrue(r.stops.isEmpty(), r::toString);
        assertEquals(t.instructions(), r.instructions, r::toString);
        assertArrayEquals(Arrays.copyOf(t.steps, t.instructions()), Arrays.copyOf(ips, t.instructions()));
        List<PtSegment> expected = t.expectedSegments();
        assertEquals(expected.size(), r.segments.size(), r::toString);
        for (int i = 0; i < expected.size(); i++) {
            PtSegment e = expected.get(i), a = r.segments.get(i);
            assertEquals(e.toString(), a.toString().replaceAll("t=-?\\d+$", "t=-1"), "segment " + i);
        }
        return Arrays.copyOf(ips, t.instructions());
    }

    /** [code begin, code end) of the in-use C2 (level 4) nmethods of a method, from jcmd Compiler.codelist. */
    static List<long[]> c2Nmethods(String javaHome, long pid, String method) throws Exception {
        String jcmd = Path.of(javaHome, "bin", "jcmd").toString();
        long until = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < until) {
            Process p = new ProcessBuilder(jcmd, Long.toString(pid), "Compiler.codelist").redirectErrorStream(true).start();
            List<long[]> out = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                // "<id> <level> <state> <method> [<blob>, <code begin> - <code end>]"; state 0: in use
                for (String line; (line = r.readLine()) != null; ) {
                    String[] f = line.split(" ");
                    if (f.length >= 8 && f[1].equals("4") && f[2].equals("0") && f[3].startsWith(method + "(")) {
                        out.add(new long[] {Long.decode(f[5].replace(",", "")), Long.decode(f[7].replace("]", ""))});
                    }
                }
            }
            p.waitFor(30, TimeUnit.SECONDS);
            if (!out.isEmpty()) {
                return out;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no C2 nmethod of " + method + " in " + pid);
    }
}
