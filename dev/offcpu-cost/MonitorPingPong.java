/**
 * Pairs of threads handing a token back and forth through synchronized + Object.wait/notifyAll
 * (issue 19's monitor pattern). Usage: MonitorPingPong <pairs> <seconds>. Prints hand-offs/s.
 */
public final class MonitorPingPong {
    private static final class Token {
        int turn;
        boolean stop;
    }

    public static void main(String[] args) throws Exception {
        int pairs = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        long[] counts = new long[pairs * 2];
        Token[] tokens = new Token[pairs];
        Thread[] threads = new Thread[pairs * 2];
        for (int p = 0; p < pairs; p++) {
            Token tok = tokens[p] = new Token();
            for (int side = 0; side < 2; side++) {
                int me = side, slot = p * 2 + side;
                threads[slot] = new Thread(() -> {
                    long n = 0;
                    synchronized (tok) {
                        while (!tok.stop) {
                            while (tok.turn != me && !tok.stop) {
                                try {
                                    tok.wait();
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                            tok.turn = 1 - me;
                            n++;
                            tok.notifyAll();
                        }
                    }
                    counts[slot] = n;
                }, "pingpong-" + slot);
                threads[slot].start();
            }
        }
        Thread.sleep(seconds * 1000);
        for (Token tok : tokens) {
            synchronized (tok) {
                tok.stop = true;
                tok.notifyAll();
            }
        }
        long total = 0;
        for (int i = 0; i < threads.length; i++) {
            threads[i].join();
            total += counts[i];
        }
        System.out.printf("MONITOR-HANDOFFS-PER-S %d%n", total / seconds);
    }
}
