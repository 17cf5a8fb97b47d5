package io.kfr.it.support.workload;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;
import java.util.concurrent.locks.LockSupport;

/**
 * Everything that moves code and metadata under a stack walker while threads are blocked, for
 * {@code UnwinderStress [seconds]} (default 7):
 * <ul>
 * <li>class churn: copies of {@link Target} defined by throwaway class loaders and as hidden
 * classes, called until compiled, blocking 1 ms in compiled code now and then, then dropped and
 * unloaded by System.gc(); with a small code cache that also churns nmethods. Each copy's
 * {@link ClinitSleeper} sleeps in its static initializer (Java called from the VM);</li>
 * <li>deoptimization while blocked: threads park inside a C2 method whose call to
 * {@link ChaBase#pause} was inlined by class hierarchy analysis; then a subclass overriding it is
 * loaded, which invalidates the nmethod under the blocked frames;</li>
 * <li>thread churn: short threads that block once and end, hundreds per second;</li>
 * <li>JDK 21+: virtual threads that sleep, sleep inside synchronized, and sleep in a static
 * initializer (pinned: a VM frame is on the stack).</li>
 * </ul>
 * Prints {@code STRESS-DONE} and counters at the end.
 */
public final class UnwinderStress {
    private static final AtomicLong CLASS_COPIES = new AtomicLong();
    private static final AtomicLong DEOPT_ROUNDS = new AtomicLong();
    private static final AtomicLong SHORT_THREADS = new AtomicLong();
    private static final AtomicLong VIRTUAL_BLOCKS = new AtomicLong();
    private static volatile long deadline;
    private static volatile Throwable failure;

    private UnwinderStress() {
    }

