package io.kfr.agent;

/**
 * The agent jar's Main-Class (java -jar kfr-agent.jar ...), compiled for Java 8 like
 * {@link AgentMain}: run by a java older than kfr's release it prints one {@code kfr:} line and
 * exits 2 instead of an UnsupportedClassVersionError; otherwise it runs {@code KfrCli}.
 */
public final class CliMain {
    private CliMain() {
    }

    public static void main(String[] args) throws Throwable {
        String why = JdkGate.whyNot("this java", false);
        if (why != null) {
            System.err.println("kfr: " + why + ": run kfr-agent.jar with a newer java");
            System.exit(2);
        }
        JdkGate.call("io.kfr.agent.cli.KfrCli", "main", new Class<?>[] {String[].class}, new Object[] {args});
    }
}
