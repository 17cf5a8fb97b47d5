package io.kfr.it.workingset;

import io.kfr.it.support.KafkaKraft;
import io.kfr.it.support.MavenJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A real application from Maven Central that the cold-start benchmark starts to its "ready" line:
 * its jars resolved by Maven into a folder of its own (once), its command, its ready line.
 */
abstract class ColdStartApp {
    final Path dir;
    final Path lib;

    ColdStartApp(Path root, String name) {
        this.dir = root.resolve(name);
        this.lib = dir.resolve("lib");
    }

    abstract String name();

    abstract String pom();

    abstract Pattern ready();

    /** JVM options and main class (after the java launcher and the benchmark's own options). */
    abstract List<String> mainAndArgs();

    /** Before each start (e.g. a fresh data directory); runs before the caches are dropped. */
    void beforeStart(Path java) throws Exception {
    }

    void setUp(Path java) throws Exception {
        MavenJars.resolve(dir, pom());
    }

    List<String> command(Path java, List<String> jvmOptions) {
        List<String> c = new ArrayList<>();
        c.add(java.toString());
        c.addAll(jvmOptions);
        c.add("-cp");
        c.add(classPath());
        c.addAll(mainAndArgs());
        return c;
    }

    String classPath() {
        return lib + "/*";
    }

    static void run(Path dir, List<String> command, int timeoutS) throws IOException, InterruptedException {
        MavenJars.run(dir, command, timeoutS);
    }

    /** The Apache Kafka 4.x broker in KRaft mode (broker and controller in one process). */
    static final class Kafka extends ColdStartApp {
        private final KafkaKraft kafka;

        Kafka(Path root) {
            super(root, "kafka");
            kafka = new KafkaKraft(dir, dir.resolve("data"), 19092, 19093, List.of());
        }

        @Override
        String name() {
            return "kafka " + KafkaKraft.VERSION;
        }

        @Override
        String pom() {
            return KafkaKraft.brokerPom();
        }

        @Override
        Pattern ready() {
            return Pattern.compile("Kafka Server started");
        }

        @Override
        List<String> mainAndArgs() {
            return kafka.mainAndArgs();
        }

        @Override
        void setUp(Path java) throws Exception {
            super.setUp(java);
            kafka.configure("INFO");
        }

        /** A freshly formatted log directory for every start (a broker's second start reads its logs). */
        @Override
        void beforeStart(Path java) throws Exception {
            kafka.format(java);
        }
    }

    /** A Spring Boot 3.5.7 web application (spring-boot-starter-web, embedded Tomcat) with one endpoint. */
    static final class SpringBootWeb extends ColdStartApp {
        SpringBootWeb(Path root) {
            super(root, "spring-boot");
        }

        @Override
        String name() {
            return "spring-boot 3.5.7 web";
        }

        @Override
        String pom() {
            return """
                    <project xmlns="http://maven.apache.org/POM/4.0.0">
                      <modelVersion>4.0.0</modelVersion>
                      <groupId>bench</groupId><artifactId>boot-web</artifactId><version>1</version>
                      <dependencyManagement><dependencies>
                        <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-dependencies</artifactId><version>3.5.7</version><type>pom</type><scope>import</scope></dependency>
                      </dependencies></dependencyManagement>
                      <dependencies>
                        <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
                      </dependencies>
                    </project>
                    """;
        }

        @Override
        Pattern ready() {
            return Pattern.compile("Started \\w+ in");
        }

        @Override
        String classPath() {
            return dir.resolve("app.jar") + ":" + super.classPath(); // the AOT cache takes jars only, no directories
        }

        @Override
        List<String> mainAndArgs() {
            return List.of("-Dserver.port=18080", "bench.BenchApp");
        }

        @Override
        void setUp(Path java) throws Exception {
            super.setUp(java);
            Path src = dir.resolve("src/bench/BenchApp.java");
            Files.createDirectories(src.getParent());
            Files.writeString(src, """
                    package bench;

                    import org.springframework.boot.SpringApplication;
                    import org.springframework.boot.autoconfigure.SpringBootApplication;
                    import org.springframework.web.bind.annotation.GetMapping;
                    import org.springframework.web.bind.annotation.RestController;

                    @SpringBootApplication
                    @RestController
                    public class BenchApp {
                        @GetMapping("/")
                        public String hello() {
                            return "hello";
                        }

                        public static void main(String[] args) {
                            SpringApplication.run(BenchApp.class, args);
                        }
                    }
                    """);
            Path javac = java.resolveSibling("javac");
            run(dir, List.of(javac.toString(), "-parameters", "-cp", super.classPath(), "-d", dir.resolve("classes").toString(),
                    src.toString()), 300);
            run(dir, List.of(java.resolveSibling("jar").toString(), "--create", "--file", dir.resolve("app.jar").toString(), "-C",
                    dir.resolve("classes").toString(), "."), 300);
        }
    }
}
