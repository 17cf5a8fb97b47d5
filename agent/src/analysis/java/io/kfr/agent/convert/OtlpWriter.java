package io.kfr.agent.convert;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.Function;
import io.opentelemetry.proto.profiles.v1development.KeyValueAndUnit;
import io.opentelemetry.proto.profiles.v1development.Line;
import io.opentelemetry.proto.profiles.v1development.Link;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Mapping;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.ResourceProfiles;
import io.opentelemetry.proto.profiles.v1development.ScopeProfiles;
import io.opentelemetry.proto.profiles.v1development.Stack;
import io.opentelemetry.proto.profiles.v1development.ValueType;
import io.opentelemetry.proto.resource.v1.Resource;

import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenTelemetry profiles (opentelemetry-proto's profiles/v1development, with the official
 * generated classes) as an {@code ExportProfilesServiceRequest} in binary protobuf: the body an
 * OTLP/HTTP receiver takes at {@code /v1development/profiles}, and field for field the same bytes as
 * {@code ProfilesData}. One resource (the process: service.name, process.pid, process.runtime.*),
 * one scope ("kfr"), one profile per kind asked for ({@code off_cpu} / {@code cpu}, nanoseconds),
 * and the shared dictionary. Samples carry thread.name and thread.id (semantic conventions) and,
 * off the CPU, kfr.state and kfr.syscall; locations carry profile.frame.type (jvm, native, kernel)
 * as the OTel eBPF profiler writes it. Where the recording has kfr.NativeImage/kfr.NativeSymbol
 * events, a mapping carries the image's path, address range and file offset with its GNU build id
 * as the attribute process.executable.build_id.gnu (semantic conventions), and a native or kernel
 * location the address of its function.
 */
final class OtlpWriter {
    private final Interner<String> strings = new Interner<>(0);
    private final Interner<List<Object>> attributes = new Interner<>(1);
    private final Interner<List<Object>> functions = new Interner<>(1);
    private final Interner<List<Object>> locations = new Interner<>(1);
    private final Interner<String> mappings = new Interner<>(1);
    private final Map<String, NativeImageTable.Image> mappedImages = new HashMap<>();
    private final Interner<List<Integer>> stacks = new Interner<>(1);
    private NativeImageTable images = new NativeImageTable();

    /** The semantic conventions' attribute for an executable's GNU build id. */
    static final String BUILD_ID = "process.executable.build_id.gnu";

    private OtlpWriter() {
        strings.of(""); // string_table[0] must be ""
    }

    static void write(Profile profile, String service, OutputStream out) throws IOException {
        new OtlpWriter().request(profile, service).writeTo(out);
        out.flush();
    }

    private ExportProfilesServiceRequest request(Profile p, String service) {
        images = p.images;
        ScopeProfiles.Builder scope = ScopeProfiles.newBuilder().setScope(InstrumentationScope.newBuilder()
                .setName("kfr").setVersion(version()));
        for (EventKind kind : p.kinds) {
            io.opentelemetry.proto.profiles.v1development.Profile.Builder profile =
                    io.opentelemetry.proto.profiles.v1development.Profile.newBuilder()
                            .setSampleType(ValueType.newBuilder().setTypeStrindex(strings.of(kind.sampleType))
                                    .setUnitStrindex(strings.of("nanoseconds")))
                            .setProfileId(ByteString.copyFrom(randomId()));
            if (p.startNanos != 0) {
                profile.setTimeUnixNano(p.startNanos).setDurationNano(p.endNanos - p.startNanos);
            }
            // Pyroscope names a profile by its type: off_cpu/nanoseconds without a period is its
            // off-CPU profile (as the OTel eBPF profiler writes it); a CPU profile needs its period
            // type to be named "cpu" rather than nothing
            if (kind == EventKind.CPU && p.cpuPeriodNanos > 0) {
                profile.setPeriodType(ValueType.newBuilder().setTypeStrindex(strings.of("cpu"))
                        .setUnitStrindex(strings.of("nanoseconds"))).setPeriod(p.cpuPeriodNanos);
            }
            for (Sample s : p.samples) {
                if (s.kind() == kind) {
                    profile.addSamples(sample(s));
                }
            }
            scope.addProfiles(profile);
        }
        Resource.Builder resource = Resource.newBuilder().addAttributes(text("service.name", service));
        if (p.facts.pid != null) {
            resource.addAttributes(KeyValue.newBuilder().setKey("process.pid")
                    .setValue(AnyValue.newBuilder().setIntValue(p.facts.pid)));
        }
        if (p.facts.runtimeName != null) {
            resource.addAttributes(text("process.runtime.name", p.facts.runtimeName));
        }
        if (p.facts.runtimeVersion != null) {
            resource.addAttributes(text("process.runtime.version", p.facts.runtimeVersion));
        }
        return ExportProfilesServiceRequest.newBuilder()
                .addResourceProfiles(ResourceProfiles.newBuilder().setResource(resource).addScopeProfiles(scope))
                .setDictionary(dictionary())
                .build();
    }

