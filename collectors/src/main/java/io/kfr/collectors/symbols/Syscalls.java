package io.kfr.collectors.symbols;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * x86_64 system call numbers to names, from a table generated from the kernel headers (see the
 * resource's first lines). Numbers the table does not know become "syscall_NR".
 */
public final class Syscalls {
    private static final String RESOURCE = "syscalls-x86_64.txt";
    private static final String[] NAMES = load();

    private Syscalls() {
    }

    /** The name of syscall {@code nr}; "syscall_NR" if unknown; null for -1 (not in a syscall). */
    public static String name(int nr) {
        if (nr == -1) return null;
        if (nr >= 0 && nr < NAMES.length && NAMES[nr] != null) return NAMES[nr];
        return "syscall_" + nr;
    }

    /** Number of known names. */
    static int size() {
        int n = 0;
        for (String s : NAMES) if (s != null) n++;
        return n;
    }

    private static String[] load() {
        String[] names = new String[512];
        try (InputStream in = Syscalls.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return new String[0];
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                int sp = line.indexOf(' ');
                int nr = Integer.parseInt(line.substring(0, sp));
                if (nr >= names.length) names = Arrays.copyOf(names, nr + 64);
                names[nr] = line.substring(sp + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // a broken resource: every syscall reads as syscall_NR
        }
        return names;
    }
}
