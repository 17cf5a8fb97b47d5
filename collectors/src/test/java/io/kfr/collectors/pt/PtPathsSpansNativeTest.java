package io.kfr.collectors.pt;

import io.kfr.collectors.Frame;
import io.kfr.collectors.symbols.ElfSymbolTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hot paths and spans from a real decoded trace: pt_target_work of native/test/pt_target,
 * single-stepped and turned into PT packets by the synthesizer, decoded by libipt. What the
 * conversion gives is checked against the recording itself (every executed ip, its branch kind):
 * instructions and conditional branches per function, the callers of each path, one span per call
 * with its depth and its instructions from call to return.
 */
class PtPathsSpansNativeTest {
    @TempDir
    static Path dir;
    static PtDecodeTraces t;
    static List<PtSegment> segments;
    static LongFunction<List<Frame>> names;

    @BeforeAll
    static void decode() throws Exception {
        assertNull(PtNative.load());
        t = PtDecodeTraces.nativeTarget(dir, 40, 512);
        names = elfNames(t);
        try (PtImage image = t.image()) {
            PtCpu identity = PtCpu.unknown().withTscConversion(0, 1, 0); // ns == the synthesizer's TSC
            PtDecodeResult r = PtDecoder.decode(image, ByteBuffer.wrap(t.trace), identity, 10_000_000, 10_000);
            assertEquals(0, r.errors, r::toString);
            assertEquals(t.instructions(), r.instructions);
            segments = r.segments;
        }
    }

    /** Names an ip of the traced program by its ELF symbols (the file and mapping the synthesizer wrote). */
    private static LongFunction<List<Frame>> elfNames(PtDecodeTraces t) throws Exception {
        List<long[]> maps = new ArrayList<>();
        List<ElfSymbolTable> tables = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (String line : t.imageLines) {
            String[] f = line.split(" ", 5);
            if (f[0].equals("file")) {
                maps.add(new long[] {Long.parseUnsignedLong(f[1], 16), Long.parseLong(f[2]), Long.parseLong(f[3])});
                tables.add(ElfSymbolTable.load(Path.of(f[4])));
                files.add(Path.of(f[4]).getFileName().toString());
            }
        }
        Map<Long, List<Frame>> cache = new HashMap<>();
        return ip -> cache.computeIfAbsent(ip, a -> {
            for (int i = 0; i < maps.size(); i++) {
                long[] m = maps.get(i);
                if (a >= m[0] && a < m[0] + m[1]) {
                    String fn = tables.get(i).lookup(tables.get(i).fileOffsetToVaddr(m[2] + (a - m[0])));
                    return List.of(Frame.nativeCode(files.get(i), fn == null ? "?" : fn, false));
                }
            }
            return List.of(Frame.unknown("[unmapped]"));
        });
    }

    private static String fn(long ip) {
        return names.apply(ip).get(0).method();
    }

    @Test
    void pathsCountEachFunctionsInstructionsAndBranchesAsRecorded() {
        Map<String, Long> expectedInstructions = new TreeMap<>();
        Map<String, Long> expectedBranches = new TreeMap<>();
        for (int i = 0; i < t.instructions(); i++) {
            expectedInstructions.merge(fn(t.steps[i]), 1L, Long::sum);
            boolean cond = t.kinds[i] == PtDecodeTraces.COND_TAKEN || t.kinds[i] == PtDecodeTraces.COND_NOT_TAKEN;
            expectedBranches.merge(fn(t.steps[i]), cond ? 1L : 0L, Long::sum);
        }
        List<PtHotPath> paths = PtPaths.of(segments, names);
        Map<String, Long> instructions = new TreeMap<>();
        Map<String, Long> branches = new TreeMap<>();
        for (PtHotPath p : paths) {
            instructions.merge(p.stack.frames().get(0).method(), p.instructions, Long::sum);
            branches.merge(p.stack.frames().get(0).method(), p.branches, Long::sum);
        }
        assertEquals(expectedInstructions, instructions);
        assertEquals(expectedBranches, branches);
        assertTrue(instructions.keySet().containsAll(List.of("pt_target_work", "pt_leaf_add", "pt_leaf_mix")),
                instructions.toString());
        for (int i = 1; i < paths.size(); i++) {
            assertTrue(paths.get(i - 1).instructions >= paths.get(i).instructions, "hottest first");
        }
    }

    @Test
    void pathsCarryTheCallersTheTraceShowed() {
        for (PtHotPath p : PtPaths.of(segments, names)) {
            List<String> stack = new ArrayList<>();
            p.stack.frames().forEach(f -> stack.add(f.method()));
            assertTrue(p.stack.truncated(), "callers above the trace's start are unknown");
            switch (stack.get(0)) {
                case "pt_target_work": // the trace starts in it: its caller was never seen calling
                case "main": // returned to below the start
                    assertEquals(1, stack.size(), p.toString());
                    break;
                case "pt_target_done":
                    assertEquals(List.of("pt_target_done", "main"), stack, p.toString());
                    break;
                default: // the leaves, libc's getppid and the PLT entry before it: called by pt_target_work
                    assertEquals(List.of(stack.get(0), "pt_target_work"), stack, p.toString());
            }
            assertTrue(p.startNanos >= t.tscFirst && p.startNanos <= t.tscLast, p.toString());
        }
    }