    private io.opentelemetry.proto.profiles.v1development.Sample sample(Sample s) {
        List<Frame> frames = s.stack();
        Integer[] locs = new Integer[frames.size()];
        for (int i = 0; i < locs.length; i++) {
            locs[i] = locationOf(frames.get(i)); // leaf first
        }
        io.opentelemetry.proto.profiles.v1development.Sample.Builder b =
                io.opentelemetry.proto.profiles.v1development.Sample.newBuilder()
                        .setStackIndex(locs.length == 0 ? 0 : stacks.of(List.of(locs))) // stack_table[0]: none
                        .addAttributeIndices(attribute("thread.name", s.thread()))
                        .addAttributeIndices(attribute("thread.id", s.tid()))
                        .addValues(s.nanos());
        if (!s.state().isEmpty()) {
            b.addAttributeIndices(attribute("kfr.state", s.state()));
        }
        if (!s.syscall().isEmpty()) {
            b.addAttributeIndices(attribute("kfr.syscall", s.syscall()));
        }
        return b.build();
    }

    private int locationOf(Frame f) {
        int function = functions.of(List.of(f.name(), f.systemName()));
        int mapping = f.library().isEmpty() ? 0 : mappings.of(f.library());
        if (mapping > 0 && !mappedImages.containsKey(f.library())) {
            mappedImages.put(f.library(), images.imageOf(f));
        }
        int type = attribute("profile.frame.type", switch (f.kind()) {
            case JAVA -> "jvm";
            case NATIVE -> "native";
            case KERNEL -> "kernel";
        });
        return locations.of(List.of(function, f.line(), mapping, type, images.addressOf(f)));
    }

    private int attribute(String key, Object value) {
        return attributes.of(List.of(key, value));
    }

    private ProfilesDictionary dictionary() {
        // every table starts with its zero value; link_table's is the all-zero link (trace.proto's invalid ids)
        ProfilesDictionary.Builder d = ProfilesDictionary.newBuilder()
                .addMappingTable(Mapping.getDefaultInstance())
                .addLocationTable(Location.getDefaultInstance())
                .addFunctionTable(Function.getDefaultInstance())
                .addLinkTable(Link.newBuilder().setTraceId(ByteString.copyFrom(new byte[16]))
                        .setSpanId(ByteString.copyFrom(new byte[8])))
                .addAttributeTable(KeyValueAndUnit.getDefaultInstance())
                .addStackTable(Stack.getDefaultInstance());
        for (List<Integer> stack : stacks.values()) {
            d.addStackTable(Stack.newBuilder().addAllLocationIndices(stack));
        }
        for (List<Object> loc : locations.values()) {
            d.addLocationTable(Location.newBuilder().setMappingIndex((Integer) loc.get(2)).setAddress((Long) loc.get(4))
                    .addLines(Line.newBuilder().setFunctionIndex((Integer) loc.get(0)).setLine((Integer) loc.get(1)))
                    .addAttributeIndices((Integer) loc.get(3)));
        }
        for (List<Object> fn : functions.values()) {
            String name = (String) fn.get(0);
            String systemName = (String) fn.get(1);
            d.addFunctionTable(Function.newBuilder().setNameStrindex(strings.of(name))
                    .setSystemNameStrindex(strings.of(systemName.isEmpty() ? name : systemName)));
        }
        for (String library : mappings.values()) {
            NativeImageTable.Image image = mappedImages.get(library);
            Mapping.Builder m = Mapping.newBuilder().setFilenameStrindex(strings.of(image == null ? library : image.path));
            if (image != null) {
                m.setMemoryStart(image.start).setMemoryLimit(image.limit).setFileOffset(image.fileOffset);
                if (!image.buildId.isEmpty()) {
                    m.addAttributeIndices(attribute(BUILD_ID, image.buildId));
                }
            }
            d.addMappingTable(m);
        }
        // after the mappings: they add the build id attributes
        for (List<Object> attr : attributes.values()) {
            Object v = attr.get(1);
            AnyValue value = v instanceof Long n ? AnyValue.newBuilder().setIntValue(n).build()
                    : AnyValue.newBuilder().setStringValue((String) v).build();
            d.addAttributeTable(KeyValueAndUnit.newBuilder().setKeyStrindex(strings.of((String) attr.get(0)))
                    .setValue(value));
        }
        d.addAllStringTable(strings.values()); // last: the tables above added their strings
        return d.build();
    }

    private static KeyValue text(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static byte[] randomId() {
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        return id;
    }

    private static String version() {
        String v = OtlpWriter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
