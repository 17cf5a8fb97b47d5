package io.kfr.collectors.threads;

import io.kfr.collectors.ThreadRef;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Linux tid to Java thread, inside the profiled JVM. A Java thread is named as the JVM named it at
 * its start when that is known ({@link #setStartedThreadIdentities}: JVMTI, with Java frames on) and
 * the kernel's name still agrees. Every other thread — the JVM's own (compiler, GC), a thread renamed
 * since, any thread without JVMTI — is named by the JVM's thread dump (Thread.print, through
 * {@link JvmThreadDump} or the DiagnosticCommand MBean's threadPrint), with its Java id and native id.
 * A dump stops the JVM at a safepoint and walks every stack, so it is taken only when a tid is not
 * known yet, and at most once per {@code minRefreshMillis}; until then an unknown tid is named
 * from /proc/self/task/TID/comm (non-Java, provisional) and settled by the next dump. A thread
 * that ended before either saw it is named by the optional {@link #setExitedThreadNames} source
 * (the off-CPU collector's kernel program keeps the name a thread had when it exited).
 * <p>
 * A thread counts as Java (javaThreadId >= 0) when the dump gives it a Java id and Java code can
 * see it (ThreadGroup enumeration). That leaves out the compiler threads and other hidden
 * JavaThreads (Service Thread, ...): they have a Java id in the dump but run no Java code, and
 * {@link ThreadRef} classes compiler threads as non-Java.
 * <p>
 * ThreadRef instances are kept: a tid with the same name and id gets the same object across
 * refreshes. A thread that ended stays known until the refresh after next, because records about
 * it arrive after it is gone; a recycled tid needs {@link #invalidate}. Thread-safe; never throws.
 */
public final class ThreadDirectory {
    private static final String DIAGNOSTIC_COMMAND = "com.sun.management:type=DiagnosticCommand";

    private final long minRefreshNanos;
    private volatile Map<Integer, ThreadRef> known = Map.of();
    /** Threads that ended since the refresh before last: records about them arrive late. */
    private volatile Map<Integer, ThreadRef> ended = Map.of();
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final Map<Long, WeakReference<Thread>> javaThreads = new ConcurrentHashMap<>();
    private volatile long lastRefresh;
    private volatile String unavailableReason;
    private volatile long lastRefreshCostNanos;
    private volatile long refreshes;
    private volatile IntFunction<String> exitedThreadNames;
    private volatile IntFunction<String> startedThreadIdentities;
    /**
     * Provisional ref (named from /proc, 15 characters, no Java id) -> the ref the next dump gave
     * the same thread: records taken before the dump keep the provisional ref, and the chunk
     * writes the settled name for them (see {@link #settled}). Bounded; past the bound early
     * records of new threads keep their /proc name.
     */
    private final Map<ThreadRef, ThreadRef> settledFrom = new ConcurrentHashMap<>();
    private static final int MAX_SETTLED = 100_000;
    /**
     * Java threads as the JVM named them at their start ({@link #setStartedThreadIdentities}: JVMTI
     * ThreadStart, and the threads alive when it attached), by tid. Such a thread needs no dump:
     * a dump stops the JVM at a safepoint and walks every stack, and a service that starts threads
     * all the time would take one every {@code minRefreshMillis}. Dumps remain for the JVM's own
     * threads (compiler, GC: no ThreadStart) and when no start identities are given (Java frames off).
     */
    private final Map<Integer, ThreadRef> started = new ConcurrentHashMap<>();
    private static final int MAX_STARTED = 8192;
    private MBeanServer server;
    private ObjectName diagnosticCommand;

    /** A tid named from /proc only, until a dump taken after it was first seen settles it. */
    private static final class Pending {
        private final ThreadRef ref;
        private final long firstSeen;

        private Pending(ThreadRef ref, long firstSeen) {
            this.ref = ref;
            this.firstSeen = firstSeen;
        }

        public ThreadRef ref() {
            return ref;
        }

        public long firstSeen() {
            return firstSeen;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Pending)) {
                return false;
            }
            Pending o = (Pending) other;
            return Objects.equals(ref, o.ref) && firstSeen == o.firstSeen;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(ref);
            h = 31 * h + Long.hashCode(firstSeen);
            return h;
        }

        @Override
        public String toString() {
            return "Pending[ref=" + ref + ", firstSeen=" + firstSeen + "]";
        }
    }

    public ThreadDirectory() {
        this(500);
    }

    public ThreadDirectory(long minRefreshMillis) {
        this.minRefreshNanos = TimeUnit.MILLISECONDS.toNanos(minRefreshMillis);
        this.lastRefresh = System.nanoTime() - minRefreshNanos - 1; // the first unknown tid refreshes
    }

    /** The thread with Linux id {@code tid}. Never null, never throws. */
    public ThreadRef lookup(int tid) {
        ThreadRef r = known.get(tid);
        if (r != null) return r;
        r = ended.get(tid);
        if (r != null) return r;
        r = started(tid);
        if (r != null) return r;
        if (refreshIfDue()) {
            r = known.get(tid);
            if (r != null) return r;
        }
        Pending p = pending.get(tid);
        if (p == null) {
            p = pending.computeIfAbsent(tid, t -> new Pending(fromProc(t), System.nanoTime()));
        }
        return p.ref();
    }

    /**
     * A thread seen in passing (the waker of another thread's interval): as the directory knows
     * it, or else named from /proc without registering it. Registering would start its naming
     * too early: a thread wakes its parent before the JVM has given it its name (the parent's
     * name is then in /proc), and that provisional name would stick to its own events.
     */
    public ThreadRef peek(int tid) {
        ThreadRef r = known.get(tid);
        if (r != null) return r;
        r = ended.get(tid);
        if (r != null) return r;
        r = started(tid);
        if (r != null) return r;
        Pending p = pending.get(tid);
        return p != null ? p.ref() : fromProc(tid);
    }

    /**
     * Forgets {@code tid}, so that the next lookup names it afresh. Call it when the kernel reports
     * a new thread with this id: tids are recycled (pid_max is 32768 on many machines), and a
     * cached name would otherwise stick to the next thread that gets the id.
     */
    public synchronized void invalidate(int tid) {
        if (known.containsKey(tid)) known = without(known, tid);
        if (ended.containsKey(tid)) ended = without(ended, tid);
        pending.remove(tid);
        started.remove(tid);
    }

    private static Map<Integer, ThreadRef> without(Map<Integer, ThreadRef> m, int tid) {
        Map<Integer, ThreadRef> copy = new HashMap<>(m);
        copy.remove(tid);
        return copy;
    }

    /**
     * Sets where names of threads that already ended come from (tid to name, null when unknown;
     * it must be cheap, thread-safe and must not throw), or removes it ({@code null}). Consulted
     * only for a tid the JVM's thread dump and /proc/self/task do not know: such a thread gets a
     * ThreadRef with that name as osName and javaThreadId -1.
     */
    public synchronized void setExitedThreadNames(IntFunction<String> names) {
        this.exitedThreadNames = names;
    }

    /**
     * Sets where the Java identity of threads the JVM reported starting comes from (tid to
     * "javaThreadId name", null when unknown; cheap, thread-safe, never throwing), or removes it
     * ({@code null}). It names a thread the last thread dump did not know — one that started since,
     * or lived too briefly for any dump — with its full name and Java id, where /proc gives 15
     * characters and no id. Used only while the kernel's name of the tid agrees with it.
     */
    public synchronized void setStartedThreadIdentities(IntFunction<String> identities) {
        this.startedThreadIdentities = identities;
    }

    /** Removes {@code names} as the source of exited threads' names, unless another replaced it. */
    public synchronized void clearExitedThreadNames(IntFunction<String> names) {
        if (exitedThreadNames == names) this.exitedThreadNames = null;
    }

    /** The live Java thread with this id, or null if there is none (ended and collected, or hidden). */
    public Thread javaThread(long javaThreadId) {
        WeakReference<Thread> w = javaThreads.get(javaThreadId);
        Thread t = w == null ? null : w.get();
        if (t != null) return t;
        try {
            enumerateJavaThreads();
        } catch (RuntimeException e) {
            return null;
        }
        w = javaThreads.get(javaThreadId);
        return w == null ? null : w.get();
    }

    private boolean refreshIfDue() {
        if (System.nanoTime() - lastRefresh < minRefreshNanos) return false;
        synchronized (this) {
            if (System.nanoTime() - lastRefresh < minRefreshNanos) return false;
            refresh();
            return true;
        }
    }

    /** Takes a thread dump now and rebuilds the directory. */
    public synchronized void refresh() {
        long start = System.nanoTime();
        lastRefresh = start;
        try {
            String dump = threadPrint();
            Set<Long> visible = enumerateJavaThreads();
            Map<Integer, ThreadRef> old = known;
            Map<Integer, ThreadRef> next = new HashMap<>();
            Map<Integer, ThreadRef> gone = new HashMap<>();
            if (dump == null) {
                next.putAll(old); // no dump this time: what we knew still stands
            } else {
                for (ThreadDumpParser.Entry e : ThreadDumpParser.parse(dump)) {
                    boolean java = e.javaId() >= 0 && visible.contains(e.javaId());
                    ThreadRef ref = java ? new ThreadRef(e.tid(), e.name(), e.javaId(), e.name())
                            : new ThreadRef(e.tid(), e.name(), -1, null);
                    ThreadRef atStart = started.get(e.tid());
                    next.put(e.tid(), atStart != null && atStart.equals(ref) ? atStart
                            : keep(ref, old.get(e.tid()), pending.get(e.tid())));
                }
                // Not in the dump: ended, or never a JVM thread (a native thread, the launcher's
                // primordial thread): kept as non-Java while alive.
                for (Map.Entry<Integer, ThreadRef> e : old.entrySet()) {
                    ThreadRef r = e.getValue();
                    if (next.containsKey(e.getKey())) continue;
                    if (alive(r.tid())) {
                        next.put(r.tid(), r.isJava() ? new ThreadRef(r.tid(), r.osName(), -1, null) : r);
                    } else {
                        gone.put(r.tid(), r);
                    }
                }
            }
            for (Map.Entry<Integer, Pending> e : pending.entrySet()) {
                Pending p = e.getValue();
                ThreadRef settled = next.get(e.getKey());
                if (settled != null) {
                    rememberSettled(p.ref(), settled);
                    pending.remove(e.getKey());
                } else if (p.firstSeen() < start) { // seen before this dump began: not a starting thread
                    (alive(e.getKey()) ? next : gone).put(e.getKey(), p.ref());
                    pending.remove(e.getKey());
                }
            }
            known = next;
            ended = gone;
        } catch (RuntimeException e) {
            unavailableReason = "thread directory refresh failed: " + e;
        } finally {
            lastRefreshCostNanos = System.nanoTime() - start;
            refreshes++;
        }
    }

    /** Only the same thread: /proc's name is the JVM's name cut to 15 bytes (or the same). */
    private void rememberSettled(ThreadRef provisional, ThreadRef settled) {
        if (provisional.equals(settled) || settledFrom.size() >= MAX_SETTLED) return;
        String cut = provisional.osName();
        if (cut != null && settled.osName() != null && settled.osName().startsWith(cut)) {
            settledFrom.put(provisional, settled);
        }
    }

    /**
     * The thread as the JVM's thread dump named it, for a ref handed out provisionally (from
     * /proc, before a dump saw the thread); any other ref as it is. For writers that name threads
     * after the fact, so that a thread's first records carry its full name and Java id.
     */
    public ThreadRef settled(ThreadRef ref) {
        ThreadRef s = ref == null ? null : settledFrom.get(ref);
        return s != null ? s : ref;
    }

    private static ThreadRef keep(ThreadRef fresh, ThreadRef old, Pending pend) {
        if (fresh.equals(old)) return old;
        if (pend != null && fresh.equals(pend.ref())) return pend.ref();
        return fresh;
    }

    private String threadPrint() {
        try {
            if (JvmThreadDump.available()) {
                String out = JvmThreadDump.threadPrint();
                unavailableReason = null;
                return out;
            }
            if (server == null) {
                server = ManagementFactory.getPlatformMBeanServer();
                diagnosticCommand = new ObjectName(DIAGNOSTIC_COMMAND);
            }
            Object out = server.invoke(diagnosticCommand, "threadPrint",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            unavailableReason = null;
            return out instanceof String ? (String) out : null;
        } catch (Exception | LinkageError e) { // e.g. no jdk.management module in a jlinked runtime
            unavailableReason = "no JVM thread dump (" + e + "): Java threads are named from /proc only";
            return null;
        }
    }

    /** Refreshes the weak id -> Thread cache; returns the ids Java code can see. */
    private Set<Long> enumerateJavaThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        Thread[] threads;
        int n;
        do {
            threads = new Thread[root.activeCount() * 2 + 16];
            n = root.enumerate(threads, true);
        } while (n == threads.length);
        Set<Long> ids = new HashSet<>(n * 2);
        for (int i = 0; i < n; i++) {
            @SuppressWarnings("deprecation") long id = threads[i].getId(); // threadId() is JDK 19+
            ids.add(id);
            WeakReference<Thread> w = javaThreads.get(id);
            if (w == null || w.get() != threads[i]) javaThreads.put(id, new WeakReference<>(threads[i]));
        }
        javaThreads.values().removeIf(w -> w.get() == null);
        return ids;
    }

    /** A live Java thread as the JVM named it at its start, or null (not one, unknown, renamed since). */
    private ThreadRef started(int tid) {
        ThreadRef r = started.get(tid);
        if (r != null || startedThreadIdentities == null) return r;
        String comm = read(Path.of("/proc/self/task/" + tid + "/comm"));
        if (comm == null) return null; // ended: named the usual way, with the kernel's name at exit
        r = startedIdentity(tid, comm);
        if (r == null) return null;
        if (started.size() >= MAX_STARTED) started.clear();
        ThreadRef first = started.putIfAbsent(tid, r);
        return first != null ? first : r;
    }

    private ThreadRef fromProc(int tid) {
        String comm = read(Path.of("/proc/self/task/" + tid + "/comm"));
        if (comm == null) comm = exitedName(tid); // ended: before /proc/TID, which may be a recycled tid
        ThreadRef started = startedIdentity(tid, comm);
        if (started != null) return started;
        if (comm == null) comm = read(Path.of("/proc/" + tid + "/comm"));
        return new ThreadRef(tid, comm != null ? comm : "[tid " + tid + "]", -1, null);
    }

    /**
     * The thread as the JVM reported it at its start, if the kernel's name (comm: the JVM's name
     * cut to 15 bytes) agrees, or the kernel no longer knows the tid: a tid recycled by another
     * thread, or a thread renamed since, keeps its /proc name instead.
     */
    private ThreadRef startedIdentity(int tid, String comm) {
        IntFunction<String> source = startedThreadIdentities;
        if (source == null) return null;
        String identity;
        try {
            identity = source.apply(tid);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
        int space = identity == null ? -1 : identity.indexOf(' ');
        if (space <= 0) return null;
        long javaId;
        try {
            javaId = Long.parseLong(identity, 0, space, 10);
        } catch (NumberFormatException e) {
            return null;
        }
        String name = identity.substring(space + 1);
        if (javaId < 0 || name.isEmpty()) return null;
        if (comm != null && !comm.equals(commOf(name))) return null;
        return new ThreadRef(tid, name, javaId, name);
    }

    /** The kernel's name for a thread the JVM named {@code name}: its first 15 bytes of UTF-8. */
    static String commOf(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        return utf8.length <= 15 ? name : new String(utf8, 0, 15, StandardCharsets.UTF_8);
    }

    private String exitedName(int tid) {
        IntFunction<String> names = exitedThreadNames;
        if (names == null) return null;
        try {
            String name = names.apply(tid);
            return name == null || name.isEmpty() ? null : name;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean alive(int tid) {
        return Files.exists(Path.of("/proc/self/task/" + tid));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Why Java threads cannot be named (no diagnostic command), or null when they can. */
    public String unavailableReason() {
        return unavailableReason;
    }

    /** What the last refresh took, in nanoseconds (dump, parse, enumeration). */
    public long lastRefreshCostNanos() {
        return lastRefreshCostNanos;
    }

    /** Number of refreshes (thread dumps) so far. */
    public long refreshes() {
        return refreshes;
    }

    /** A snapshot of the known threads (not the provisional ones). */
    public List<ThreadRef> threads() {
        return List.copyOf(known.values());
    }
}
