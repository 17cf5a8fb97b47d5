package io.kfr.collectors.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads the thread headers of a HotSpot thread dump (jcmd Thread.print / the threadPrint
 * diagnostic command). Seen on this machine:
 * <pre>
 * JDK 17: "main" #1 prio=5 os_prio=0 cpu=390.60ms elapsed=0.76s tid=0x00007f1730018020 nid=0x1028 waiting on condition  [0x...]
 * JDK 25: "main" #3 [4158] prio=5 os_prio=0 cpu=476.05ms elapsed=1.15s tid=0x00007ff96802aa70 nid=4158 waiting on condition  [0x...]
 * both:   "GC Thread#0" os_prio=0 cpu=5.49ms elapsed=0.76s tid=0x00007f17300417a0 nid=0x1029 runnable
 * </pre>
 * Names are printed without escaping ("kfr "q" name" #12 ...), but nothing after the name holds a
 * quote, so the name ends at the line's last quote. A "#id" means a JavaThread with a
 * java.lang.Thread (this includes the compiler threads); VM-internal threads have none.
 */
final class ThreadDumpParser {
    private ThreadDumpParser() {
    }

    /** One thread header: the Linux tid, the name, the Java thread id or -1. */
    static final class Entry {
        private final int tid;
        private final String name;
        private final long javaId;

        Entry(int tid, String name, long javaId) {
            this.tid = tid;
            this.name = name;
            this.javaId = javaId;
        }

        public int tid() {
            return tid;
        }

        public String name() {
            return name;
        }

        public long javaId() {
            return javaId;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Entry)) {
                return false;
            }
            Entry o = (Entry) other;
            return tid == o.tid && Objects.equals(name, o.name) && javaId == o.javaId;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Integer.hashCode(tid);
            h = 31 * h + Objects.hashCode(name);
            h = 31 * h + Long.hashCode(javaId);
            return h;
        }

        @Override
        public String toString() {
            return "Entry[tid=" + tid + ", name=" + name + ", javaId=" + javaId + "]";
        }
    }

    static List<Entry> parse(String dump) {
        List<Entry> out = new ArrayList<>();
        int p = 0;
        int len = dump.length();
        while (p < len) {
            int eol = dump.indexOf('\n', p);
            if (eol < 0) eol = len;
            if (dump.charAt(p) == '"') {
                Entry e = header(dump.substring(p, eol));
                if (e != null) out.add(e);
            }
            p = eol + 1;
        }
        return out;
    }

    static Entry header(String line) {
        int close = line.lastIndexOf('"');
        if (close <= 0) return null;
        String name = line.substring(1, close);
        String rest = line.substring(close + 1);
        int nid = rest.indexOf(" nid=");
        if (nid < 0 || !rest.contains("tid=")) return null; // not a thread header
        long tid = number(rest, nid + 5);
        if (tid <= 0 || tid > Integer.MAX_VALUE) return null;
        long javaId = -1;
        if (rest.startsWith(" #")) {
            javaId = number(rest, 2);
        }
        return new Entry((int) tid, name, javaId);
    }

    /** A decimal or 0x-hex number at {@code at}; -1 if there is none. */
    private static long number(String s, int at) {
        int radix = 10;
        if (s.startsWith("0x", at) || s.startsWith("0X", at)) {
            radix = 16;
            at += 2;
        }
        int end = at;
        while (end < s.length() && Character.digit(s.charAt(end), radix) >= 0) end++;
        if (end == at || end - at > 16) return -1;
        return Long.parseLong(s, at, end, radix);
    }
}