    @Test
    void oneSpanPerCallWithItsDepthAndItsInstructions() {
        // from the recording: each call's callee and the instructions from its first to its return
        List<String> callees = new ArrayList<>();
        List<Long> lengths = new ArrayList<>();
        for (int i = 0; i < t.instructions(); i++) {
            if (t.kinds[i] == PtDecodeTraces.CALL || t.kinds[i] == PtDecodeTraces.CALL_INDIRECT) {
                int depth = 0;
                int j = i + 1;
                for (; j < t.instructions(); j++) {
                    byte k = t.kinds[j];
                    depth += k == PtDecodeTraces.CALL || k == PtDecodeTraces.CALL_INDIRECT ? 1
                            : k == PtDecodeTraces.RETURN ? -1 : 0;
                    if (depth < 0) {
                        break;
                    }
                }
                callees.add(fn(t.steps[i + 1]));
                lengths.add((long) Math.min(j + 1, t.instructions()) - (i + 1));
            }
        }
        List<PtSpan> spans = PtSpans.of(segments, names);
        List<String> spanCallees = new ArrayList<>();
        List<Long> spanLengths = new ArrayList<>();
        Map<String, Integer> depths = new HashMap<>();
        for (PtSpan s : spans) {
            String f = s.method.substring(s.method.indexOf('!') + 1);
            depths.put(f, s.depth);
            if (!f.equals("pt_target_work") && !f.equals("main")) { // those two were entered before the trace
                spanCallees.add(f);
                spanLengths.add(s.endInstruction - s.startInstruction);
            }
            assertTrue(s.startNanos <= s.endNanos, s.toString());
        }
        assertEquals(callees, spanCallees);
        assertEquals(lengths, spanLengths);
        assertEquals(Integer.valueOf(0), depths.get("main"), "the return below the start found the shallowest frame");
        assertEquals(Integer.valueOf(1), depths.get("pt_target_work"));
        assertEquals(Integer.valueOf(2), depths.get("pt_leaf_add"));
        assertEquals(Integer.valueOf(2), depths.get("pt_leaf_mix"));
        assertTrue(callees.size() > 40, "the loop's calls: " + callees.size());
    }

    /** pt.trigger's cut: a snapshot for an off-CPU interval keeps what ran before the thread blocked. */
    @Test
    void anOffCpuSnapshotKeepsWhatRanBeforeTheThreadBlocked() throws Exception {
        List<PtSegment> timed;
        try (PtImage image = t.image()) {
            timed = PtDecoder.decode(image, ByteBuffer.wrap(t.trace), PtCpu.unknown().withTscConversion(0, 1, 0),
                    10_000_000, 10_000).segments;
        }
        long blockedAt = timed.get(timed.size() / 2).timeNanos;
        List<PtSegment> kept = PtSnapshotDecode.until(timed, blockedAt);
        assertTrue(kept.size() >= timed.size() / 2 && kept.size() < timed.size(), kept.size() + " of " + timed.size());
        assertTrue(kept.stream().allMatch(s -> s.timeNanos <= blockedAt));
        assertTrue(timed.get(kept.size()).timeNanos > blockedAt, "the first segment left out ended after the block");
    }

    @Test
    void aGapStartsAFreshStack() throws Exception {
        // the trace up to a point inside a leaf call (one caller on the stack), a gap, then the trace
        // cut before its second PSB (decoding resynchronizes there, anywhere in the loop): the paths of
        // the whole are those of the two parts apart, so nothing of the first stack reaches the second
        int k = 0;
        while (!fn(segments.get(k).firstIp).startsWith("pt_leaf")) {
            k++;
        }
        List<PtSegment> first = new ArrayList<>(segments.subList(0, k + 1));
        PtSegment g = first.get(k);
        first.set(k, new PtSegment(g.firstIp, g.lastIp, g.instructions, g.conditionals, g.conditionalsTaken,
                PtSegment.END_GAP, 0, g.timeNanos));
        List<Integer> psbs = t.psbOffsets();
        List<PtSegment> second;
        try (PtImage image = t.image()) {
            int at = psbs.get(1) - 5;
            second = PtDecoder.decode(image, ByteBuffer.wrap(t.trace, at, t.trace.length - at), PtCpu.unknown(),
                    10_000_000, 10_000).segments;
        }
        List<PtSegment> joined = new ArrayList<>(first);
        joined.addAll(second);
        Map<List<String>, Long> apart = byStack(first);
        byStack(second).forEach((key, n) -> apart.merge(key, n, Long::sum));
        assertTrue(apart.containsKey(List.of(fn(g.lastIp), "pt_target_work")), "the first part ends inside a call: " + apart);
        assertEquals(apart, byStack(joined));
    }

    private static Map<List<String>, Long> byStack(List<PtSegment> segs) {
        Map<List<String>, Long> out = new HashMap<>();
        for (PtHotPath p : PtPaths.of(segs, names)) {
            List<String> key = new ArrayList<>();
            p.stack.frames().forEach(f -> key.add(f.method()));
            out.merge(key, p.instructions, Long::sum);
        }
        return out;
    }
}
