package io.kfr.it.support.workload;

/**
 * Cache soundness: one thread sleeps at the bottom of the same 30-deep recursion, reached
 * alternately through pathA and pathB, two methods of identical shape, so that the innermost
 * frames, the native context and the Java anchor are the same for both and only a deep frame
 * differs. Call i goes through pathA when i is even. Prints "CALL <i> <start> <end> <A|B>" (epoch
 * ns around the call, the path) for each call, then "TWOPATHS-DONE <calls>".
 * <p>With a second argument n ("mixed"), every call sleeps 5 ms, but before each it sleeps 1 ms n
 * times at the same place through a path drawn at random (seeded): the long sleeps follow short
 * ones of the same blocking point reached through either path, and so does the path of each long
 * call (drawn at random too).
 */
public final class TwoPaths {
    private static final int DEPTH = 30;

    public static void main(String[] args) throws Exception {
        int calls = Integer.parseInt(args[0]);
        int shortPerLong = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        java.util.Random random = new java.util.Random(42);
        long[] start = new long[calls];
        long[] end = new long[calls];
        boolean[] a = new boolean[calls];
        for (int i = 0; i < calls; i++) {
            for (int s = 0; s < shortPerLong; s++) {
                call(random.nextBoolean(), SHORT_MS);
            }
            a[i] = shortPerLong == 0 ? i % 2 == 0 : random.nextBoolean();
            start[i] = epochNanos();
            call(a[i], shortPerLong == 0 ? 3 : 5);
            end[i] = epochNanos();
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < calls; i++) {
            out.append("CALL ").append(i).append(' ').append(start[i]).append(' ').append(end[i]).append(' ')
                    .append(a[i] ? 'A' : 'B').append('\n');
        }
        System.out.print(out);
        System.out.println("TWOPATHS-DONE " + calls);
    }

    private static final int SHORT_MS = 1;

    private static void call(boolean a, int millis) throws InterruptedException {
        if (a) {
            pathA(DEPTH, millis);
        } else {
            pathB(DEPTH, millis);
        }
    }

    static void pathA(int depth, int millis) throws InterruptedException {
        rec(depth, millis);
    }

    static void pathB(int depth, int millis) throws InterruptedException {
        rec(depth, millis);
    }

    static void rec(int depth, int millis) throws InterruptedException {
        if (depth == 0) {
            Thread.sleep(millis);
            return;
        }
        rec(depth - 1, millis);
    }

    private static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private TwoPaths() {
    }
}
