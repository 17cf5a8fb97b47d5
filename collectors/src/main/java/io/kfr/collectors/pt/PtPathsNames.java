package io.kfr.collectors.pt;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.hotspot.JavaFrameSymbolizer;
import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.symbols.ProcessMaps;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Names the instruction addresses of a decoded trace with kfr's symbolizers, as the other
 * collectors' frames are named: JIT code through the code heap (the compiled method and its
 * inlined scopes, with lines: {@link JavaFrameSymbolizer#framesAtPc}), native code through the
 * ELF symbols of this process's mappings. One instance per snapshot (its cache holds the names the
 * code had when the snapshot was decoded). Code the code heap cannot name (a stub, the interpreter
 * where kfr's lookup has no name for it) is named by the JVMTI sideband's DynamicCodeGenerated
 * records when it runs: {@code [stub] <name>}, as kfr names stubs elsewhere. Code unloaded between
 * trace and naming is an unknown frame, counted.
 */
public final class PtPathsNames implements LongFunction<List<Frame>> {
    private final Map<Long, List<Frame>> cache = new HashMap<>();
    private final boolean java;
    private final ProcessMaps maps;
    /** The sideband's dynamic code, by start address. */
    private final List<PtSidebandRecord> stubs;
    private long unnamed;

    public PtPathsNames() {
        this(PtSideband.running() ? PtSideband.dynamicCode() : List.of());
    }

    /** Names with these dynamic code records (PtSideband.dynamicCode()). */
    public PtPathsNames(List<PtSidebandRecord> dynamicCode) {
        this.java = NativeLibrary.load() == null;
        this.maps = ProcessMaps.self();
        List<PtSidebandRecord> s = new ArrayList<>(dynamicCode);
        s.sort(Comparator.comparingLong((PtSidebandRecord r) -> r.address));
        this.stubs = s;
    }

    /** The frames at ip, innermost first; never empty. */
    @Override
    public List<Frame> apply(long ip) {
        List<Frame> f = cache.get(ip);
        if (f == null) {
            f = name(ip);
            cache.put(ip, f);
        }
        return f;
    }

    private List<Frame> name(long ip) {
        if (java) {
            List<Frame> jit = JavaFrameSymbolizer.framesAtPc(ip);
            if (jit != null) {
                if (jit.get(0).type() == FrameType.UNKNOWN) {
                    return stubOr(ip, jit);
                }
                return jit;
            }
        }
        Frame n = maps.resolve(ip);
        if (n.type() == FrameType.UNKNOWN) {
            return stubOr(ip, List.of(n));
        }
        return List.of(n);
    }

    /** The sideband's name of the stub at ip, or {@code unknown} (counted). */
    private List<Frame> stubOr(long ip, List<Frame> unknown) {
        String name = stubName(ip);
        if (name != null) {
            return List.of(new Frame("libjvm.so", "[stub] " + name, "()V", FrameType.CPP, -1, -1));
        }
        unnamed++;
        return unknown;
    }

    /** The name of the dynamic code record holding ip that starts nearest below it, or null. */
    String stubName(long ip) {
        int lo = 0, hi = stubs.size(); // the records at index < lo start at or below ip
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (stubs.get(mid).address <= ip) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        // stubs do not nest much: a few records back covers the ones that start below ip and reach it
        for (int i = lo - 1; i >= 0 && i >= lo - 64; i--) {
            PtSidebandRecord r = stubs.get(i);
            if (r.contains(ip) && r.name != null && !r.name.isEmpty()) {
                return r.name;
            }
        }
        return null;
    }

    /** Distinct addresses that could not be named. */
    public long unnamed() {
        return unnamed;
    }
}
