package io.kfr.it.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a process holds, read from /proc: open file descriptors (by kind: BPF programs, maps and
 * links, perf events, sockets, files), threads, resident memory, memory mappings (in all, and those
 * of BPF maps and perf events: a ring buffer's mapping outlives its fd), and the kernel ids of the
 * BPF programs it has open.
 */
record ProcessResources(int fds, Map<String, Integer> fdKinds, int threads, long rssKb, List<Integer> bpfProgIds,
                        int mappings, int bpfAndPerfMappings) {

    static ProcessResources of(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        Map<String, Integer> kinds = new TreeMap<>();
        List<Integer> progIds = new ArrayList<>();
        int fds = 0;
        try (Stream<Path> list = Files.list(proc.resolve("fd"))) {
            for (Path fd : (Iterable<Path>) list::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                fds++;
                kinds.merge(kindOf(target), 1, Integer::sum);
                if (target.equals("anon_inode:bpf-prog")) {
                    progIds.add(progId(proc.resolve("fdinfo").resolve(fd.getFileName())));
                }
            }
        }
        int threads;
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            threads = (int) tasks.count();
        }
        long rss = Files.readAllLines(proc.resolve("status")).stream().filter(l -> l.startsWith("RssAnon:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
        int mappings = 0;
        int kernelMappings = 0;
        for (String l : Files.readAllLines(proc.resolve("maps"))) {
            mappings++;
            if (l.endsWith("anon_inode:bpf-map") || l.endsWith("anon_inode:[perf_event]")) {
                kernelMappings++;
            }
        }
        return new ProcessResources(fds, kinds, threads, rss, progIds, mappings, kernelMappings);
    }

    int kind(String name) {
        return fdKinds.getOrDefault(name, 0);
    }

    /** BPF objects and perf events, open or mapped: what a collector holds while it runs. */
    int bpfAndPerf() {
        return kind("bpf-prog") + kind("bpf-map") + kind("bpf_link") + kind("perf_event") + bpfAndPerfMappings;
    }

    private static String kindOf(String target) {
        if (target.startsWith("anon_inode:")) {
            return target.substring("anon_inode:".length()).replace("[", "").replace("]", "");
        }
        if (target.startsWith("socket:")) {
            return "socket";
        }
        if (target.startsWith("pipe:")) {
            return "pipe";
        }
        return "file";
    }

    private static int progId(Path fdinfo) throws IOException {
        for (String l : Files.readAllLines(fdinfo)) {
            if (l.startsWith("prog_id:")) {
                return Integer.parseInt(l.substring(8).trim());
            }
        }
        return -1;
    }

    /** Whether the kernel still has a BPF program with this id (bpftool prog show id N). */
    static boolean bpfProgramExists(int id) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "prog", "show", "id", Integer.toString(id))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor() == 0;
    }

    @Override
    public String toString() {
        return "fds=" + fds + " " + fdKinds + " threads=" + threads + " rssAnon=" + rssKb + "kB bpfProgs=" + bpfProgIds
                + " mappings=" + mappings + " (BPF/perf " + bpfAndPerfMappings + ")";
    }
}
