package io.kfr.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A private copy of the workload classes (io/kfr/it/support/workload) for a child JVM's class path: a build
 * of it-tests running at the same time rewrites target/test-classes, and a child that loads classes
 * late (class churn, nested scenario classes) then fails with ClassNotFoundException.
 */
public final class WorkloadClasses {
    private static final Path WORKLOAD = Path.of("target/test-classes/io/kfr/it/support/workload");

    private WorkloadClasses() {
    }

    /** Copies the workload classes under dir/classes, once the directory holds still, and returns that class path. */
    public static Path copyTo(Path dir, Class<?> main) throws IOException, InterruptedException {
        Path classes = dir.resolve("classes");
        Path target = classes.resolve("io/kfr/it/support/workload");
        Files.createDirectories(target);
        String mainFile = main.getName().substring(main.getName().lastIndexOf('.') + 1) + ".class";
        for (int attempt = 0; attempt < 60; attempt++) {
            Map<Path, Long> before = listing();
            if (before.containsKey(WORKLOAD.resolve(mainFile))) {
                for (Path f : before.keySet()) {
                    Files.copy(f, target.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                if (before.equals(listing())) {
                    return classes;
                }
            }
            Thread.sleep(500); // being compiled right now
        }
        throw new IllegalStateException("the workload classes in " + WORKLOAD + " keep changing");
    }

    private static Map<Path, Long> listing() throws IOException {
        try (Stream<Path> files = Files.list(WORKLOAD)) {
            return files.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toMap(f -> f, f -> {
                try {
                    return Files.getLastModifiedTime(f).toMillis() * 31 + Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
    }
}
