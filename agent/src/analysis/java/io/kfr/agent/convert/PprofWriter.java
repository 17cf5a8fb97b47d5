package io.kfr.agent.convert;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * pprof's profile.proto (github.com/google/pprof/proto/profile.proto), gzipped, as {@code go tool
 * pprof}, Pyroscope and Parca read it. No generated classes of profile.proto are published on
 * Maven Central, so the few messages are written here field by field with protobuf-java's
 * CodedOutputStream (the field numbers are profile.proto's).
 *
 * One sample type per kind asked for, in nanoseconds ({@code off_cpu}, {@code cpu}); a sample
 * carries its time in its kind's slot and 0 in the others. Labels: {@code thread} (the name),
 * {@code tid} (the Linux thread id, numeric), and for off-CPU samples {@code state} and
 * {@code syscall}. One function per distinct name (Java methods with their descriptor as system
 * name, C++ demangled with the symbol as system name), one location per frame and line, one
 * mapping per native library and one for the kernel, with has_functions set (kfr symbolizes in the
 * process). Where the recording has kfr.NativeImage/kfr.NativeSymbol events, a mapping carries the
 * image's path, address range, file offset and GNU build id, and a native or kernel location the
 * address of its function, so a backend can symbolize it again ({@code perf inject -b}'s idea).
 */
final class PprofWriter {
    private final Interner<String> strings = new Interner<>(0);
    private final Interner<List<Object>> functions = new Interner<>(1);
    private final Interner<List<Object>> locations = new Interner<>(1);
    private final Interner<String> mappings = new Interner<>(1);
    private final Map<String, NativeImageTable.Image> mappedImages = new HashMap<>();
    private NativeImageTable images = new NativeImageTable();

    private PprofWriter() {
        strings.of(""); // string_table[0] must be ""
    }

    static void write(Profile profile, OutputStream out) throws IOException {
        GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16);
        CodedOutputStream c = CodedOutputStream.newInstance(gz, 1 << 16);
        new PprofWriter().profile(profile, c);
        c.flush();
        gz.finish();
        gz.flush();
    }

    private void profile(Profile p, CodedOutputStream c) throws IOException {
        images = p.images;
        List<EventKind> kinds = new ArrayList<>(p.kinds);
        for (EventKind k : kinds) {
            c.writeByteArray(1, valueType(k.sampleType, "nanoseconds"));
        }
        for (Sample s : p.samples) {
            c.writeByteArray(2, sample(s, kinds));
        }
        // the tables, filled while the samples were written
        for (String m : mappings.values()) {
            c.writeByteArray(3, mapping(m));
        }
        List<List<Object>> locs = locations.values();
        for (int i = 0; i < locs.size(); i++) {
            c.writeByteArray(4, location(i + 1, locs.get(i)));
        }
        List<List<Object>> funcs = functions.values();
        for (int i = 0; i < funcs.size(); i++) {
            c.writeByteArray(5, function(i + 1, funcs.get(i)));
        }
        long comment = strings.of("kfr convert: " + String.join(", ", kinds.stream().map(k -> k.eventType).toList()));
        if (p.startNanos != 0) {
            c.writeInt64(9, p.startNanos);               // time_nanos
            c.writeInt64(10, p.endNanos - p.startNanos); // duration_nanos
        }
        c.writeInt64(13, comment);
        for (String s : strings.values()) {
            c.writeString(6, s); // string_table, last: every string above is in it by now
        }
    }

    private byte[] valueType(String type, String unit) throws IOException {
        return message(c -> {
            c.writeInt64(1, strings.of(type));
            c.writeInt64(2, strings.of(unit));
        });
    }

    private byte[] sample(Sample s, List<EventKind> kinds) throws IOException {
        long[] locationIds = new long[s.stack().size()];
        for (int i = 0; i < locationIds.length; i++) {
            locationIds[i] = locationOf(s.stack().get(i)); // leaf first, as pprof wants
        }
        List<byte[]> labels = new ArrayList<>();
        labels.add(label("thread", s.thread()));
        labels.add(message(c -> {
            c.writeInt64(1, strings.of("tid"));
            c.writeInt64(3, s.tid());
        }));
        if (!s.state().isEmpty()) {
            labels.add(label("state", s.state()));
        }
        if (!s.syscall().isEmpty()) {
            labels.add(label("syscall", s.syscall()));
        }
        return message(c -> {
            packed(c, 1, locationIds);
            long[] values = new long[kinds.size()];
            values[kinds.indexOf(s.kind())] = s.nanos();
            packed(c, 2, values);
            for (byte[] l : labels) {
                c.writeByteArray(3, l);
            }
        });
    }

    private byte[] label(String key, String value) throws IOException {
        return message(c -> {
            c.writeInt64(1, strings.of(key));
            c.writeInt64(2, strings.of(value));
        });
    }

    private int locationOf(Frame f) {
        int function = functions.of(List.of(f.name(), f.systemName()));
        int mapping = f.library().isEmpty() ? 0 : mappings.of(f.library());
        if (mapping > 0 && !mappedImages.containsKey(f.library())) {
            mappedImages.put(f.library(), images.imageOf(f));
        }
        return locations.of(List.of(function, f.line(), mapping, images.addressOf(f)));
    }

    private byte[] mapping(String library) throws IOException {
        int id = mappings.of(library);
        NativeImageTable.Image image = mappedImages.get(library);
        return message(c -> {
            c.writeUInt64(1, id);
            if (image != null) {
                c.writeUInt64(2, image.start);      // memory_start
                c.writeUInt64(3, image.limit);      // memory_limit
                c.writeUInt64(4, image.fileOffset); // file_offset
            }
            c.writeInt64(5, strings.of(image == null ? library : image.path));
            if (image != null && !image.buildId.isEmpty()) {
                c.writeInt64(6, strings.of(image.buildId));
            }
            c.writeBool(7, true); // has_functions: the names are in the profile, nothing to symbolize
        });
    }

    private byte[] location(int id, List<Object> loc) throws IOException {
        int function = (Integer) loc.get(0);
        int line = (Integer) loc.get(1);
        int mapping = (Integer) loc.get(2);
        long address = (Long) loc.get(3);
        byte[] lineMessage = message(c -> {
            c.writeUInt64(1, function);
            if (line > 0) {
                c.writeInt64(2, line);
            }
        });
        return message(c -> {
            c.writeUInt64(1, id);
            if (mapping > 0) {
                c.writeUInt64(2, mapping);
            }
            if (address != 0) {
                c.writeUInt64(3, address);
            }
            c.writeByteArray(4, lineMessage);
        });
    }

    private byte[] function(int id, List<Object> fn) throws IOException {
        String name = (String) fn.get(0);
        String systemName = (String) fn.get(1);
        return message(c -> {
            c.writeUInt64(1, id);
            c.writeInt64(2, strings.of(name));
            c.writeInt64(3, strings.of(systemName.isEmpty() ? name : systemName));
        });
    }

    private static void packed(CodedOutputStream c, int field, long[] values) throws IOException {
        if (values.length == 0) {
            return;
        }
        int size = 0;
        for (long v : values) {
            size += CodedOutputStream.computeInt64SizeNoTag(v);
        }
        c.writeTag(field, 2); // length-delimited
        c.writeUInt32NoTag(size);
        for (long v : values) {
            c.writeInt64NoTag(v);
        }
    }

    private interface Body {
        void write(CodedOutputStream c) throws IOException;
    }

    private static byte[] message(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        CodedOutputStream c = CodedOutputStream.newInstance(bytes, 256);
        body.write(c);
        c.flush();
        return bytes.toByteArray();
    }
}
