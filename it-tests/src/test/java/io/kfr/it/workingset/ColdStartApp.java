package io.kfr.it.workingset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real application from Maven Central that the cold-start benchmark starts to its "ready" line:
 * its jars resolved by Maven into a folder of its own (once), its command, its ready line.
 */
public abstract class ColdStartApp {
    public final Path dir;
    public final Path lib;

    protected ColdStartApp(Path root, String name) {
        this.dir = root.resolve(name);
        this.lib = dir.resolve("lib");
    }

    public abstract String name();

    public abstract String pom();

    public abstract Pattern ready();

    /** JVM options and main class (after the java launcher and the benchmark's own options). */
    public abstract List<String> mainAndArgs();

    /** Before each start (e.g. a fresh data directory); runs before the caches are dropped. */
    public void beforeStart(Path java) throws Exception {
    }

    public void setUp(Path java) throws Exception {
        if (!Files.isDirectory(lib) || Files.list(lib).findAny().isEmpty()) {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("pom.xml"), pom());
            run(dir, List.of("mvn", "-B", "-ntp", "-q", "dependency:copy-dependencies", "-DoutputDirectory=" + lib,
                    "-DincludeScope=runtime"), 600);
        }
    }

    public List<String> command(Path java, List<String> jvmOptions) {
        List<String> c = new ArrayList<>();
        c.add(java.toString());
        c.addAll(jvmOptions);
        c.add("-cp");
        c.add(classPath());
        c.addAll(mainAndArgs());
        return c;
    }

    public String classPath() {
        return lib + "/*";
    }

    public static void run(Path dir, List<String> command, int timeoutS) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("setup.log").toFile()).start();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed; see " + dir.resolve("setup.log"));
        }
    }

    /** The Apache Kafka 4.x broker in KRaft mode (broker and controller in one process). */
    public static final class Kafka extends ColdStartApp {
        public static final String VERSION = "4.4.0";

        public Kafka(Path root) {
            super(root, "kafka");
        }

        @Override
        public String name() {
            return "kafka " + VERSION;
        }

        @Override
        public String pom() {
            return """
                    <project xmlns="http://maven.apache.org/POM/4.0.0">
                      <modelVersion>4.0.0</modelVersion>
                      <groupId>bench</groupId><artifactId>kafka-broker</artifactId><version>1</version>
                      <dependencies>
                        <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>%s</version></dependency>
                        <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>2.24.3</version></dependency>
                        <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>
                        <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version></dependency>
                      </dependencies>
                    </project>
                    """.formatted(VERSION);
        }

        @Override
        public Pattern ready() {
            return Pattern.compile("Kafka Server started");
        }

        @Override
        public List<String> mainAndArgs() {
            return List.of("-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"), "kafka.Kafka",
                    dir.resolve("server.properties").toString());
        }

        @Override
        public void setUp(Path java) throws Exception {
            super.setUp(java);
            Files.writeString(dir.resolve("server.properties"), String.join("\n",
                    "process.roles=broker,controller", "node.id=1", "controller.quorum.bootstrap.servers=localhost:19093",
                    "listeners=PLAINTEXT://localhost:19092,CONTROLLER://localhost:19093",
                    "advertised.listeners=PLAINTEXT://localhost:19092,CONTROLLER://localhost:19093",
                    "controller.listener.names=CONTROLLER", "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"), "num.partitions=1", "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1", ""));
            Files.writeString(dir.resolve("log4j2.properties"), String.join("\n", "rootLogger.level=INFO",
                    "rootLogger.appenderRef.stdout.ref=STDOUT", "appender.stdout.type=Console", "appender.stdout.name=STDOUT",
                    "appender.stdout.layout.type=PatternLayout", "appender.stdout.layout.pattern=[%d] %p %m (%c)%n", ""));
        }

        /** A freshly formatted log directory for every start (a broker's second start reads its logs). */
        @Override
        public void beforeStart(Path java) throws Exception {
            Path data = dir.resolve("data");
            if (Files.exists(data)) {
                try (var s = Files.walk(data)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            run(dir, List.of(java.toString(), "-cp", classPath(), "kafka.tools.StorageTool", "format", "-t", "7rBXfYmnRmaW2-s0W_jAbQ",
                    "-c", dir.resolve("server.properties").toString(), "--standalone"), 300);
        }
    }

    /** A Spring Boot 3.5.7 web application (spring-boot-starter-web, embedded Tomcat) with one endpoint. */
    public static final class SpringBootWeb extends ColdStartApp {
        public SpringBootWeb(Path root) {
            super(root, "spring-boot");
        }

        @Override
        public String name() {
            return "spring-boot 3.5.7 web";
        }

        @Override
        public String pom() {
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
        public Pattern ready() {
            return Pattern.compile("Started \\w+ in");
        }

        @Override
        public String classPath() {
            return dir.resolve("app.jar") + ":" + super.classPath(); // the AOT cache takes jars only, no directories
        }

        @Override
        public List<String> mainAndArgs() {
            return List.of("-Dserver.port=18080", "bench.BenchApp");
        }

        @Override
        public void setUp(Path java) throws Exception {
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
