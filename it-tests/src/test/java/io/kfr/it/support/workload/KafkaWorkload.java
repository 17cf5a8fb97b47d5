package io.kfr.it.support.workload;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;

/**
 * An Apache Kafka broker (KRaft, broker and controller) in this JVM, loaded by Kafka's own
 * ProducerPerformance (acks=all) from another JVM without kfr, then stopped. The broker's jars are
 * on this JVM's class path; the tool's are given. Usage: KafkaWorkload &lt;server.properties&gt;
 * &lt;port&gt; &lt;tools class path&gt; &lt;records&gt; &lt;records per second&gt;. Prints KFR-KAFKA-DONE.
 */
public final class KafkaWorkload {
    private KafkaWorkload() {
    }

    public static void main(String[] args) throws Exception {
        String properties = args[0];
        int port = Integer.parseInt(args[1]);
        Thread broker = new Thread(() -> {
            try {
                // kafka.Kafka.main starts the broker and waits until it is shut down (by the exit below)
                Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) new String[] {properties});
            } catch (ReflectiveOperationException e) {
                e.printStackTrace();
                Runtime.getRuntime().halt(4);
            }
        }, "kafka-main");
        broker.start();
        awaitPort(port, 180_000);
        Process producer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", args[2], "org.apache.kafka.tools.ProducerPerformance", "--topic", "kfr-load",
                "--num-records", args[3], "--record-size", "1000", "--throughput", args[4],
                "--producer-props", "bootstrap.servers=localhost:" + port, "acks=all")
                .inheritIO().start();
        int rc = producer.waitFor();
        System.out.println(rc == 0 ? "KFR-KAFKA-DONE" : "KFR-KAFKA-PRODUCER-FAILED " + rc);
        System.out.flush();
        // the broker's shutdown hook stops it; kfr's writes the recording
        System.exit(rc);
    }

    private static void awaitPort(int port, long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("localhost", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the broker did not listen on " + port);
    }
}
