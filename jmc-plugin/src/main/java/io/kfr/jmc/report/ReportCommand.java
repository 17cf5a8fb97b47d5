package io.kfr.jmc.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code kfr report [--html <out.html>] <file.jfr>}: kfr's findings and JMC's JDK rules as text,
 * or as a self-contained page with the off-CPU and CPU flame graphs. Returns the exit code: 0 on
 * success, 1 when the file cannot be read or the page cannot be written (one line on err), 2 for
 * bad arguments.
 */
public final class ReportCommand {
    public static final String USAGE = "report [--html <out.html>] <file.jfr>";
    /** JMC's loggers print rule failures with stack traces; the report shows them as findings instead. */
    private static final Logger JMC_LOG = Logger.getLogger("org.openjdk.jmc");

    private ReportCommand() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Path html = null;
        Path file = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--html") && i + 1 < args.size() && html == null) {
                html = Path.of(args.get(++i));
            } else if (a.startsWith("-") || file != null) {
                err.println("kfr: report: unexpected argument '" + a + "'; usage: " + USAGE);
                return 2;
            } else {
                file = Path.of(a);
            }
        }
        if (file == null) {
            err.println("kfr: report needs one .jfr file; usage: " + USAGE);
            return 2;
        }
        JMC_LOG.setLevel(Level.OFF);
        try {
            Report report = Report.of(Recording.load(file));
            if (html == null) {
                TextReport.print(report, out);
            } else {
                HtmlReport.write(report, html);
                out.println("kfr: report written to " + html);
            }
            return 0;
        } catch (ReportException e) {
            err.println("kfr: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("kfr: cannot write " + html + ": " + why(e));
            return 1;
        }
    }

    private static String why(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "its directory does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    }
}
