package io.kfr.collectors.threads;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Run in a child JVM (JDK 17 or 25) by ThreadDirectoryTest: starts a named thread, then prints
 * "PROBE tid=<tid> javaId=<id>" for it and the JVM's own threadPrint output.
 */
public final class ThreadDumpProbe {
    static final String NAME = "kfr-probe \"quoted\" name #7 [42] nid=0x1";

    public static void main(String[] args) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        String[] tid = new String[1];
        Thread t = new Thread(() -> {
            try {
                tid[0] = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
                started.countDown();
                Thread.sleep(60_000);
            } catch (Exception e) {
                // interrupted: exit
            }
        }, NAME);
        t.setDaemon(true);
        t.start();
        started.await();
        @SuppressWarnings("deprecation") long id = t.getId();
        Object dump = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "threadPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        System.out.println("PROBE tid=" + tid[0] + " javaId=" + id);
        System.out.println(dump);
    }
}
