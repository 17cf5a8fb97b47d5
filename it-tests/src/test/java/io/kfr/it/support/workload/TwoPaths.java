package io.kfr.it.support.workload;

/**
 * Cache soundness: one thread sleeps at the bottom of the same 30-deep recursion, reached
 * alternately through pathA and pathB, two methods of identical shape, so that the innermost
 * frames, the native context and the Java anchor are the same for both and only a deep frame
 * differs. Call i goes through pathA when i is even. Prints "CALL <i> <start> <end>" (epoch ns
 * around the call) for each call, then "TWOPATHS-DONE <calls>".
 */
public final class TwoPaths {
    private static final int DEPTH = 30;

    public static void main(String[] args) throws Exception {
        int calls = Integer.parseInt(args[0]);
        long[] start = new long[calls];
        long[] end = new long[calls];
        for (int i = 0; i < calls; i++) {
            start[i] = epochNanos();
            if (i % 2 == 0) {
                pathA(DEPTH);
            } else {
                pathB(DEPTH);
            }
            end[i] = epochNanos();
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < calls; i++) {
            out.append("CALL ").append(i).append(' ').append(start[i]).append(' ').append(end[i]).append('\n');
        }
        System.out.print(out);
        System.out.println("TWOPATHS-DONE " + calls);
    }

    static void pathA(int depth) throws InterruptedException {
        rec(depth);
    }

    static void pathB(int depth) throws InterruptedException {
        rec(depth);
    }

    static void rec(int depth) throws InterruptedException {
        if (depth == 0) {
            Thread.sleep(3);
            return;
        }
        rec(depth - 1);
    }

    private static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private TwoPaths() {
    }
}
