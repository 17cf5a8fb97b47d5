package io.kfr.collectors.symbols;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** binutils' readelf as an independent reference for the symbol tables (skips tests if absent). */
final class ReadElf {
    record Func(long value, long size, String name) {
    }

    static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/readelf"));
    }

    /** Defined FUNC/IFUNC symbols of {@code file}'s .dynsym (or .symtab with {@code all}). */
    static List<Func> functions(Path file, boolean all) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/readelf", "-W", all ? "--syms" : "--dyn-syms", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        List<Func> funcs = new java.util.ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            // Num: Value Size Type Bind Vis Ndx Name
            if (f.length < 8 || !f[0].endsWith(":") || !(f[3].equals("FUNC") || f[3].equals("IFUNC"))
                    || f[6].equals("UND")) {
                continue;
            }
            long value = Long.parseUnsignedLong(f[1], 16);
            long size = f[2].startsWith("0x") ? Long.parseLong(f[2].substring(2), 16) : Long.parseLong(f[2]);
            String name = f[7].replaceAll("@.*", "");
            if (value != 0) funcs.add(new Func(value, size, name));
        }
        return funcs;
    }

    static Map<Long, Set<String>> namesByValue(List<Func> funcs) {
        Map<Long, Set<String>> m = new HashMap<>();
        for (Func f : funcs) m.computeIfAbsent(f.value(), k -> new HashSet<>()).add(f.name());
        return m;
    }
}
