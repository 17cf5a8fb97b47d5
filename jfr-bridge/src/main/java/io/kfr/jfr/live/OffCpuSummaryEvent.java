package io.kfr.jfr.live;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Lives inside the JVM's own recording: per thread and state, the off-CPU time kfr saw in one
 * period. The stacks themselves are in kfr's chunk (kfr.OffCpu); jdk.jfr events can only carry the
 * committing thread's stack, so here the top frames travel as text.
 */
@Name("kfr.OffCpuSummary")
@Label("Off-CPU Summary")
@Category({"Kernel Flight Recorder", "Off-CPU"})
@Description("Off-CPU time of one thread in one state during one period, as seen by kfr's sched_switch BPF program")
@StackTrace(false)
@Period("endChunk") // what a period has not committed yet enters the chunk as it ends (LiveSummaries)
public final class OffCpuSummaryEvent extends Event {
    @Label("Thread")
    @Description("The Java thread that was off-CPU (null for threads the JVM does not know as Java threads)")
    public Thread sampledThread;

    @Label("OS Thread Id")
    public long osThreadId;

    @Label("Thread Name")
    public String threadName;

    @Label("State")
    @Description("S: sleeping, D: uninterruptible (usually I/O), R: preempted, OTHER")
    public String state;

    @Label("Total Off-CPU Time")
    @Timespan(Timespan.NANOSECONDS)
    public long total;

    @Label("Intervals")
    public long count;

    @Label("Top Frames")
    @Description("Innermost frames of the stack with the most off-CPU time in this period")
    public String topFrames;

}
