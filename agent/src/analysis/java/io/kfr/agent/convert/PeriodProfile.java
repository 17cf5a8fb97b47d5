package io.kfr.agent.convert;

import io.kfr.agent.export.PeriodSums;

import io.kfr.collectors.CpuSample;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;
import io.kfr.collectors.symbols.NativeImages;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * kfr's off-CPU and CPU samples of one period, summed as they arrive in the application's JVM, and
 * written as a profile by the same writers as {@code kfr convert}: the rotated export needs no
 * round trip through a .jfr file. Memory is what the sums hold, bounded: at most
 * {@code maxSamples} distinct (thread, state, system call, stack) sums per period; past that a
 * sample's time still counts, under its thread and state with the stack left out (one frame says
 * so), so totals stay exact. Stacks are shared objects, converted once per period. Thread-safe.
 */
public final class PeriodProfile implements PeriodSums {
    /** The frame that stands for a stack left out because the period's table was full. */
    static final Frame STACKS_FULL = new Frame(Frame.Kind.NATIVE, "[kfr: more distinct stacks than export keeps per period]",
            "", 0, "");
    private final Set<EventKind> kinds;
    private final int maxSamples;
    private final UnaryOperator<ThreadRef> threadNames;
    private final RecordingFacts facts = new RecordingFacts();
    private final Object lock = new Object();
    private Profile.Builder builder = new Profile.Builder();
    private Map<StackTrace, List<Frame>> stacks = new IdentityHashMap<>();
    /** Stacks share most frames: one converted Frame per distinct collector frame. */
    private Map<io.kfr.collectors.Frame, Frame> frames = new HashMap<>();
    private long stacksLeftOut;

    /**
     * @param threadNames the name a thread is written with (the settled name of a thread first seen provisionally)
     */
    public PeriodProfile(boolean offCpu, boolean cpu, int maxSamples, UnaryOperator<ThreadRef> threadNames) {
        Set<EventKind> k = EnumSet.noneOf(EventKind.class);
        if (offCpu) {
            k.add(EventKind.OFFCPU);
        }
        if (cpu) {
            k.add(EventKind.CPU);
        }
        this.kinds = Collections.unmodifiableSet(k);
        this.maxSamples = maxSamples;
        this.threadNames = threadNames;
        facts.pid = ProcessHandle.current().pid();
        facts.mainClass = RecordingFacts.mainOf(System.getProperty("sun.java.command"));
        facts.runtimeName = System.getProperty("java.vm.name");
        facts.runtimeVersion = System.getProperty("java.vm.version");
    }

    @Override
    public void addOffCpu(OffCpuSample s) {
        if (!kinds.contains(EventKind.OFFCPU)) {
            return;
        }
        OffCpuState state = s.state() == null ? OffCpuState.OTHER : s.state();
        String syscall = s.syscallName() != null && !s.syscallName().isEmpty() ? s.syscallName()
                : s.syscall() >= 0 ? "syscall#" + s.syscall() : "";
        long duration = Math.max(0, s.durationNanos());
        add(EventKind.OFFCPU, s.thread(), state.name(), syscall, s.stack(), s.startEpochNanos(), duration, duration);
    }

    @Override
    public void addCpu(CpuSample s) {
        if (kinds.contains(EventKind.CPU)) {
            add(EventKind.CPU, s.thread(), "", "", s.stack(), s.epochNanos(), 0, Math.max(0, s.weightNanos()));
        }
    }

    private void add(EventKind kind, ThreadRef thread, String state, String syscall, StackTrace stack, long start,
                     long duration, long weight) {
        ThreadRef named = thread == null ? null : threadNames.apply(thread);
        String name = named == null ? "[no thread]" : named.displayName();
        long tid = named == null ? -1 : named.tid();
        synchronized (lock) {
            List<Frame> frames = frames(stack);
            if (builder.distinct() >= maxSamples && !builder.has(kind, name, tid, state, syscall, frames)) {
                frames = List.of(STACKS_FULL);
                stacksLeftOut++;
            }
            builder.add(kind, name, tid, state, syscall, frames, start, duration, weight);
        }
    }

    private List<Frame> frames(StackTrace stack) {
        if (stack == null || stack.frames().isEmpty()) {
            return List.of();
        }
        List<Frame> cached = stacks.get(stack);
        if (cached != null) {
            return cached;
        }
        Frame[] out = new Frame[stack.frames().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = frame(stack.frames().get(i));
        }
        List<Frame> converted = Collections.unmodifiableList(Arrays.asList(out));
        stacks.put(stack, converted);
        return converted;
    }

    private Frame frame(io.kfr.collectors.Frame f) {
        Frame frame = frames.get(f);
        if (frame != null) {
            return frame;
        }
        String type = f.type() == null ? "Native" : f.type().jfrName();
        frame = JfrFrames.of(nullToEmpty(f.owner()), nullToEmpty(f.method()), nullToEmpty(f.descriptor()), type,
                Math.max(0, f.line()));
        frames.put(f, frame);
        if (frame.kind() != Frame.Kind.JAVA) {
            long address = f.address();
            if (address != -1) {
                builder.images.symbol(f.owner(), f.method(), address);
            }
        }
        return frame;
    }

    /** What one period held, as written. */
    public static final class Period {
        public final long samples;
        public final long events;
        public final long offCpuNanos;
        public final long cpuNanos;
        /** Samples whose stack was left out (the period's table was full). */
        public final long stacksLeftOut;

        Period(Profile p, long stacksLeftOut) {
            this.samples = p.samples.size();
            this.events = p.samples.stream().mapToLong(Sample::events).sum();
            this.offCpuNanos = p.total(EventKind.OFFCPU);
            this.cpuNanos = p.total(EventKind.CPU);
            this.stacksLeftOut = stacksLeftOut;
        }
    }

    /** Ends the period: what was summed since the last call goes to {@code out} in {@code format}; the next one starts empty. */
    @Override
    public void writePeriod(String format, String service, OutputStream out) throws IOException {
        writeAndCount(format, service, out);
    }

    /** As {@link #writePeriod}, with what the period held. */
    public Period writeAndCount(String format, String service, OutputStream out) throws IOException {
        Profile.Builder ended;
        long leftOut;
        synchronized (lock) {
            ended = builder;
            leftOut = stacksLeftOut;
            builder = new Profile.Builder();
            stacks = new IdentityHashMap<>();
            frames = new HashMap<>();
            stacksLeftOut = 0;
        }
        for (NativeImages.Image i : NativeImages.images()) {
            ended.images.image(i.name, i.path, i.buildId, i.start, i.limit, i.fileOffset);
        }
        Profile profile;
        try {
            profile = ended.build(kinds, facts, TimeWindow.of(null, null));
        } catch (ConvertException e) {
            throw new IllegalStateException(e); // no bounds given: nothing to parse
        }
        ConvertCommand.write(format, profile, service != null ? service
                : facts.mainClass != null ? facts.mainClass : "unknown_service:java", out);
        return new Period(profile, leftOut);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
