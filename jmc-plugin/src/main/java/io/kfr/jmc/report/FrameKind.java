package io.kfr.jmc.report;

import org.openjdk.jmc.common.IMCFrame;

/**
 * What a node of a flame graph stands for; decides its colour. The frame kinds follow the frame
 * types kfr writes (jfr-bridge: Kernel, Native, C++, Interpreted, JIT compiled, Inlined).
 * The names are the CSS classes' suffixes in the page.
 */
enum FrameKind {
    ROOT("root"),
    THREAD("thread"),
    KERNEL("kernel"),
    NATIVE("native"),
    CPP("cpp"),
    INTERPRETED("interpreted"),
    JIT("jit"),
    INLINED("inlined"),
    UNKNOWN("unknown"),
    /** Tiny subtrees merged into one node to keep the page small. */
    OTHER("other");

    final String css;

    FrameKind(String css) {
        this.css = css;
    }

    static FrameKind of(IMCFrame.Type type) {
        if (type == null) {
            return UNKNOWN;
        }
        if (type.equals(IMCFrame.Type.KERNEL)) {
            return KERNEL;
        }
        if (type.equals(IMCFrame.Type.NATIVE)) {
            return NATIVE;
        }
        if (type.equals(IMCFrame.Type.CPP)) {
            return CPP;
        }
        if (type.equals(IMCFrame.Type.INTERPRETED)) {
            return INTERPRETED;
        }
        if (type.equals(IMCFrame.Type.JIT_COMPILED)) {
            return JIT;
        }
        if (type.equals(IMCFrame.Type.INLINED)) {
            return INLINED;
        }
        return UNKNOWN;
    }
}