    public static void main(String[] args) throws Exception {
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            failure = e;
            e.printStackTrace();
        });
        deadline = System.nanoTime() + (long) (Double.parseDouble(args.length > 0 ? args[0] : "7") * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int n = i;
            threads.add(new Thread(() -> classChurn(n), "stress-classes-" + i));
        }
        threads.add(new Thread(UnwinderStress::deoptRounds, "stress-deopt"));
        threads.add(new Thread(UnwinderStress::threadChurn, "stress-thread-churn"));
        boolean virtual = Runtime.version().feature() >= 21;
        if (virtual) {
            threads.add(new Thread(UnwinderStress::virtualThreads, "stress-virtual"));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        long codeCachePeak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.NON_HEAP && p.getName().startsWith("Code")) {
                codeCachePeak += p.getPeakUsage().getUsed();
            }
        }
        System.out.printf("STRESS-DONE classCopies=%d unloadedClasses=%d deoptRounds=%d shortThreads=%d"
                        + " virtualBlocks=%d codeCachePeakKB=%d%n", CLASS_COPIES.get(),
                ManagementFactory.getClassLoadingMXBean().getUnloadedClassCount(), DEOPT_ROUNDS.get(),
                SHORT_THREADS.get(), VIRTUAL_BLOCKS.get(), codeCachePeak / 1024);
        if (failure != null) {
            System.exit(1);
        }
    }

    private static boolean running() {
        return System.nanoTime() < deadline;
    }

    // ---- class churn -------------------------------------------------------------------------

    /** Called until compiled; every 200th call blocks 1 ms (park or sleep) three frames deep. */
    public static final class Target implements LongUnaryOperator {
        private long acc;

        @Override
        public long applyAsLong(long n) {
            return a(n) + 1;
        }

        long a(long n) {
            return b(n) ^ acc;
        }

        long b(long n) {
            return c(n) + 3;
        }

        long c(long n) {
            if (n % 400 == 200) {
                LockSupport.parkNanos(1_000_000L);
            } else if (n % 400 == 0) {
                sleep(1);
            }
            acc += n * 31;
            return acc;
        }
    }

    /** Sleeps in its static initializer: Java called from the VM, below a VM frame. */
    public static final class ClinitSleeper {
        static {
            sleep(1);
        }

        private ClinitSleeper() {
        }
    }

    /** Lookup.defineHiddenClass (15+; this workload also runs on 11, with class-loader copies only), or null. */
    private static final java.lang.reflect.Method DEFINE_HIDDEN = defineHidden();

    private static java.lang.reflect.Method defineHidden() {
        for (java.lang.reflect.Method m : MethodHandles.Lookup.class.getMethods()) {
            if (m.getName().equals("defineHiddenClass") && m.getParameterCount() == 3) {
                return m;
            }
        }
        return null;
    }

    private static void classChurn(int n) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            byte[] target = bytes(Target.class.getName());
            for (int copy = 0; running(); copy++) {
                LongUnaryOperator op;
                if ((copy + n) % 2 == 0 || DEFINE_HIDDEN == null) {
                    OneShotLoader loader = new OneShotLoader(UnwinderStress.class.getClassLoader(), Target.class,
                            ClinitSleeper.class);
                    op = (LongUnaryOperator) loader.loadClass(Target.class.getName()).getDeclaredConstructor().newInstance();
                    Class.forName(ClinitSleeper.class.getName(), true, loader);
                } else {
                    // a hidden class (its frames are hidden from getStackTrace), unloadable on its own
                    Object options = java.lang.reflect.Array.newInstance(DEFINE_HIDDEN.getParameterTypes()[2]
                            .getComponentType(), 0);
                    op = (LongUnaryOperator) ((MethodHandles.Lookup) DEFINE_HIDDEN.invoke(lookup, target, true, options))
                            .lookupClass().getDeclaredConstructor().newInstance();
                }
                for (long i = 1; i <= 6000 && running(); i++) {
                    op.applyAsLong(i);
                }
                CLASS_COPIES.incrementAndGet();
                if (copy % 8 == 7) {
                    System.gc(); // unloads the dropped copies and frees their nmethods
                }
            }
        } catch (ReflectiveOperationException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Defines the given classes itself (a fresh copy each time) and delegates everything else. */
    static final class OneShotLoader extends ClassLoader {
        private final Set<String> own;

        OneShotLoader(ClassLoader parent, Class<?>... own) {
            super(parent);
            this.own = Set.of(java.util.Arrays.stream(own).map(Class::getName).toArray(String[]::new));
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!own.contains(name)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        byte[] b = bytes(name);
                        c = defineClass(name, b, 0, b.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return c;
            }
        }
    }

    /** The class files of the classes defined again and again, read once from the class path. */
    private static final Map<String, byte[]> CLASS_FILES = new ConcurrentHashMap<>();

    static byte[] bytes(String className) throws IOException {
        byte[] b = CLASS_FILES.get(className);
        if (b == null) {
            String resource = "/" + className.replace('.', '/') + ".class";
            try (InputStream in = UnwinderStress.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("class file not found: " + resource);
                }
                b = in.readAllBytes();
            }
            CLASS_FILES.put(className, b);
        }
        return b;
    }

    // ---- deoptimization while blocked ---------------------------------------------------------

    /** Has no subclass until {@link ChaSub} is loaded: C2 inlines pause() on class hierarchy analysis. */
    public static class ChaBase {
        public long pause(long nanos) {
            if (nanos > 0) {
                LockSupport.parkNanos(nanos);
            }
            return nanos;
        }
    }

    public static class ChaSub extends ChaBase {
        @Override
        public long pause(long nanos) {
            return 0;
        }
    }

    public static final class ChaHot implements LongUnaryOperator {
        private final ChaBase base = new ChaBase();

        @Override
        public long applyAsLong(long nanos) {
            return base.pause(nanos) + 1;
        }
    }

    /**
     * Each round: fresh ChaBase/ChaHot, warmed until C2 compiles ChaHot with pause() inlined; three
     * threads park in it; then ChaSub (a subclass of this round's ChaBase) is loaded.
     */
    private static void deoptRounds() {
        try {
            while (running()) {
                OneShotLoader base = new OneShotLoader(UnwinderStress.class.getClassLoader(), ChaBase.class, ChaHot.class);
                LongUnaryOperator hot = (LongUnaryOperator) base.loadClass(ChaHot.class.getName())
                        .getDeclaredConstructor().newInstance();
                for (int i = 0; i < 20_000; i++) {
                    hot.applyAsLong(i % 500 == 0 ? 100_000 : 0);
                }
                Thread.sleep(200); // C2 finishes in the background
                List<Thread> blocked = new ArrayList<>();
                long stop = System.nanoTime() + 300_000_000L;
                for (int t = 0; t < 3; t++) {
                    Thread th = new Thread(() -> {
                        while (System.nanoTime() < stop) {
                            hot.applyAsLong(2_000_000);
                        }
                    }, "stress-deopt-blocked-" + t);
                    th.start();
                    blocked.add(th);
                }
                Thread.sleep(100);
                // linking the subclass invalidates ChaHot's nmethod under the parked frames
                Class.forName(ChaSub.class.getName(), true, new OneShotLoader(base, ChaSub.class));
                for (Thread th : blocked) {
                    th.join();
                }
                DEOPT_ROUNDS.incrementAndGet();
            }
        } catch (ReflectiveOperationException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- thread churn ---------------------------------------------------------------------------

    private static void threadChurn() {
        while (running()) {
            Thread[] batch = new Thread[8];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = new Thread(() -> {
                    LockSupport.parkNanos(200_000);
                    sleep(1);
                }, "stress-short");
                batch[i].start();
            }
            for (Thread t : batch) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            SHORT_THREADS.addAndGet(batch.length);
            sleep(5); // a few hundred threads per second
        }
    }

    // ---- virtual threads (JDK 21+, through reflection: this class is compiled for 17) -----------

    private static final Object VIRTUAL_LOCK = new Object();

    private static void virtualThreads() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            var start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int kind = i % 3;
                threads.add((Thread) start.invoke(builder, (Runnable) () -> {
                    while (running()) {
                        switch (kind) {
                            case 0:
                                sleep(1);
                                break;
                            case 1: {
                                synchronized (VIRTUAL_LOCK) { // pins on 21, not on 24+ (JEP 491)
                                    sleep(1);
                                }
                                break;
                            }
                            default: {
                                try { // pinned: the static initializer runs below a VM frame
                                    Class.forName(ClinitSleeper.class.getName(), true,
                                            new OneShotLoader(UnwinderStress.class.getClassLoader(), ClinitSleeper.class));
                                } catch (ClassNotFoundException e) {
                                    throw new IllegalStateException(e);
                                }
                                break;
                            }
                        }
                        VIRTUAL_BLOCKS.incrementAndGet();
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
        } catch (ReflectiveOperationException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Public: the copies in other class loaders are in another runtime package. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
