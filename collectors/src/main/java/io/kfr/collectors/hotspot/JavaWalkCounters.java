package io.kfr.collectors.hotspot;

import io.kfr.collectors.Counter;

/** The HotSpot Java stack walker in the kernel, cumulative; filled by each collector that uses it. */
public final class JavaWalkCounters {
    public static final Counter WALKS = Counter.count("javaWalks", "Java Stack Walks",
            "Java stacks walked in the kernel (HotSpot walker), cumulative");
    public static final Counter WALK_TIME = Counter.nanos("javaWalkTime", "Java Walk Time",
            "Time spent walking Java stacks in the kernel, cumulative");
    public static final Counter FRAMES = Counter.count("javaFrames", "Java Frames Walked",
            "Physical Java frames produced by those walks, cumulative");
    public static final Counter CACHE_HITS = Counter.count("javaCacheHits", "Java Stack Cache Hits",
            "Switch-outs that reused a Java stack because the stack slots it depended on were unchanged");
    public static final Counter VERIFY_MISSES = Counter.count("javaVerifyMisses", "Java Stack Verify Misses",
            "Cached contexts whose stack slots had changed, walked again");
    public static final Counter NO_ANCHOR = Counter.count("javaNoAnchor", "Java Threads Without Frames",
            "Switch-outs of Java threads with no Java frames to walk (preempted in Java code, or not in Java yet)");
    public static final Counter BROKEN = Counter.count("javaBroken", "Java Walks Stopped",
            "Java walks that stopped at a frame they could not follow (shown as an unknown frame)");
    public static final Counter TRUNCATED = Counter.count("javaTruncated", "Java Walks Truncated",
            "Java walks cut at 256 frames");
    public static final Counter STACKS_SENT = Counter.count("javaStacksSent", "Java Stacks Sent",
            "New Java stacks announced by the kernel");
    public static final Counter STACKS_LOST = Counter.count("javaStacksLost", "Java Stacks Lost",
            "Java stacks the ring buffer had no room for (their events show a lost-stack frame)");
    public static final Counter FROM_REGISTERS = Counter.count("javaFromRegisters", "Java Walks From Registers",
            "Java walks started from the registers of a thread preempted while running Java code");
    public static final Counter UNVERIFIED = Counter.count("javaUnverified", "Java Stacks Not Verified",
            "Off-CPU events without Java frames: their blocking point's cached Java stack was reused"
                    + " unverified after short intervals (a sample), and the interval turned out long");

    private JavaWalkCounters() {
    }
}
