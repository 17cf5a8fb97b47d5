package io.kfr.collectors.stacks;

import io.kfr.collectors.HeapShare;
import io.kfr.collectors.Frame;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.symbols.KernelSymbols;
import io.kfr.collectors.symbols.ProcessMaps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Turns the BPF stack map's (kernel id, user id) pairs and the Java stack id into symbolized
 * stacks: kernel frames first, then native frames, then Java frames. The BPF program never reuses
 * a stack id for another stack, so a resolved triple is cached until the collector says its ids
 * expired ({@link #forget}) or, the cache being full ({@link #CACHED} stacks, least recently used
 * first), it is resolved again from the ids; a stack the source no longer has (negative answer) is
 * shown as an expired frame and counted, not cached. Only the collector thread calls this.
 * <p>
 * The frame-pointer user stack can run on into the code cache (interpreter frames keep a frame
 * pointer chain); those addresses are JIT code the Java walker names properly, so when there are
 * Java frames the native part ends at the first frame in anonymous executable memory.
 */
public final class StackResolver {
    /** Reads the ips of a kernel stack-map entry into ips; returns how many. */
    @FunctionalInterface
    public interface StackSource {
        int read(int stackId, long[] ips);
    }

    private static final int MAX_FRAMES = 127;

    private final StackSource source;
    private final KernelSymbols kernel;
    private final ProcessMaps user;
    private final JavaStacks java;
    /**
     * Resolved stacks kept by ids (and half as many by content): each about 0.2 kB with its frame
     * list (the frames are shared), so at most ~0.3 MB for both. A stack beyond it is resolved again (its
     * frames' names are cached by the symbol tables).
     */
    static final int CACHED = HeapShare.entries(1024, 32);
    private final Map<StackKey, StackTrace> cache = lru(CACHED);
    private final long[] ips = new long[MAX_FRAMES];
    private static final Frame KERNEL_EXPIRED = Frame.unknown("[kernel stack expired]");
    private static final Frame USER_EXPIRED = Frame.unknown("[native stack expired]");
    private long expired;
    /**
     * The raw ips of stacks whose ids expired while their intervals were still running (threads
     * off the CPU across a stack epoch change: idle pool threads, a broker's back-off), read just
     * before their map was cleared; kept only while the intervals are still pending. Stacks are
     * shared by many threads waiting at one place, so a few hundred entries cover thousands of threads.
     */
    private Map<Integer, long[]> carried = Map.of();
    static final int MAX_CARRIED = 1024;
    private long carriedTotal;

    private static final class StackKey {
        private final int kernel;
        private final int user;
        private final long java;

        private StackKey(int kernel, int user, long java) {
            this.kernel = kernel;
            this.user = user;
            this.java = java;
        }

        public int kernel() {
            return kernel;
        }

        public int user() {
            return user;
        }

        public long java() {
            return java;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof StackKey)) {
                return false;
            }
            StackKey o = (StackKey) other;
            return kernel == o.kernel && user == o.user && java == o.java;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Integer.hashCode(kernel);
            h = 31 * h + Integer.hashCode(user);
            h = 31 * h + Long.hashCode(java);
            return h;
        }

        @Override
        public String toString() {
            return "StackKey[kernel=" + kernel + ", user=" + user + ", java=" + java + "]";
        }
    }

    /** A stack by its content (the ips themselves): for ids the kernel may reuse. */
    private static final class ContentKey {
        private final long[] kernel;
        private final long[] user;
        private final long javaRef;

        private ContentKey(long[] kernel, long[] user, long javaRef) {
            this.kernel = kernel;
            this.user = user;
            this.javaRef = javaRef;
        }

        public long[] kernel() {
            return kernel;
        }

        public long[] user() {
            return user;
        }

        public long javaRef() {
            return javaRef;
        }

        @Override
        public String toString() {
            return "ContentKey[kernel=" + kernel + ", user=" + user + ", javaRef=" + javaRef + "]";
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof ContentKey)) {
                return false;
            }
            ContentKey k = (ContentKey) o;
            return k.javaRef == javaRef && Arrays.equals(k.kernel, kernel)
                    && Arrays.equals(k.user, user);
        }

        @Override
        public int hashCode() {
            return (Arrays.hashCode(kernel) * 31 + Arrays.hashCode(user)) * 31 + Long.hashCode(javaRef);
        }
    }

    /** Stacks by content (LRU): a waker's stack repeats, its id need not. */
    private final Map<ContentKey, StackTrace> byContent = lru(CACHED / 2);

    private static <K> Map<K, StackTrace> lru(int max) {
        return new LinkedHashMap<K, StackTrace>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, StackTrace> e) {
                return size() > max;
            }
        };
    }

    /** java: null for a collector without Java frames. */
    public StackResolver(StackSource source, KernelSymbols kernel, ProcessMaps user, JavaStacks java) {
        this.source = source;
        this.java = java;
        this.kernel = kernel;
        this.user = user;
    }

    public StackTrace resolve(int kernelStackId, int userStackId, long javaRef) {
        StackKey key = new StackKey(kernelStackId, userStackId, javaRef);
        StackTrace known = cache.get(key);
        if (known != null) {
            return known;
        }
        long[] k = readIps(kernelStackId);
        long[] u = readIps(userStackId);
        StackTrace stack = resolve(k, kernelStackId >= 0, u, userStackId >= 0, javaRef);
        if (k != null && u != null) {
            cache.put(key, stack);
        } else {
            expired++;
        }
        return stack;
    }

    /** Forgets the cached stacks whose kernel or user id the source will not answer any more. */
    public void forget(IntPredicate expiredId) {
        cache.keySet().removeIf(k -> k.kernel >= 0 && expiredId.test(k.kernel) || k.user >= 0 && expiredId.test(k.user));
    }

    /**
     * Before a stack epoch change: keeps the ips of the stacks of running intervals
     * ({@code pendingIds}) that the change expires ({@code expiring}) or that were carried before,
     * and drops the rest of what was carried (those intervals have ended and been delivered).
     */
    public void carry(int[] pendingIds, IntPredicate expiring) {
        if (pendingIds == null || pendingIds.length == 0) {
            carried = Map.of();
            return;
        }
        Map<Integer, long[]> next = new HashMap<>();
        for (int id : pendingIds) {
            if (id < 0 || next.containsKey(id)) {
                continue;
            }
            long[] old = carried.get(id);
            if (old != null) {
                next.put(id, old);
            } else if (expiring.test(id) && next.size() < MAX_CARRIED) {
                long[] fresh = readIps(id); // not carried before: what the source has, or null
                if (fresh != null) {
                    next.put(id, fresh);
                    carriedTotal++;
                }
            }
        }
        carried = next;
    }

    /** Stacks read before their ids expired because their intervals were still running, cumulative. */
    public long carriedTotal() {
        return carriedTotal;
    }

    /** Stacks resolved after their ids expired (shown with an expired frame), cumulative. */
    public long expired() {
        return expired;
    }

    /**
     * As {@link #resolve}, without the cache: for stack ids the kernel may reuse for another stack
     * (wakers' stacks, taken with BPF_F_REUSE_STACKID).
     */
    public StackTrace resolveUncached(int kernelStackId, int userStackId, long javaRef) {
        // the ips are read again (the id may hold another stack by now); their names are cached
        long[] k = orEmpty(readIps(kernelStackId));
        long[] u = orEmpty(readIps(userStackId));
        ContentKey key = new ContentKey(k, u, javaRef);
        StackTrace known = byContent.get(key);
        if (known == null) {
            known = resolve(k, kernelStackId >= 0, u, userStackId >= 0, javaRef);
            byContent.put(key, known);
        }
        return known;
    }

    /** The ips of a stack id (none for an id < 0: not taken), or null if the source no longer has it. */
    private long[] readIps(int id) {
        if (id < 0) {
            return new long[0];
        }
        int n = source.read(id, ips);
        return n >= 0 ? Arrays.copyOf(ips, n) : carried.get(id);
    }

    private static long[] orEmpty(long[] ips) {
        return ips == null ? new long[0] : ips;
    }

    private StackTrace resolve(long[] kips, boolean hasKernel, long[] uips, boolean hasUser, long javaRef) {
        List<Frame> frames = new ArrayList<>();
        boolean truncated = false;
        if (hasKernel && kips == null) {
            frames.add(KERNEL_EXPIRED);
        } else if (hasKernel) {
            int n = kips.length;
            boolean tracing = true;
            for (int i = 0; i < n; i++) {
                Frame f = kernel.resolve(callSite(kips, i));
                tracing &= isTracingFrame(f.method());
                if (!tracing) {
                    frames.add(f);
                }
            }
            truncated |= n == MAX_FRAMES;
        }
        List<Frame> javaFrames = java == null ? List.of() : java.frames(javaRef);
        if (hasUser && uips == null) {
            frames.add(USER_EXPIRED);
        } else if (hasUser) {
            int n = uips.length;
            for (int i = 0; i < n; i++) {
                Frame f = user.resolve(callSite(uips, i));
                if (!javaFrames.isEmpty() && f.owner().equals(ProcessMaps.JIT_OWNER)) {
                    break; // the rest is Java code, walked by the HotSpot walker
                }
                frames.add(f);
            }
            truncated |= n == MAX_FRAMES && javaFrames.isEmpty();
        }
        frames.addAll(javaFrames);
        return new StackTrace(frames, truncated);
    }

    /**
     * The BPF program and the tracepoint machinery that called it: kfr's own frames, not the
     * thread's. An unnamed frame at the very top is the BPF program's JIT image.
     */
    private static boolean isTracingFrame(String function) {
        return function.equals("[unknown]") || function.startsWith("bpf_prog_") || function.startsWith("bpf_trace_run")
                || function.startsWith("__traceiter_") || function.startsWith("__bpf_trace_");
    }

    /**
     * Frames below the innermost hold return addresses, which may already lie in the next function
     * (a call as the last instruction); one byte back is inside the call instruction.
     */
    private static long callSite(long[] ips, int i) {
        return i == 0 ? ips[0] : ips[i] - 1;
    }

    public long unknownFrames() {
        return user.unknownFrames() + (java == null ? 0 : java.unknownFrames());
    }
}
