package io.kfr.collectors.hotspot;

import io.kfr.collectors.Tids;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How many classes the JVM has unloaded so far: read from HotSpot's own performance counters
 * (the shared memory file /tmp/hsperfdata_&lt;user&gt;/&lt;pid&gt; the JVM updates in place;
 * {@code java.cls.unloadedClasses} and {@code java.cls.sharedUnloadedClasses}, what
 * ClassLoadingMXBean sums), which costs the application's heap nothing; where the JVM keeps no
 * such file (-XX:-UsePerfData, -XX:+PerfDisableSharedMem) the ClassLoadingMXBean.
 */
final class UnloadedClasses {
    private static final int MAGIC = 0xcafec0c0;
    /** PerfDataPrologue: magic, byte order, versions, accessible, used, overflow, mod time, entry offset, entries. */
    private static final int ENTRY_OFFSET_AT = 24;
    private static final int ENTRIES_AT = 28;
    /** PerfDataEntry: entry length, name offset, vector length, type, flags, units, variability, data offset. */
    private static final int DATA_OFFSET_AT = 16;
    private static final String[] COUNTERS = {"java.cls.unloadedClasses", "java.cls.sharedUnloadedClasses"};
    /** When the JVM that writes the file began (epoch ms): a file left by an earlier process with this pid began before us. */
    private static final String VM_BEGIN = "sun.rt.createVmBeginTime";

    /** The counters' data in the mapped file; null when reading it did not work. */
    private final ByteBuffer perfData;
    private final int[] at;

    private UnloadedClasses(ByteBuffer perfData, int[] at) {
        this.perfData = perfData;
        this.at = at;
    }

    static UnloadedClasses open() {
        try {
            Path file = Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name"), Long.toString(Tids.process()));
            MappedByteBuffer map;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            }
            int[] at = find(map);
            long began = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
            if (at != null && began > 0 && ours(map.order(fileOrder(map)).getLong(at[COUNTERS.length]), began)) {
                return new UnloadedClasses(map, at);
            }
        } catch (IOException | RuntimeException e) {
            // no file of this JVM's: the management bean below
        }
        return new UnloadedClasses(null, null);
    }

    /** The file's JVM began creating itself within a minute after this process started (jiffies: 10 ms). */
    static boolean ours(long vmBeginMillis, long processStartMillis) {
        return vmBeginMillis >= processStartMillis - 1_000 && vmBeginMillis <= processStartMillis + 60_000;
    }

    /**
     * The data offsets of the unload counters and then of {@link #VM_BEGIN}, or null if this is not
     * a HotSpot perf data file holding them all.
     */
    static int[] find(ByteBuffer file) {
        ByteBuffer b = file.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (b.limit() < 32 || b.getInt(0) != MAGIC) {
            return null;
        }
        b.order(fileOrder(b));
        int entry = b.getInt(ENTRY_OFFSET_AT);
        int entries = b.getInt(ENTRIES_AT);
        int[] at = new int[COUNTERS.length + 1];
        int found = 0;
        for (int i = 0; i < entries && entry > 0 && entry + DATA_OFFSET_AT + 4 <= b.limit(); i++) {
            int length = b.getInt(entry);
            String name = cString(b, entry + b.getInt(entry + 4));
            for (int c = 0; c <= COUNTERS.length; c++) {
                if ((c < COUNTERS.length ? COUNTERS[c] : VM_BEGIN).equals(name) && b.get(entry + 12) == 'J') {
                    at[c] = entry + b.getInt(entry + DATA_OFFSET_AT);
                    found++;
                }
            }
            if (length <= 0) {
                break;
            }
            entry += length;
        }
        return found == at.length ? at : null;
    }

    /** The byte order the file's numbers are in, from its prologue (after the magic, which reads the same in both). */
    private static ByteOrder fileOrder(ByteBuffer file) {
        return file.get(4) == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    private static String cString(ByteBuffer b, int from) {
        int end = from;
        while (end < b.limit() && b.get(end) != 0) {
            end++;
        }
        byte[] name = new byte[end - from];
        b.duplicate().position(from).get(name);
        return new String(name, StandardCharsets.US_ASCII);
    }

    /** The count comes from the JVM's perf data file (not the management bean). */
    boolean fromPerfData() {
        return perfData != null;
    }

    /** Classes unloaded so far (any count that changes when classes unload). */
    long count() {
        if (perfData == null) {
            return ManagementFactory.getClassLoadingMXBean().getUnloadedClassCount();
        }
        long sum = 0;
        for (int c = 0; c < COUNTERS.length; c++) {
            sum += perfData.getLong(at[c]);
        }
        return sum;
    }
}
