package io.kfr.collectors.pt;

/**
 * The reasons a decode stops (or skips ahead), in the order of the counters libkfr_pt fills
 * (native/src/pt/pt_decode.h, enum pt_stop): the names {@link PtDecodeResult#stops} uses.
 */
final class PtStops {
    static final String[] NAMES = {
        "overflow",              // an OVF packet: the hardware lost trace
        "trace end mid-packet",  // the buffer ends inside a packet
        "no code at ip",         // the image has no bytes at an ip (code unloaded, not copied)
        "bad instruction",       // bytes that do not decode, or do not fit the trace (wrong image)
        "bad packet",            // unknown or malformed packet
        "no sync",               // no PSB to start or resume from
        "trace mismatch",        // trace and code disagree (a branch without trace, or the reverse)
        "other error",           // any other libipt error
        "code changed after trace", // the JIT code there was compiled, generated or freed after the trace's time
        "budget",                // the instruction or time budget ran out
    };
    static final String CODE_CHANGED = "code changed after trace";
    /** Stops that are errors (all but the budget). */
    static final int ERROR_REASONS = NAMES.length - 1;

    private PtStops() {
    }
}
