package io.kfr.it.support;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A second Java agent, after kfr's on the command line: its premain returns once kfr's start
 * (the kfr-start thread: collectors loading their BPF programs, which premain no longer waits
 * for) has finished. The workloads' main then runs with the collectors attached, as the tests
 * that check what they record need; kfr's own start-up path is the production one.
 */
public final class AwaitKfrStart {
    private static final long MAX_WAIT_MILLIS = 120_000;
    private static Path jar;

    private AwaitKfrStart() {
    }

    public static void premain(String args, Instrumentation inst) throws InterruptedException {
        // join, not a sleep loop: a sleep on main would be a jdk.ThreadSleep before kfr attached,
        // which the tests that match the JVM's sleeps to kfr's intervals would count
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("kfr-start")) {
                t.join(MAX_WAIT_MILLIS);
            }
        }
    }

    /** The JVM argument that adds this agent (a jar any user can read, made once). */
    public static synchronized String jvmArg() throws IOException {
        if (jar == null) {
            Path dir = Files.createTempDirectory("kfr-it-await", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
            Path j = dir.resolve("await-kfr-start.jar");
            Manifest m = new Manifest();
            m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            m.getMainAttributes().put(new Attributes.Name("Premain-Class"), AwaitKfrStart.class.getName());
            String entry = AwaitKfrStart.class.getName().replace('.', '/') + ".class";
            try (OutputStream out = Files.newOutputStream(j); JarOutputStream jo = new JarOutputStream(out, m)) {
                jo.putNextEntry(new JarEntry(entry));
                jo.write(Files.readAllBytes(Path.of("target/test-classes").resolve(entry)));
                jo.closeEntry();
            }
            Files.setPosixFilePermissions(j, PosixFilePermissions.fromString("rw-r--r--"));
            dir.toFile().deleteOnExit();
            j.toFile().deleteOnExit();
            jar = j;
        }
        return "-javaagent:" + jar;
    }
}
