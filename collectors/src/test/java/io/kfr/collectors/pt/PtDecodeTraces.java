package io.kfr.collectors.pt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trace made by native/test/pt_synth (single-stepped execution turned into PT packets) and what
 * it recorded: the executed ips, each one's branch kind, the image it ran over. The tools are
 * built by native/Makefile (target/native/pt-test).
 */
final class PtDecodeTraces {
    static final Path TOOLS = Path.of("../native/target/native/pt-test").toAbsolutePath().normalize();
    static final int OTHER = 0, COND_NOT_TAKEN = 1, COND_TAKEN = 2, JUMP = 3, CALL = 4, JUMP_INDIRECT = 5,
            CALL_INDIRECT = 6, RETURN = 7, SYSCALL = 8;

    final Path dir;
    final byte[] trace;
    /** The executed instructions' ips, then the ip execution went on to. */
    final long[] steps;
    final byte[] kinds;
    final long tscFirst;
    final long tscLast;
    final List<String> imageLines;

    private PtDecodeTraces(Path dir) throws IOException {
        this.dir = dir;
        trace = Files.readAllBytes(dir.resolve("trace.pt"));
        ByteBuffer s = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("steps.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        steps = new long[s.remaining() / 8];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = s.getLong();
        }
        kinds = Files.readAllBytes(dir.resolve("kinds.bin"));
        long first = 0, last = 0;
        for (String line : Files.readAllLines(dir.resolve("meta.txt"))) {
            if (line.startsWith("tsc ")) {
                String[] f = line.split(" ");
                first = Long.parseUnsignedLong(f[1]);
                last = Long.parseUnsignedLong(f[2]);
            }
        }
        tscFirst = first;
        tscLast = last;
        imageLines = Files.readAllLines(dir.resolve("image.txt"));
        assertEquals(steps.length - 1, kinds.length, "one kind per executed instruction");
    }

    /** pt_target_work of native/test/pt_target, single-stepped. */
    static PtDecodeTraces nativeTarget(Path dir, int iterations, int psbPeriod) throws Exception {
        run(List.of(TOOLS.resolve("pt_synth").toString(), "native", TOOLS.resolve("pt_target").toString(),
                Integer.toString(iterations), dir.toString(), Integer.toString(psbPeriod)));
        return new PtDecodeTraces(dir);
    }

    /** steps single-steps of thread tid of process pid, in its JIT code. */
    static PtDecodeTraces attach(Path dir, long pid, int tid, int steps, int psbPeriod) throws Exception {
        run(List.of(TOOLS.resolve("pt_synth").toString(), "attach", Long.toString(pid), Integer.toString(tid),
                Integer.toString(steps), dir.toString(), Integer.toString(psbPeriod)));
        return new PtDecodeTraces(dir);
    }

    private static void run(List<String> command) throws Exception {
        Files.createDirectories(Path.of(command.get(command.size() - 2))); // outdir
        assertTrue(Files.isExecutable(Path.of(command.get(0))), command.get(0) + " not built (native/Makefile pt-test-tools)");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done && p.exitValue() == 0, () -> String.join(" ", command) + " failed: " + out);
    }

    int instructions() {
        return kinds.length;
    }

    /** The image the steps ran over, as the synthesizer described it. */
    PtImage image() throws IOException {
        PtImage image = PtImage.empty();
        for (String line : imageLines) {
            String[] f = line.split(" ", 5);
            if (f[0].equals("file")) {
                image.addFile(f[4], Long.parseLong(f[3]), Long.parseLong(f[2]), Long.parseUnsignedLong(f[1], 16));
            } else if (f[0].equals("code")) {
                image.addCode(Long.parseUnsignedLong(f[1], 16), Files.readAllBytes(dir.resolve(f[2])), f[2]);
            }
        }
        return image;
    }

    /** The segments the recorded execution has, by PtSegment's rules, from the recorded kinds. */
    List<PtSegment> expectedSegments() {
        List<PtSegment> out = new ArrayList<>();
        long first = 0;
        int n = 0, cond = 0, taken = 0;
        for (int i = 0; i < kinds.length; i++) {
            if (n == 0) {
                first = steps[i];
            }
            n++;
            int end = 0;
            switch (kinds[i]) {
                case COND_TAKEN: taken++; cond++; break;
                case COND_NOT_TAKEN: cond++; break;
                case JUMP: case JUMP_INDIRECT: end = PtSegment.END_JUMP; break;
                case CALL: case CALL_INDIRECT: end = PtSegment.END_CALL; break;
                case RETURN: end = PtSegment.END_RETURN; break;
                case SYSCALL: end = PtSegment.END_SYSCALL; break;
                default: break;
            }
            if (end != 0) {
                // tracing is off in the kernel: where a syscall went is not in the trace
                out.add(new PtSegment(first, steps[i], n, cond, taken, end, end == PtSegment.END_SYSCALL ? 0 : steps[i + 1], -1));
                n = cond = taken = 0;
            }
        }
        if (n > 0) {
            out.add(new PtSegment(first, steps[kinds.length - 1], n, cond, taken, PtSegment.END_GAP, 0, -1));
        }
        return out;
    }

    /** Offsets of the PSB packets in the trace. */
    List<Integer> psbOffsets() {
        List<Integer> out = new ArrayList<>();
        outer:
        for (int i = 0; i + 16 <= trace.length; i++) {
            for (int j = 0; j < 16; j += 2) {
                if (trace[i + j] != 0x02 || (trace[i + j + 1] & 0xff) != 0x82) {
                    continue outer;
                }
            }
            out.add(i);
            i += 15;
        }
        return out;
    }

    /** The TSC of each PSB+ (the TSC packet right after the PSB, as pt_synth writes it), in order. */
    long[] psbTscs() {
        List<Integer> psbs = psbOffsets();
        long[] out = new long[psbs.size()];
        for (int i = 0; i < out.length; i++) {
            int at = psbs.get(i) + 16;
            assertEquals(0x19, trace[at] & 0xff, "a TSC packet follows PSB " + i);
            long tsc = 0;
            for (int b = 7; b >= 1; b--) {
                tsc = tsc << 8 | (trace[at + b] & 0xff);
            }
            out[i] = tsc;
        }
        return out;
    }

    static String describe(PtSegment s) {
        return s.toString();
    }
}
