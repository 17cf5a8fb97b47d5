package io.kfr.it.support.workload;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A workload with a known picture for the report: {@link #sleepTenTimes} sleeps 200 ms ten times
 * on a thread whose name is markup (the page must show it as text), {@link #burnCpu} burns CPU on
 * another. Prints what it measured itself:
 * {@code REPORT-SLEEP-NANOS <wall time inside Thread.sleep>}, {@code REPORT-BURN-CPU-NANOS <thread CPU time>},
 * then {@code REPORT-WORKLOAD-DONE}.
 */
public final class ReportWorkload {
    /** Markup, a script end tag and quotes: untrusted text as a recording can carry it. */
    public static final String HOSTILE_THREAD = "</script><img src=x onerror=\"document.title='pwned'\"> & \"q\" 'a'";
    public static final String BURNER_THREAD = "report-burner";
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    static volatile long sink;
    static volatile long sleptNanos;
    static volatile long burnedNanos;

    private ReportWorkload() {
    }

    public static void main(String[] args) throws Exception {
        Thread sleeper = new Thread(ReportWorkload::sleepTenTimes, HOSTILE_THREAD);
        Thread burner = new Thread(ReportWorkload::burnCpu, BURNER_THREAD);
        sleeper.start();
        burner.start();
        sleeper.join();
        burner.join();
        System.out.println("REPORT-SLEEP-NANOS " + sleptNanos);
        System.out.println("REPORT-BURN-CPU-NANOS " + burnedNanos);
        System.out.println("REPORT-WORKLOAD-DONE");
    }

    static void sleepTenTimes() {
        long total = 0;
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            total += System.nanoTime() - t0;
        }
        sleptNanos = total;
    }

    /** About 1.5 s of CPU time, all of it inside this method (and what the JIT inlines into it). */
    static void burnCpu() {
        long cpu0 = CPU.getCurrentThreadCpuTime();
        long end = System.nanoTime() + 1_500_000_000L;
        long x = 1;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100_000; i++) {
                x = x * 6364136223846793005L + i ^ (x >>> 13);
            }
        }
        sink = x;
        burnedNanos = CPU.getCurrentThreadCpuTime() - cpu0;
    }
}
