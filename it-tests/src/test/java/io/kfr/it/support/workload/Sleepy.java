package io.kfr.it.support.workload;

/** Sleeps a little and says it finished: proof that the JVM ran normally under the agent. */
public final class Sleepy {
    private Sleepy() {
    }

    public static void main(String[] args) throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            Thread.sleep(40);
        }
        System.out.println("WORKLOAD-DONE");
    }
}
