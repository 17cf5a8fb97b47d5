package io.kfr.collectors.pt;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The sideband in a child JVM of another JDK (PtSidebandJdksTest compiles it for Java 11):
 *   check    - start, a compiled method's timed load record, a class's code freed with its bytes
 *              copied as they were, the interpreter's DynamicCodeGenerated record; "ok ..." lines,
 *              "FAIL ..." and exit 1 otherwise
 *   measure on|off - a JIT-heavy start-up (streams, regex, BigInteger, collections) with the
 *              sideband on from main's start or not: the workload's time and the sideband's counters
 */
public final class PtSidebandProbe {
    static final String UNLOADABLE = "io.kfr.collectors.pt.PtSidebandUnloadable";

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("measure")) {
            measure(args[1].equals("on"));
            return;
        }
        String why = PtSideband.start();
        if (why != null) {
            System.out.println("FAIL start: " + why);
            System.exit(1);
        }
        System.out.println("ok started: " + PtSideband.records(false).size() + " records of code that existed");
        boolean interp = PtSideband.dynamicCode().stream().anyMatch(r -> r.beforeStart && "Interpreter".equals(r.name));
        check(interp, "the interpreter's DynamicCodeGenerated record");
        unload();
        System.out.println("ok stats " + Arrays.toString(PtSideband.stats()));
        PtSideband.stop();
        check(!PtSideband.running() && PtSideband.records(false).isEmpty(), "stopped and freed");
    }

    static void check(boolean ok, String what) {
        System.out.println((ok ? "ok " : "FAIL ") + what);
        if (!ok) {
            System.exit(1);
        }
    }

    /** Loads PtSidebandUnloadable itself (not its parent): the class goes when this loader does. */
    static final class Throwaway extends ClassLoader {
        Throwaway() {
            super(PtSidebandProbe.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(UNLOADABLE)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        byte[] b = in.readAllBytes();
                        c = defineClass(name, b, 0, b.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return c;
            }
        }
    }

    static List<PtSidebandRecord> loadsOfUnloadable() {
        List<PtSidebandRecord> out = new ArrayList<>();
        for (PtSidebandRecord r : PtSideband.records(false)) {
            String m = r.kind == PtSidebandRecord.LOAD ? PtSideband.methodName(r.method) : null;
            if (m != null && m.startsWith("L" + UNLOADABLE.replace('.', '/') + ";")) {
                out.add(r);
            }
        }
        return out;
    }

    /** Compiles the unloadable class's loop, checks its load records, frees it, checks the unload's copy. */
    static void unload() throws Exception {
        long before = System.nanoTime();
        long[] range = spinAndStop();
        long after = System.nanoTime();
        PtSidebandRecord load = null;
        for (PtSidebandRecord r : loadsOfUnloadable()) {
            if (r.address == range[0]) {
                load = r;
            }
        }
        check(load != null && before <= load.monotonicNanos && load.monotonicNanos <= after,
                "the loop's load record, timed between " + before + " and " + after + ": " + load);
        byte[] was = readSelf(range[0], (int) range[1]);
        PtSidebandRecord unload = null;
        long until = System.nanoTime() + 60_000_000_000L;
        while (unload == null && System.nanoTime() < until) {
            System.gc();
            Thread.sleep(100);
            for (PtSidebandRecord r : PtSideband.records(true)) {
                if (r.kind == PtSidebandRecord.UNLOAD && r.address == range[0]) {
                    unload = r;
                }
            }
        }
        check(unload != null, "an unload record once the class was collected");
        if (!PtSideband.COPIES_UNLOADED_CODE) { // JDK 20+: the memory may be other code by the event
            check(unload.size == range[1] && unload.bytes == null,
                    "the unload's range is the load's, its bytes not copied on JDK " + Runtime.version().feature());
            check(PtSideband.stats()[PtSideband.STAT_OVER_BUDGET] > 0, "the unload without bytes is counted");
            return;
        }
        check(unload.size == range[1] && unload.bytes != null && unload.bytes.length == was.length,
                "the unload's range is the load's, its bytes copied (" + range[1] + " bytes)");
        int first = -1, last = -1;
        for (int i = 0; i < was.length; i++) {
            if (was[i] != unload.bytes[i]) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        check(first < 0, "the copy is the bytes as they were" + (first < 0 ? "" : " (differs at +" + first + ".." + last + ")"));
    }

    /**
     * Waits (60 s at most) until the JIT is done with the unloadable class's running loop: a load
     * of its code, then none for a second. Returns its load records.
     */
    static List<PtSidebandRecord> awaitJitDone() throws InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L, lastChange = System.nanoTime();
        int seen = 0;
        while (System.nanoTime() < until) {
            int n = loadsOfUnloadable().size();
            if (n != seen) {
                seen = n;
                lastChange = System.nanoTime();
            } else if (n > 0 && System.nanoTime() - lastChange > 1_000_000_000L) {
                break;
            }
            Thread.sleep(50);
        }
        return loadsOfUnloadable();
    }

    /** size bytes of this process's memory at address, read through /proc/self/mem. */
    static byte[] readSelf(long address, int size) throws IOException {
        byte[] b = new byte[size];
        try (RandomAccessFile mem = new RandomAccessFile("/proc/self/mem", "r")) {
            mem.seek(address);
            mem.readFully(b);
        }
        return b;
    }

    /** Runs the loop until the JIT is done with it; the range of its newest load record. */
    static long[] spinAndStop() throws Exception {
        Class<?> c = new Throwaway().loadClass(UNLOADABLE);
        Thread spinner = new Thread((Runnable) c.getDeclaredConstructor().newInstance(), "spinner");
        spinner.setDaemon(true);
        spinner.start();
        try {
            List<PtSidebandRecord> loads = awaitJitDone();
            check(!loads.isEmpty(), loads.size() + " load records of the loop's methods");
            PtSidebandRecord last = loads.get(loads.size() - 1);
            return new long[] {last.address, last.size};
        } finally {
            c.getField("stop").setBoolean(null, true);
            spinner.join(10_000);
        }
    }

    /** Work that makes the JIT compile many methods: what a start-up does. */
    static void measure(boolean on) {
        String load = PtNative.load(); // extracting and loading the library is not the sideband's cost
        if (load != null) {
            System.out.println("FAIL " + load);
            System.exit(1);
        }
        long t0 = System.nanoTime();
        String why = on ? PtSideband.start() : null;
        long started = System.nanoTime();
        long sum = 0;
        for (int round = 0; round < 40; round++) {
            Map<String, Long> counts = IntStream.range(0, 20_000).mapToObj(i -> Integer.toString(i * 7919 % 10007, 36))
                    .collect(Collectors.groupingBy(s -> s.substring(0, 1), TreeMap::new, Collectors.counting()));
            sum += counts.size();
            Pattern p = Pattern.compile("([a-z]+)([0-9]*)");
            for (int i = 0; i < 5_000; i++) {
                if (p.matcher("abc" + i).matches()) {
                    sum++;
                }
            }
            BigInteger b = BigInteger.ONE;
            for (int i = 1; i < 300; i++) {
                b = b.multiply(BigInteger.valueOf(i)).add(BigInteger.valueOf(round));
            }
            sum += b.bitLength() + String.format("%08x %s", round, counts.keySet()).length();
        }
        long end = System.nanoTime();
        long[] s = PtSideband.stats();
        System.out.println("measure sideband=" + (on ? (why == null ? "on" : "failed: " + why) : "off")
                + " startNanos=" + (started - t0) + " workNanos=" + (end - started) + " records=" + s[PtSideband.STAT_RECORDS]
                + " loads=" + s[PtSideband.STAT_LOADS] + " unloads=" + s[PtSideband.STAT_UNLOADS] + " dynamics=" + s[PtSideband.STAT_DYNAMICS]
                + " callbackNanos=" + s[PtSideband.STAT_CALLBACK_NANOS] + " sum=" + sum);
        PtSideband.stop();
    }
}
