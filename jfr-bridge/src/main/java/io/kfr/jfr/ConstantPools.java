package io.kfr.jfr;

import io.kfr.collectors.HeapShare;
import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * kfr's constant pools: threads, stack traces (frames inline), methods, classes, packages, symbols,
 * frame types and event strings, each deduplicated. Keys count from 1 in every pool (0 means null
 * to both readers) and never change, so every chunk written from the same pools agrees.
 * Append-only and not thread-safe: {@link KfrChunk} serializes access and writes from a
 * {@link Snapshot}.
 * <p>
 * With a journal (a spool segment's pools), the values themselves are on disk: in memory stay only
 * what deduplicates (a 64-bit hash and a key per value, {@link KeysByHash}) and the counts; the
 * snapshot is then read back from the journal ({@link SpoolSegment#snapshot}).
 */
final class ConstantPools {

    /** A pool of distinct values; a value's key is its position + 1. */
    private final class Pool<T> {
        final KeysByHash keys = new KeysByHash();
        /** The values in key order, while no journal keeps them. */
        final List<T> values = new ArrayList<>();
        int size;
        /** Its kind in the journal ({@link PoolJournal#STRING}, ...). */
        final int kind;

        Pool(int kind) {
            this.kind = kind;
        }

        int key(T value) {
            long h = hash(kind, value);
            int k = keys.get(h);
            if (k == 0) {
                k = ++size;
                keys.put(h, k);
                if (journal != null) {
                    journal.added(kind, value);
                } else {
                    values.add(value);
                }
            }
            return k;
        }

        Object[] copy() {
            return values.toArray();
        }
    }

    static final class ClassEntry {
        private final int name;
        private final int pkg;

        ClassEntry(int name, int pkg) {
            this.name = name;
            this.pkg = pkg;
        }

        public int name() {
            return name;
        }

        public int pkg() {
            return pkg;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof ClassEntry)) {
                return false;
            }
            ClassEntry o = (ClassEntry) other;
            return name == o.name && pkg == o.pkg;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Integer.hashCode(name);
            h = 31 * h + Integer.hashCode(pkg);
            return h;
        }

        @Override
        public String toString() {
            return "ClassEntry[name=" + name + ", pkg=" + pkg + "]";
        }
    }

    static final class MethodEntry {
        private final int type;
        private final int name;
        private final int descriptor;
        private final boolean hidden;

        MethodEntry(int type, int name, int descriptor, boolean hidden) {
            this.type = type;
            this.name = name;
            this.descriptor = descriptor;
            this.hidden = hidden;
        }

        public int type() {
            return type;
        }

        public int name() {
            return name;
        }

        public int descriptor() {
            return descriptor;
        }

        public boolean hidden() {
            return hidden;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof MethodEntry)) {
                return false;
            }
            MethodEntry o = (MethodEntry) other;
            return type == o.type && name == o.name && descriptor == o.descriptor && hidden == o.hidden;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Integer.hashCode(type);
            h = 31 * h + Integer.hashCode(name);
            h = 31 * h + Integer.hashCode(descriptor);
            h = 31 * h + Boolean.hashCode(hidden);
            return h;
        }

        @Override
        public String toString() {
            return "MethodEntry[type=" + type + ", name=" + name + ", descriptor=" + descriptor
                    + ", hidden=" + hidden + "]";
        }
    }

    /** A stack trace ready to write: per frame method key, line, bytecode index, frame type key. */
    static final class StackEntry {
        private final boolean truncated;
        private final int[] frames;

        StackEntry(boolean truncated, int[] frames) {
            this.truncated = truncated;
            this.frames = frames;
        }

        public boolean truncated() {
            return truncated;
        }

        public int[] frames() {
            return frames;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof StackEntry)) {
                return false;
            }
            StackEntry o = (StackEntry) other;
            return truncated == o.truncated && Objects.equals(frames, o.frames);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Boolean.hashCode(truncated);
            h = 31 * h + Objects.hashCode(frames);
            return h;
        }

        @Override
        public String toString() {
            return "StackEntry[truncated=" + truncated + ", frames=" + frames + "]";
        }
    }

    /** Frame type strings JMC knows; always all present so the checkpoint is never empty. */
    private static final String[] FRAME_TYPES = {"Interpreted", "JIT compiled", "Inlined", "Native", "C++", "Kernel"};

    /** Compiled at the first descriptor checked (the collector thread), not when premain makes the pools. */
    private static final class Descriptors {
        static final Pattern FIELD_TYPE = Pattern.compile("\\[*(?:[BCDFIJSZ]|L[^;\\[.]+;)");
        static final Pattern METHOD =
                Pattern.compile("\\((?:" + FIELD_TYPE.pattern() + ")*\\)(?:V|" + FIELD_TYPE.pattern() + ")");
    }

    /**
     * The most distinct values a segment's pools take: then the segment is full ({@link KfrChunk}
     * opens the next one). It bounds the memory of the pools being filled: 16 to 32 bytes a
     * value (hash tables 3/8 to 3/4 full), at most ~0.5 MB; a service whose code is known after
     * warm-up meets few new values and keeps its segments (the it-tests' SmallHeap: ~8,000 in 6 s).
     */
    static final int MAX_ENTRIES = HeapShare.entries(16 * 1024, 2048);

    private final Pool<String> strings = new Pool<>(PoolJournal.STRING);
    private final Pool<String> symbols = new Pool<>(PoolJournal.SYMBOL);
    private final Pool<String> frameTypes = new Pool<>(PoolJournal.FRAME_TYPE);
    private final Pool<Integer> packages = new Pool<>(PoolJournal.PACKAGE);
    private final Pool<ClassEntry> classes = new Pool<>(PoolJournal.CLASS);
    private final Pool<MethodEntry> methods = new Pool<>(PoolJournal.METHOD);
    private final Pool<ThreadRef> threads = new Pool<>(PoolJournal.THREAD);

    /**
     * A value's 64-bit hash in its pool ({@link KeysByHash}). One method, not a function per pool:
     * the pools are made in premain, where each lambda's first use spins method handles.
     */
    private static long hash(int kind, Object v) {
        switch (kind) {
            case PoolJournal.STRING:
                return new KeysByHash.Hasher(1).add((String) v).hash();
            case PoolJournal.SYMBOL:
                return new KeysByHash.Hasher(2).add((String) v).hash();
            case PoolJournal.FRAME_TYPE:
                return new KeysByHash.Hasher(3).add((String) v).hash();
            case PoolJournal.PACKAGE:
                return ((Integer) v).longValue();
            case PoolJournal.CLASS: {
                ClassEntry c = (ClassEntry) v;
                return (long) c.name() << 32 | c.pkg() & 0xFFFFFFFFL;
            }
            case PoolJournal.METHOD: {
                MethodEntry m = (MethodEntry) v;
                return new KeysByHash.Hasher(4).add(m.type()).add(m.name()).add(m.descriptor()).add(m.hidden() ? 1 : 0).hash();
            }
            case PoolJournal.THREAD: {
                ThreadRef t = (ThreadRef) v;
                return new KeysByHash.Hasher(5).add(t.tid()).add(t.osName()).add(t.javaThreadId()).add(t.javaName()).hash();
            }
            default:
                throw new IllegalArgumentException("pool kind " + kind);
        }
    }
    private final KeysByHash stackKeys = new KeysByHash();
    /**
     * Collectors hand out the same StackTrace object for the same kernel stack ids; a small
     * direct-mapped identity cache skips encoding 30-odd frames for those (bounded, unlike an
     * IdentityHashMap that would keep every object ever seen).
     */
    private final StackTrace[] recentStacks = new StackTrace[HeapShare.powerOfTwo(1024, 32)];
    private final int[] recentKeys = new int[recentStacks.length];
    private final Frame[] recentFrames = new Frame[HeapShare.powerOfTwo(4096, 128)];
    private final int[] recentMethods = new int[recentFrames.length];
    private final String[] wellFormedDescriptors = new String[256];
    /** The frame types' keys by FrameType ordinal (0: not yet in this segment's pool). */
    private final int[] frameTypeKeys = new int[FrameType.values().length];
    /** The stacks in key order, while no journal keeps them. */
    private final List<StackEntry> stacks = new ArrayList<>();
    private int stackCount;
    /** Where every new value is also written (a segment's pools on disk), or null. */
    private PoolJournal journal;
    /** Some events of these pools' segment are jdk.ExecutionSample (as told by {@link #executionSamples}). */
    private boolean executionSamples;

    ConstantPools() {
        for (String t : FRAME_TYPES) {
            frameTypes.key(t);
        }
    }

    /** From now on every new value is also written to {@code journal} (the frame types of the constructor are not). */
    void journal(PoolJournal journal) {
        this.journal = journal;
    }

    /** Notes that the segment holds jdk.ExecutionSample records (its chunk declares that type). */
    void executionSamples() {
        if (!executionSamples) {
            executionSamples = true;
            if (journal != null) {
                journal.added(PoolJournal.EXECUTION_SAMPLES, null);
            }
        }
    }

    boolean hasExecutionSamples() {
        return executionSamples;
    }

    /** Takes in a value read back from a journal, with the key it had. */
    @SuppressWarnings("unchecked")
    void restore(int kind, Object value) throws java.io.IOException {
        switch (kind) {
            case PoolJournal.STRING:
                strings.key((String) value);
                break;
            case PoolJournal.SYMBOL:
                symbols.key((String) value);
                break;
            case PoolJournal.FRAME_TYPE:
                frameTypes.key((String) value);
                break;
            case PoolJournal.PACKAGE:
                packages.key((Integer) value);
                break;
            case PoolJournal.CLASS:
                classes.key((ClassEntry) value);
                break;
            case PoolJournal.METHOD:
                methods.key((MethodEntry) value);
                break;
            case PoolJournal.THREAD:
                threads.key((ThreadRef) value);
                break;
            case PoolJournal.STACK:
                stacks.add((StackEntry) value);
                stackCount++;
                break;
            case PoolJournal.EXECUTION_SAMPLES:
                executionSamples = true;
                break;
            default:
                throw new java.io.IOException("corrupt kfr pool journal: entry kind " + kind);
        }
    }

    /** Key in the java.lang.String pool; 0 (written as the null encoding) for null. */
    int string(String s) {
        return s == null ? 0 : strings.key(s);
    }

    int thread(ThreadRef t) {
        return t == null ? 0 : threads.key(t);
    }

    /** Distinct stacks so far: grows when {@link #stack} meets a new one. */
    int stackCount() {
        return stackCount;
    }

    /** Distinct values in all pools: what the memory of these pools grows with. */
    int entries() {
        return stackCount + strings.size + symbols.size + packages.size + classes.size + methods.size + threads.size;
    }

    /** 0 (null, as the JVM writes an event without stack) for a missing or empty stack. */
    int stack(StackTrace s) {
        if (s == null || s.frames().isEmpty()) {
            return 0;
        }
        int slot = System.identityHashCode(s) & (recentStacks.length - 1);
        if (recentStacks[slot] == s) {
            return recentKeys[slot];
        }
        List<Frame> frames = s.frames();
        int[] encoded = new int[frames.size() * 4];
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            encoded[4 * i] = method(f);
            encoded[4 * i + 1] = f.line();
            encoded[4 * i + 2] = f.bci();
            encoded[4 * i + 3] = frameType(f.type());
        }
        long hash = new KeysByHash.Hasher(s.truncated() ? 7 : 6).add(encoded).hash();
        int k = stackKeys.get(hash);
        if (k == 0) {
            StackEntry entry = new StackEntry(s.truncated(), encoded);
            k = ++stackCount;
            if (journal != null) {
                journal.added(PoolJournal.STACK, entry);
            } else {
                stacks.add(entry);
            }
            stackKeys.put(hash, k);
        }
        recentStacks[slot] = s;
        recentKeys[slot] = k;
        return k;
    }

    /** A frame without a type is written as a native one. */
    private int frameType(FrameType type) {
        FrameType t = type == null ? FrameType.NATIVE : type;
        int k = frameTypeKeys[t.ordinal()];
        if (k == 0) {
            k = frameTypes.key(t.jfrName());
            frameTypeKeys[t.ordinal()] = k;
        }
        return k;
    }

    /**
     * The method key of a frame: collectors share one Frame object per symbol, so a small
     * direct-mapped identity cache spares the name work for most frames of a new stack object.
     */
    private int method(Frame f) {
        int slot = System.identityHashCode(f) & (recentFrames.length - 1);
        if (recentFrames[slot] == f) {
            return recentMethods[slot];
        }
        int key = methodOf(f);
        recentFrames[slot] = f;
        recentMethods[slot] = key;
        return key;
    }

    private int methodOf(Frame f) {
        boolean java = isJava(f.type());
        String className = className(f.owner(), java);
        int slash = className.lastIndexOf('/');
        int pkg = java && slash > 0 ? packages.key(symbols.key(className.substring(0, slash))) : 0;
        int type = classes.key(new ClassEntry(symbols.key(className), pkg));
        String name = f.method() == null || f.method().isEmpty() ? "[unknown]" : f.method();
        // jfr print slices the descriptor at '(' and ')': anything malformed or empty becomes "()V".
        String descriptor = f.descriptor() == null ? "" : f.descriptor().replace('.', '/');
        if (!wellFormed(descriptor)) {
            descriptor = "()V";
        }
        return methods.key(new MethodEntry(type, symbols.key(name), symbols.key(descriptor), java && f.hidden()));
    }

    /**
     * Whether a descriptor is one jfr print and JMC can slice; the regular expression runs once per
     * distinct descriptor of a small direct-mapped memo (it was the largest part of naming a new
     * stack's frames: every native and kernel frame is "()V", Java frames share few descriptors).
     */
    private boolean wellFormed(String descriptor) {
        if (descriptor.equals("()V")) {
            return true;
        }
        int slot = descriptor.hashCode() & (wellFormedDescriptors.length - 1);
        if (descriptor.equals(wellFormedDescriptors[slot])) {
            return true;
        }
        if (!Descriptors.METHOD.matcher(descriptor).matches()) {
            return false;
        }
        wellFormedDescriptors[slot] = descriptor;
        return true;
    }

    private static boolean isJava(FrameType t) {
        return t != null && t.isJava();
    }

    /**
     * The class name as the JVM writes it: Java classes in internal form (slashes, '+' before a
     * hidden class's suffix); anything else
     * ("kernel", "libc.so.6") as is. JMC takes a leading '[' for an array descriptor, so "[vdso]"
     * becomes "vdso".
     */
    static String className(String owner, boolean java) {
        String name = owner == null ? "" : owner;
        if (name.startsWith("[")) {
            int start = 0;
            while (start < name.length() && name.charAt(start) == '[') {
                start++;
            }
            int end = name.length();
            while (end > start && name.charAt(end - 1) == ']') {
                end--;
            }
            name = name.substring(start, end);
        }
        if (name.isEmpty()) {
            return "unknown";
        }
        if (!java) {
            return name;
        }
        // Hidden classes: binary name "a.B$$Lambda/0x1234", internal name "a/B$$Lambda+0x1234".
        int hidden = name.indexOf("/0x");
        if (hidden >= 0) {
            return name.substring(0, hidden).replace('.', '/') + "+" + name.substring(hidden + 1);
        }
        return name.replace('.', '/');
    }

    /** @param threadNames the name each thread is written with (a thread's best-known name by now) */
    Snapshot snapshot(UnaryOperator<ThreadRef> threadNames) {
        if (journal != null) {
            throw new IllegalStateException("journaled pools: read them back from the journal");
        }
        Object[] threadRefs = threads.copy();
        for (int i = 0; i < threadRefs.length; i++) {
            ThreadRef named = threadNames.apply((ThreadRef) threadRefs[i]);
            if (named != null && named.tid() == ((ThreadRef) threadRefs[i]).tid()) {
                threadRefs[i] = named;
            }
        }
        return new Snapshot(strings.copy(), symbols.copy(), frameTypes.copy(), packages.copy(), classes.copy(),
                methods.copy(), threadRefs, stacks.toArray());
    }

    /** An immutable copy of the pools at one moment: what one chunk refers to. */
    static final class Snapshot {
        private final Object[] strings;
        private final Object[] symbols;
        private final Object[] frameTypes;
        private final Object[] packages;
        private final Object[] classes;
        private final Object[] methods;
        private final Object[] threads;
        private final Object[] stacks;

        Snapshot(Object[] strings, Object[] symbols, Object[] frameTypes, Object[] packages, Object[] classes,
                Object[] methods, Object[] threads, Object[] stacks) {
            this.strings = strings;
            this.symbols = symbols;
            this.frameTypes = frameTypes;
            this.packages = packages;
            this.classes = classes;
            this.methods = methods;
            this.threads = threads;
            this.stacks = stacks;
        }

        public Object[] strings() {
            return strings;
        }

        public Object[] symbols() {
            return symbols;
        }

        public Object[] frameTypes() {
            return frameTypes;
        }

        public Object[] packages() {
            return packages;
        }

        public Object[] classes() {
            return classes;
        }

        public Object[] methods() {
            return methods;
        }

        public Object[] threads() {
            return threads;
        }

        public Object[] stacks() {
            return stacks;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Snapshot)) {
                return false;
            }
            Snapshot o = (Snapshot) other;
            return Objects.equals(strings, o.strings) && Objects.equals(symbols, o.symbols)
                    && Objects.equals(frameTypes, o.frameTypes) && Objects.equals(packages, o.packages)
                    && Objects.equals(classes, o.classes) && Objects.equals(methods, o.methods)
                    && Objects.equals(threads, o.threads) && Objects.equals(stacks, o.stacks);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(strings);
            h = 31 * h + Objects.hashCode(symbols);
            h = 31 * h + Objects.hashCode(frameTypes);
            h = 31 * h + Objects.hashCode(packages);
            h = 31 * h + Objects.hashCode(classes);
            h = 31 * h + Objects.hashCode(methods);
            h = 31 * h + Objects.hashCode(threads);
            h = 31 * h + Objects.hashCode(stacks);
            return h;
        }

        @Override
        public String toString() {
            return "Snapshot[strings=" + strings + ", symbols=" + symbols + ", frameTypes=" + frameTypes
                    + ", packages=" + packages + ", classes=" + classes + ", methods=" + methods
                    + ", threads=" + threads + ", stacks=" + stacks + "]";
        }


        /**
         * The pools of the checkpoint event: count, then per pool type id, entry count, entries;
         * with {@code threadStates} also the JVM's jdk.types.ThreadState table (jdk.ExecutionSample).
         */
        void writePools(JfrBuffer out, KfrTypes types, boolean threadStates) {
            Object[][] all = {strings, symbols, frameTypes, packages, classes, methods, threads, stacks};
            int nonEmpty = threadStates ? 1 : 0;
            for (Object[] p : all) {
                nonEmpty += p.length > 0 ? 1 : 0;
            }
            out.writeVarInt(nonEmpty);
            if (threadStates) {
                JavaThreadStates.writePool(out, types.id(KfrTypes.THREAD_STATE));
            }
            writeStrings(out, types.id(KfrTypes.STRING), strings);
            writeStrings(out, types.id(KfrTypes.SYMBOL), symbols);
            writeStrings(out, types.id(KfrTypes.FRAME_TYPE), frameTypes);
            if (packages.length > 0) {
                header(out, types.id(KfrTypes.PACKAGE), packages.length);
                for (int i = 0; i < packages.length; i++) {
                    out.writeVarLong(i + 1);
                    out.writeVarLong((Integer) packages[i]); // name: Symbol
                    out.writeBoolean(true); // exported: unknown, JMC only displays it
                }
            }
            if (classes.length > 0) {
                header(out, types.id(KfrTypes.CLASS), classes.length);
                for (int i = 0; i < classes.length; i++) {
                    ClassEntry c = (ClassEntry) classes[i];
                    out.writeVarLong(i + 1);
                    out.writeVarLong(0); // classLoader: null
                    out.writeVarLong(c.name());
                    out.writeVarLong(c.pkg());
                    out.writeVarInt(0); // modifiers: unknown
                    out.writeBoolean(false); // hidden
                }
            }
            if (methods.length > 0) {
                header(out, types.id(KfrTypes.METHOD), methods.length);
                for (int i = 0; i < methods.length; i++) {
                    MethodEntry m = (MethodEntry) methods[i];
                    out.writeVarLong(i + 1);
                    out.writeVarLong(m.type());
                    out.writeVarLong(m.name());
                    out.writeVarLong(m.descriptor());
                    out.writeVarInt(0); // modifiers: unknown
                    out.writeBoolean(m.hidden()); // as the JVM: lambda forms etc. (jfr print skips them)
                }
            }
            if (threads.length > 0) {
                header(out, types.id(KfrTypes.THREAD), threads.length);
                for (int i = 0; i < threads.length; i++) {
                    ThreadRef t = (ThreadRef) threads[i];
                    out.writeVarLong(i + 1);
                    out.writeString(t.osName() != null ? t.osName() : t.displayName());
                    out.writeVarLong(t.tid()); // the real Linux tid: JMC matches threads across chunks by it
                    // Native threads as the JVM writes them: no Java name, Java thread id 0.
                    out.writeString(t.isJava() ? t.javaName() : null);
                    out.writeVarLong(t.isJava() ? t.javaThreadId() : 0);
                    out.writeVarLong(0); // group: not known to kfr
                }
            }
            if (stacks.length > 0) {
                header(out, types.id(KfrTypes.STACK_TRACE), stacks.length);
                for (int i = 0; i < stacks.length; i++) {
                    StackEntry s = (StackEntry) stacks[i];
                    out.writeVarLong(i + 1);
                    out.writeBoolean(s.truncated());
                    int[] f = s.frames();
                    out.writeVarInt(f.length / 4);
                    for (int j = 0; j < f.length; j += 4) {
                        out.writeVarLong(f[j]); // method
                        out.writeVarInt(f[j + 1]); // lineNumber
                        out.writeVarInt(f[j + 2]); // bytecodeIndex
                        out.writeVarLong(f[j + 3]); // type: FrameType
                    }
                }
            }
        }

        private static void writeStrings(JfrBuffer out, long typeId, Object[] values) {
            if (values.length == 0) {
                return;
            }
            header(out, typeId, values.length);
            for (int i = 0; i < values.length; i++) {
                out.writeVarLong(i + 1);
                out.writeString((String) values[i]);
            }
        }

        private static void header(JfrBuffer out, long typeId, int count) {
            out.writeVarLong(typeId);
            out.writeVarInt(count);
        }
    }
}
