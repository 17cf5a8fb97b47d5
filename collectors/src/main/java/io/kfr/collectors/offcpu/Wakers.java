package io.kfr.collectors.offcpu;

import io.kfr.collectors.Frame;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a waker's kernel stack says about who woke a thread, and names of wakers outside the JVM. */
final class Wakers {
    private Wakers() {
    }

    /**
     * {@link OffCpuSample.Waker#TIMER} or {@link OffCpuSample.Waker#INTERRUPT} when the wake-up ran
     * in an interrupt or softirq (then `current` was just the task it interrupted), else null.
     * A timer expiry (hrtimer_wakeup: sleep, timed park, poll timeout) is told apart from other
     * interrupts (I/O completion, network receive) because a timed wait running out is the
     * typical idle back-off.
     */
    static String context(StackTrace kernel) {
        boolean interrupt = false;
        boolean timer = false;
        for (Frame f : kernel.frames()) {
            String m = f.method();
            timer |= m.equals("hrtimer_wakeup");
            interrupt |= m.startsWith("asm_sysvec_") || m.startsWith("asm_common_interrupt") || m.startsWith("__sysvec_")
                    || m.equals("handle_softirqs") || m.equals("__do_softirq") || m.startsWith("irq_exit")
                    || m.startsWith("__irq_exit") || m.equals("handle_irq_event") || m.equals("run_ksoftirqd")
                    || m.equals("hrtimer_interrupt");
        }
        if (timer) {
            return OffCpuSample.Waker.TIMER;
        }
        return interrupt ? OffCpuSample.Waker.INTERRUPT : null;
    }

    /**
     * The kernel stack of a wake-up in an interrupt, up to the interrupt's entry: the frames below
     * belong to whatever the interrupt happened to interrupt.
     */
    static StackTrace interruptPart(StackTrace kernel) {
        List<Frame> frames = kernel.frames();
        for (int i = 0; i < frames.size(); i++) {
            String m = frames.get(i).method();
            if (m.startsWith("asm_sysvec_") || m.startsWith("asm_common_interrupt") || m.equals("run_ksoftirqd")) {
                return i + 1 == frames.size() ? kernel : new StackTrace(List.copyOf(frames.subList(0, i + 1)), false);
            }
        }
        return kernel;
    }

    /** Threads of other processes and kernel threads, by /proc comm; a small cache (wakers repeat). */
    static final class ForeignThreads {
        private static final int MAX = 256;
        private final Map<Integer, ThreadRef> cache = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, ThreadRef> e) {
                return size() > MAX;
            }
        };

        ThreadRef lookup(int tid, int tgid) {
            return cache.computeIfAbsent(tid, t -> new ThreadRef(t, name(tid, tgid), -1, null));
        }

        private static String name(int tid, int tgid) {
            try {
                String comm = Files.readString(Path.of("/proc/" + tgid + "/task/" + tid + "/comm"),
                        StandardCharsets.UTF_8).strip();
                return comm + " (pid " + tgid + ")";
            } catch (IOException | RuntimeException e) {
                return "pid " + tgid + " tid " + tid; // gone meanwhile
            }
        }
    }
}
