package io.kfr.jfr;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the spool a JVM left behind (SIGKILL, Runtime.halt, a crash: no shutdown hook wrote its
 * file) into JFR chunks: each segment's records with the pools of its journal, one chunk per
 * segment, oldest first. Records cut by the kill are left out: a segment is read up to its last
 * whole record, and its journal up to its last whole value (the spool writes the journal before
 * the records that use it, so every record read has its keys).
 */
public final class SpoolRecovery {
    private static final Pattern SEGMENT = Pattern.compile("kfr-(\\d+)-[0-9a-z]+\\.spool");

    /** What was recovered. */
    public static final class Result {
        public final int segments;
        public final long events;
        /** Bytes at segments' ends that held no whole record (cut by the kill). */
        public final long bytesCut;

        Result(int segments, long events, long bytesCut) {
            this.segments = segments;
            this.events = events;
            this.bytesCut = bytesCut;
        }
    }

    private SpoolRecovery() {
    }

    /** The segments of {@code dir}, oldest first; empty when it holds none. */
    public static List<Path> segments(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                Matcher m = SEGMENT.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(PoolJournal.of(p))) {
                    found.add(p);
                }
            }
        }
        found.sort((a, b) -> {
            int c = Long.compare(sequence(a), sequence(b));
            return c != 0 ? c : a.compareTo(b);
        });
        return found;
    }

    private static long sequence(Path spool) {
        Matcher m = SEGMENT.matcher(spool.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }

    /**
     * Writes one chunk per segment of {@code dir} that holds events, in time base {@code tb} (a JVM
     * recording's, when the chunks follow it; else any, e.g. {@code TimeBase.ofNanos(0)}).
     * @throws IOException (one line) when {@code dir} holds no kfr events
     */
    public static Result recover(Path dir, OutputStream out, TimeBase tb) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory (give the kfr-session-<pid>-... directory a JVM left behind)");
        }
        int written = 0;
        long events = 0;
        long cut = 0;
        java.util.Set<Long> starts = new java.util.HashSet<>();
        for (Path segment : segments(dir)) {
            ConstantPools pools = PoolJournal.read(PoolJournal.of(segment));
            long size = Files.size(segment);
            long[] whole = wholeRecords(segment, size, tb);
            cut += size - whole[0];
            if (whole[1] == 0) {
                continue;
            }
            try (EventSpool spool = EventSpool.existing(segment, whole[0], whole[1])) {
                ChunkWriter.write(out, tb, new ChunkWriter.Contents(KfrTypes.next(), spool, whole[0], whole[1],
                        pools.snapshot(UnaryOperator.identity()), pools.hasExecutionSamples()), ChunkWriter.Limits.DEFAULT, starts);
            }
            written++;
            events += whole[1];
        }
        if (written == 0) {
            throw new IOException("no kfr events in " + dir + " (no spool segment with a whole record)");
        }
        return new Result(written, events, cut);
    }

    /** Bytes and count of the whole records at the start of a spool file. */
    private static long[] wholeRecords(Path spool, long size, TimeBase tb) throws IOException {
        EventEncoder decoder = new EventEncoder(tb);
        JfrBuffer scratch = new JfrBuffer(1024);
        long bytes = 0;
        long records = 0;
        try (EventSpool.Reader in = EventSpool.reader(spool, size)) {
            while (!in.atEnd()) {
                scratch.reset();
                decoder.encodeNext(in, scratch);
                long end = in.position();
                if (end - bytes > SpoolIndex.MAX_RECORD_BYTES) {
                    break; // not a record kfr writes: the rest is not trusted
                }
                bytes = end;
                records++;
            }
        } catch (EOFException cutShort) {
            // the last record was cut by the kill
        } catch (IOException corrupt) {
            // an unknown record kind: a write the kill tore; the records before it stand
        }
        return new long[] {bytes, records};
    }
}
