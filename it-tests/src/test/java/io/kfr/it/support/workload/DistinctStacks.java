package io.kfr.it.support.workload;

/**
 * Off-CPU waits under ever new Java stacks, for the bounds of kfr's memory: 8 threads each count
 * through 2^17 values and, for each, descend 17 frames choosing {@link #left} or {@link #right}
 * by the value's bits before sleeping 1 ms, so no stack repeats until all 131,072 were used
 * (the threads start at different values). Every {@code interval} seconds it prints
 * {@code HEAP-AFTER-GC <seconds> <bytes>} (the heap after a full GC: what stays live; the least
 * of three 100 ms apart, so that a batch kfr's thread holds for a moment does not count), then
 * {@code PATHS <n>} (distinct stacks slept in) and {@code WORKLOAD-DONE}.
 * Args: seconds interval.
 */
public final class DistinctStacks {
    private static final int DEPTH = 17;

    private DistinctStacks() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(args[0]);
        double interval = Double.parseDouble(args[1]);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        Thread[] threads = new Thread[8];
        long[] visited = new long[threads.length];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                int value = id << (DEPTH - 3);
                while (System.nanoTime() < end) {
                    down(value, DEPTH);
                    value = (value + 1) & ((1 << DEPTH) - 1);
                    visited[id]++;
                }
            }, "distinct-" + t);
            threads[t].start();
        }
        long next = start + (long) (interval * 1e9);
        while (next <= end) {
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000L));
            System.out.println("HEAP-AFTER-GC " + Math.round((next - start) / 1e9) + " " + steadyHeapAfterGc());
            next += (long) (interval * 1e9);
        }
        java.util.BitSet paths = new java.util.BitSet(1 << DEPTH);
        for (int t = 0; t < threads.length; t++) {
            threads[t].join();
            for (long i = 0; i < Math.min(visited[t], 1L << DEPTH); i++) {
                paths.set((int) (((t << (DEPTH - 3)) + i) & ((1 << DEPTH) - 1)));
            }
        }
        System.out.println("PATHS " + paths.cardinality());
        System.out.println("WORKLOAD-DONE");
    }

    private static long steadyHeapAfterGc() throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            if (i > 0) {
                Thread.sleep(100);
            }
            least = Math.min(least, SmallHeap.heapAfterGc());
        }
        return least;
    }

    private static void down(int value, int depth) {
        if (depth == 0) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if ((value >>> (depth - 1) & 1) == 0) {
            left(value, depth - 1);
        } else {
            right(value, depth - 1);
        }
    }

    private static void left(int value, int depth) {
        down(value, depth);
    }

    private static void right(int value, int depth) {
        down(value, depth);
    }
}
