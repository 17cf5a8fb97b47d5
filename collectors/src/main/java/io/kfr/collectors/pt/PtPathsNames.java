package io.kfr.collectors.pt;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.hotspot.JavaFrameSymbolizer;
import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.symbols.ProcessMaps;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Names the instruction addresses of a decoded trace with kfr's symbolizers, as the other
 * collectors' frames are named: JIT code through the code heap (the compiled method and its
 * inlined scopes, with lines: {@link JavaFrameSymbolizer#framesAtPc}), native code through the
 * ELF symbols of this process's mappings. One instance per snapshot (its cache holds the names the
 * code had when the snapshot was decoded). Code unloaded between trace and naming is an unknown
 * frame, counted.
 */
public final class PtPathsNames implements LongFunction<List<Frame>> {
    private final Map<Long, List<Frame>> cache = new HashMap<>();
    private final boolean java;
    private final ProcessMaps maps;
    private long unnamed;

    public PtPathsNames() {
        this.java = NativeLibrary.load() == null;
        this.maps = ProcessMaps.self();
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
                    unnamed++;
                }
                return jit;
            }
        }
        Frame n = maps.resolve(ip);
        if (n.type() == FrameType.UNKNOWN) {
            unnamed++;
        }
        return List.of(n);
    }

    /** Distinct addresses that could not be named. */
    public long unnamed() {
        return unnamed;
    }
}
