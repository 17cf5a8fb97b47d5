package io.kfr.agent.convert;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * {@code --from}/{@code --to}: which events go into the profile, by start time. Each bound is an
 * instant ({@code 2026-12-06T20:01:00Z}) or a time after the JVM started ({@code 90s}, {@code 5m}),
 * which needs the JVM's recording (jdk.JVMInformation) to place it. An event is in when
 * from ≤ start < to. A summed kfr.OffCpu event starts at its collection period's start, so its
 * place is known to a period ({@code offcpu.period}, 1 s by default).
 */
final class TimeWindow {
    static final TimeWindow ALL = new TimeWindow(null, null);

    private final Bound from;
    private final Bound to;
    private long fromNanos = Long.MIN_VALUE;
    private long toNanos = Long.MAX_VALUE;
    private boolean resolved;

    /** A bound as given: absolute epoch nanoseconds, or nanoseconds after the JVM's start. */
    private record Bound(long nanos, boolean sinceJvmStart, String text) {
    }

    private TimeWindow(Bound from, Bound to) {
        this.from = from;
        this.to = to;
    }

    static TimeWindow of(String from, String to) throws ConvertException {
        return new TimeWindow(from == null ? null : bound("--from", from), to == null ? null : bound("--to", to));
    }

    boolean isAll() {
        return from == null && to == null;
    }

    /** Places relative bounds once the JVM's start time is known (null if the recording has none). */
    void resolve(Long jvmStartNanos) throws ConvertException {
        if (resolved) {
            return;
        }
        fromNanos = from == null ? Long.MIN_VALUE : place(from, jvmStartNanos);
        toNanos = to == null ? Long.MAX_VALUE : place(to, jvmStartNanos);
        if (fromNanos >= toNanos) {
            throw new ConvertException("--from " + from.text + " is not before --to " + to.text);
        }
        resolved = true;
    }

    /** The span a profile of this window covers: the events' span, cut to the bounds that were placed. */
    long[] clip(long startNanos, long endNanos) {
        if (!resolved) {
            return new long[] {startNanos, endNanos};
        }
        return new long[] {Math.max(startNanos, fromNanos), Math.min(endNanos, toNanos)};
    }

    boolean contains(long startEpochNanos) {
        return startEpochNanos >= fromNanos && startEpochNanos < toNanos;
    }

    private static long place(Bound b, Long jvmStartNanos) throws ConvertException {
        if (!b.sinceJvmStart) {
            return b.nanos;
        }
        if (jvmStartNanos == null) {
            throw new ConvertException("the recording does not say when the JVM started (no jdk.JVMInformation): give "
                    + b.text + " as an instant, e.g. 2026-12-06T20:01:00Z");
        }
        return jvmStartNanos + b.nanos;
    }

    private static Bound bound(String option, String text) throws ConvertException {
        try {
            Instant t = Instant.parse(text);
            return new Bound(t.getEpochSecond() * 1_000_000_000L + t.getNano(), false, text);
        } catch (DateTimeParseException e) {
            return new Bound(sinceStart(option, text), true, text);
        }
    }

    /** 500ms, 90s, 1.5m, 2h: a time after the JVM's start. */
    private static long sinceStart(String option, String text) throws ConvertException {
        String t = text.strip().toLowerCase(Locale.ROOT);
        String[][] units = {{"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"},
                {"m", "60000000000"}, {"h", "3600000000000"}};
        for (String[] u : units) {
            if (t.endsWith(u[0]) && !(u[0].equals("s") && (t.endsWith("ns") || t.endsWith("us") || t.endsWith("ms")))) {
                try {
                    double v = Double.parseDouble(t.substring(0, t.length() - u[0].length()));
                    if (v >= 0 && v < 1e7 && !Double.isNaN(v)) {
                        return Math.round(v * Long.parseLong(u[1]));
                    }
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new ConvertException("bad value '" + text + "' for " + option
                + ": expected an instant (2026-12-06T20:01:00Z) or a time after the JVM's start (90s, 5m)");
    }
}
