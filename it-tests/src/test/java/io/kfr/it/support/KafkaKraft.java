package io.kfr.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * An Apache Kafka 4.x broker in KRaft mode (broker and controller in one process) from Maven
 * Central: its jars, its configuration, a freshly formatted log directory, and Kafka's own tools
 * (ProducerPerformance) on a class path of their own.
 */
public final class KafkaKraft {
    public static final String VERSION = "4.4.0";
    public final Path dir;
    public final Path data;
    public final int port;
    public final int controllerPort;
    private final List<String> extraConfig;

    /** A broker in {@code dir} listening on these ports, its log directory {@code data}, with extra server.properties lines. */
    public KafkaKraft(Path dir, Path data, int port, int controllerPort, List<String> extraConfig) {
        this.dir = dir;
        this.data = data;
        this.port = port;
        this.controllerPort = controllerPort;
        this.extraConfig = List.copyOf(extraConfig);
    }

    public static String brokerPom() {
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

    /** The broker's jars: dir/lib. */
    public Path lib() throws IOException, InterruptedException {
        return MavenJars.resolve(dir, brokerPom());
    }

    /** kafka-tools (ProducerPerformance) with its dependencies: dir/tools/lib, apart from the broker's. */
    public Path toolsLib() throws IOException, InterruptedException {
        return MavenJars.resolve(dir.resolve("tools"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>bench</groupId><artifactId>kafka-tools</artifactId><version>1</version>
                  <dependencies>
                    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>%s</version></dependency>
                  </dependencies>
                </project>
                """.formatted(VERSION));
    }

    public Path serverProperties() {
        return dir.resolve("server.properties");
    }

    public Path log4jProperties() {
        return dir.resolve("log4j2.properties");
    }

    /** Writes server.properties and log4j2.properties (log level {@code level}, to stdout). */
    public void configure(String level) throws IOException {
        Files.createDirectories(dir);
        String listeners = "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort;
        StringBuilder props = new StringBuilder(String.join("\n",
                "process.roles=broker,controller", "node.id=1", "controller.quorum.bootstrap.servers=localhost:" + controllerPort,
                "listeners=" + listeners, "advertised.listeners=" + listeners,
                "controller.listener.names=CONTROLLER", "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + data, "num.partitions=1", "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1", ""));
        extraConfig.forEach(l -> props.append(l).append('\n'));
        Files.writeString(serverProperties(), props);
        Files.writeString(log4jProperties(), String.join("\n", "rootLogger.level=" + level,
                "rootLogger.appenderRef.stdout.ref=STDOUT", "appender.stdout.type=Console", "appender.stdout.name=STDOUT",
                "appender.stdout.layout.type=PatternLayout", "appender.stdout.layout.pattern=[%d] %p %m (%c)%n", ""));
    }

    /** A freshly formatted log directory (a broker's second start would read its logs). */
    public void format(Path java) throws IOException, InterruptedException {
        if (Files.exists(data)) {
            try (Stream<Path> s = Files.walk(data)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        MavenJars.run(dir, List.of(java.toString(), "-cp", lib() + "/*", "kafka.tools.StorageTool", "format", "-t",
                "7rBXfYmnRmaW2-s0W_jAbQ", "-c", serverProperties().toString(), "--standalone"), 300);
    }

    /** The broker's main class and argument, after the JVM's options. */
    public List<String> mainAndArgs() {
        return List.of("-Dlog4j2.configurationFile=" + log4jProperties(), "kafka.Kafka", serverProperties().toString());
    }
}
