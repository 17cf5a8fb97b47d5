package io.kfr.jmc.report;

import io.kfr.jmc.events.Frames;
import org.openjdk.jmc.common.IMCFrame;

import java.util.Map;

/**
 * What a node of a flame graph stands for; decides its colour. The frame kinds follow the frame
 * types kfr writes (jfr-bridge: Kernel, Native, C++, Interpreted, JIT compiled, Inlined); frames
 * kfr could not name ("[unknown]", "[java: ...]") are UNKNOWN whatever their type. The names are
 * the CSS classes' suffixes in the page.
 */
enum FrameKind {
    ROOT("root"),
    /** Under the root of an off-CPU graph: the waits that hold up work (the rule's problem kinds). */
    PROBLEM("problem"),
    /** Under the root of an off-CPU graph: waits for work or for other threads; hidden at first. */
    IDLE("idle"),
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

    private static final Map<IMCFrame.Type, FrameKind> BY_TYPE = Map.of(IMCFrame.Type.KERNEL, KERNEL,
            IMCFrame.Type.NATIVE, NATIVE, IMCFrame.Type.CPP, CPP, IMCFrame.Type.INTERPRETED, INTERPRETED,
            IMCFrame.Type.JIT_COMPILED, JIT, IMCFrame.Type.INLINED, INLINED);

    final String css;

    FrameKind(String css) {
        this.css = css;
    }

    static FrameKind of(IMCFrame frame) {
        if (frame.getType() == null || Frames.isUnknown(frame)) {
            return UNKNOWN;
        }
        return BY_TYPE.getOrDefault(frame.getType(), UNKNOWN);
    }
}
