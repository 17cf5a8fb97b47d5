package io.kfr.agent.convert;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Brendan Gregg's folded stacks, as flamegraph.pl, speedscope and inferno read them: one line per
 * stack, frames from the root to the leaf joined by ';', a space, and the nanoseconds. When the
 * profile holds more than one kind, each line starts with the kind ("off_cpu;..." / "cpu;...") so
 * that off-CPU and CPU time are not mixed up in one tower. Thread, state and system call are not
 * part of this format; lines that differ only in them are summed.
 */
final class CollapsedWriter {
    private CollapsedWriter() {
    }

    static void write(Profile profile, OutputStream out) throws IOException {
        boolean prefix = profile.kinds.size() > 1;
        Map<String, Long> lines = new LinkedHashMap<>();
        for (Sample s : profile.samples) {
            lines.merge(line(s, prefix), s.nanos(), Long::sum);
        }
        BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        for (Map.Entry<String, Long> e : lines.entrySet()) {
            w.append(e.getKey()).append(' ').append(Long.toString(e.getValue())).append('\n');
        }
        w.flush();
    }

    private static String line(Sample s, boolean prefix) {
        StringBuilder b = new StringBuilder();
        if (prefix) {
            b.append(s.kind().sampleType);
        }
        List<Frame> stack = s.stack();
        for (int i = stack.size() - 1; i >= 0; i--) {
            b.append(b.length() > 0 ? ";" : "").append(clean(stack.get(i).text()));
        }
        if (b.length() == 0) {
            b.append("[no stack]");
        }
        return b.toString();
    }

    /** ';' separates frames and the last space the count; newlines end lines: none may be in a name. */
    private static String clean(String frame) {
        return frame.replace(';', ':').replace('\n', ' ').replace('\r', ' ');
    }
}
