package io.kfr.jmc.report;

import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.CouldNotLoadRecordingException;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A .jfr file read by JMC's parser, and its top-level facts: when it starts and ends, and how many
 * events of each kfr type it holds.
 */
final class Recording {
    final Path file;
    final IItemCollection items;
    /** kfr event type → count, by name. */
    final Map<String, Long> kfrEvents;
    final Instant start;
    final Instant end;

    private Recording(Path file, IItemCollection items) {
        this.file = file;
        this.items = items;
        this.kfrEvents = countKfrEvents(items);
        this.start = instant(RulesToolkit.getEarliestStartTime(items));
        this.end = instant(RulesToolkit.getLatestEndTime(items));
    }

    static Recording load(Path file) throws ReportException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ReportException("cannot read " + file);
        }
        try {
            return new Recording(file, JfrLoaderToolkit.loadEvents(file.toFile()));
        } catch (CouldNotLoadRecordingException | IOException | RuntimeException e) {
            String why = e.getMessage() == null || e.getMessage().isBlank() ? "" : ": " + oneLine(e);
            throw new ReportException(file + " is not a readable JFR recording" + why);
        }
    }

    boolean hasKfrEvents() {
        return kfrEvents.values().stream().anyMatch(n -> n > 0);
    }

    private static Map<String, Long> countKfrEvents(IItemCollection items) {
        Map<String, Long> counts = new TreeMap<>();
        for (IItemIterable it : items) {
            String type = it.getType().getIdentifier();
            if (type.startsWith("kfr.")) {
                counts.merge(type, it.getItemCount(), Long::sum);
            }
        }
        return counts;
    }

    private static Instant instant(IQuantity q) {
        if (q == null) {
            return null;
        }
        return Instant.EPOCH.plusNanos(q.clampedLongValueIn(UnitLookup.EPOCH_NS));
    }

    private static String oneLine(Throwable e) {
        return e.getMessage().lines().findFirst().orElse("").strip();
    }
}
