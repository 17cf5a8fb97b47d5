package io.kfr.it.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What binutils (readelf, nm) say about an ELF file: the ground truth for the build ids and
 * addresses kfr puts in its profiles.
 */
final class ElfFacts {
    private static final Pattern BUILD_ID = Pattern.compile("Build ID: ([0-9a-f]+)");

    private ElfFacts() {
    }

    /** {@code readelf -n}'s GNU build id. */
    static String buildId(Path file) throws Exception {
        String notes = run(List.of("readelf", "-n", file.toString()));
        Matcher m = BUILD_ID.matcher(notes);
        if (!m.find()) {
            throw new AssertionError("readelf -n shows no build id for " + file + ":\n" + notes);
        }
        return m.group(1);
    }

    /** The running kernel's build id as perf sees it ({@code perf buildid-list -k}); null if perf cannot tell. */
    static String kernelBuildId() {
        try {
            String id = run(List.of("perf", "buildid-list", "-k")).strip();
            return id.matches("[0-9a-f]{40}") ? id : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Link-time address minus file offset of the executable PT_LOAD segment ({@code readelf -lW}). */
    static long textVaddrMinusOffset(Path file) throws Exception {
        for (String line : run(List.of("readelf", "-lW", file.toString())).lines().toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 8 && f[0].equals("LOAD") && String.join("", List.of(f).subList(6, f.length - 1)).contains("E")) {
                return Long.decode(f[2]) - Long.decode(f[1]);
            }
        }
        throw new AssertionError("no executable LOAD segment in " + file);
    }

    /**
     * Symbol names by link-time address, from {@code nm} (with {@code -D}: the dynamic symbols), C++
     * demangled without parameters, template arguments or a symbol version.
     */
    static Map<Long, Set<String>> symbols(Path file, boolean dynamic) throws Exception {
        List<String> cmd = dynamic ? List.of("nm", "-D", "-C", "--defined-only", file.toString())
                : List.of("nm", "-C", "--defined-only", file.toString());
        Map<Long, Set<String>> byAddress = new HashMap<>();
        for (String line : run(cmd).lines().toList()) {
            String[] f = line.split(" ", 3);
            if (f.length == 3 && !f[0].isBlank()) {
                byAddress.computeIfAbsent(Long.parseUnsignedLong(f[0], 16), k -> new HashSet<>()).add(plain(f[2]));
            }
        }
        return byAddress;
    }

    /** The command's standard output; it must exit 0. */
    private static String run(List<String> cmd) throws Exception {
        Path out = Files.createTempFile("kfr-it-elf", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(cmd + " did not finish in 60 s");
            }
            String text = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new AssertionError(cmd + " failed (" + p.exitValue() + "):\n" + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** "clock_nanosleep@@GLIBC_2.17" → "clock_nanosleep"; "A<int>::f(int)" → "A::f". */
    static String plain(String name) {
        String n = name.replaceFirst("@.*$", "");
        int paren = n.indexOf('(');
        if (paren > 0) {
            n = n.substring(0, paren);
        }
        StringBuilder b = new StringBuilder();
        int depth = 0;
        for (char c : n.toCharArray()) {
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth = Math.max(0, depth - 1);
            } else if (depth == 0) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
