package io.kfr.it.offcpu;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.EpochSleepers;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The off-CPU stack map is cleared and reused in epochs (a full map loses every new stack). With a
 * new epoch every 150 ms (checked every 100 ms), two threads waiting 20 ms at a time, one in
 * epoll_wait and one in a futex, keep the kernel stack of the syscall they are in (read from their
 * registers, not from the stack map) for >= 99% of their off-CPU time, and never the other one's;
 * a thread off the CPU across twenty epochs keeps its whole stack: its stacks were read before their
 * map was cleared (carried while its interval ran), never an expired frame or a wrong stack.
 */
class StackEpochTest {
    @Test
    void stacksStayRightAcrossEpochs() throws Exception {
        Path file = Files.createTempDirectory("kfr-it-epochs").resolve("epochs.jfr");
        JvmRun.Result run = JvmRun.on(Jdk.JDK17).env("KFR_STACK_EPOCH_MS", "150")
                .agent("file=" + file + ",offcpu.period=100ms").main(EpochSleepers.class, "3").run(120);
        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.stdout().contains("EPOCH-SLEEPERS-DONE"), run.describe());

        long epochs = 0;
        long expired = 0;
        long[] select = new long[3]; // off-CPU ns in the syscall, ns with its kernel path, ns with the other one's
        long[] park = new long[3];
        String longStack = null;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (type.equals("kfr.CollectorStatistics")) {
                epochs = Math.max(epochs, e.getLong("stackEpochs"));
                expired = Math.max(expired, e.getLong("stacksExpired"));
            } else if (type.equals("kfr.OffCpu") && e.getThread() != null && !e.getBoolean("aggregated")) {
                String thread = e.getThread().getJavaName();
                long ns = e.getDuration().toNanos();
                // the syscall comes from the thread's registers, not from the stack map: the truth
                String syscall = e.getString("syscall");
                if ("epoch-selector".equals(thread) || "epoch-parker".equals(thread)) {
                    if ("epoll_wait".equals(syscall) || "epoll_pwait".equals(syscall)) {
                        count(select, ns, kernelFrames(e), "do_epoll_wait", "futex_wait");
                    } else if ("futex".equals(syscall)) {
                        count(park, ns, kernelFrames(e), "futex_wait", "do_epoll_wait");
                    }
                } else if ("epoch-long".equals(thread) && ns > 2_000_000_000L) {
                    longStack = String.join(" <- ", frames(e));
                }
            }
        }
        System.out.printf("stack epochs %d, expired %d; select %d of %d ns right (%d wrong), park %d of %d ns right (%d wrong)%n",
                epochs, expired, select[1], select[0], select[2], park[1], park[0], park[2]);
        assertTrue(epochs >= 5, "stack epochs started: " + epochs);
        for (long[] t : List.of(select, park)) {
            assertTrue(t[0] > 1_000_000_000L, "the waits were recorded: " + t[0] + " ns");
            assertEquals(0, t[2], "off-CPU time in the syscall with the other syscall's kernel stack");
            assertTrue(t[1] >= 0.99 * t[0], "off-CPU time in the syscall with its kernel stack: " + t[1] + " of " + t[0]);
        }
        // the long sleep began ~20 epochs before it ended: its kernel and native stacks were carried
        System.out.println("the 3 s sleep: " + longStack);
        assertTrue(longStack != null && !longStack.contains("expired") && longStack.contains("kernel.futex")
                && longStack.contains("java.lang.Thread.sleep"), "the 3 s sleep keeps its whole stack: " + longStack);
        assertEquals(0, expired, "stacksExpired");
    }

    private static void count(long[] into, long ns, List<String> kernel, String right, String wrong) {
        into[0] += ns;
        if (kernel.stream().anyMatch(f -> f.equals(right))) {
            into[1] += ns;
        }
        if (kernel.stream().anyMatch(f -> f.equals(wrong))) {
            into[2] += ns;
        }
    }

    /** The frames as owner.method: "kernel.futex_wait", "java.lang.Thread.sleep", an unknown frame's description. */
    private static List<String> frames(RecordedEvent e) {
        return e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames().stream()
                .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName()).toList();
    }

    private static List<String> kernelFrames(RecordedEvent e) {
        return e.getStackTrace() == null ? List.of()
                : e.getStackTrace().getFrames().stream().filter(f -> f.getMethod().getType().getName().equals("kernel"))
                .map(RecordedFrame::getMethod).map(m -> m.getName()).toList();
    }
}
