package io.kfr.agent.convert;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The events of one recording summed by kind, thread, state, system call and stack: what the
 * writers turn into pprof, OTLP or folded stacks. Also the kinds that were asked for (a profile
 * keeps a sample type even without samples), the span of the summed events and the process facts.
 */
final class Profile {
    final Set<EventKind> kinds;
    final RecordingFacts facts;
    final List<Sample> samples;
    /** Epoch nanoseconds of the first event's start and the last event's end; 0 without events. */
    final long startNanos;
    final long endNanos;
    /** The CPU time most CPU samples stand for: the sampling period (cpu.interval); 0 without CPU samples. */
    final long cpuPeriodNanos;
    /** Where the native frames' images were mapped, their build ids and the functions' addresses. */
    final NativeImageTable images;

    private Profile(Set<EventKind> kinds, RecordingFacts facts, List<Sample> samples, long startNanos, long endNanos,
                    long cpuPeriodNanos, NativeImageTable images) {
        this.images = images;
        this.kinds = kinds;
        this.facts = facts;
        this.samples = samples;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
        this.cpuPeriodNanos = cpuPeriodNanos;
    }

    long total(EventKind kind) {
        return samples.stream().filter(s -> s.kind() == kind).mapToLong(Sample::nanos).sum();
    }

    /** Sums events as they are read. */
    static final class Builder {
        private record Key(EventKind kind, String thread, long tid, String state, String syscall, List<Frame> stack) {
        }

        private final Map<Key, long[]> sums = new HashMap<>();
        final NativeImageTable images = new NativeImageTable();
        private final Map<Long, Long> cpuWeights = new HashMap<>();
        private long start = Long.MAX_VALUE;
        private long end = Long.MIN_VALUE;

        void add(EventKind kind, String thread, long tid, String state, String syscall, List<Frame> stack,
                 long startNanos, long durationNanos, long weightNanos) {
            long[] sum = sums.computeIfAbsent(new Key(kind, thread, tid, state, syscall, stack), k -> new long[2]);
            sum[0] += weightNanos;
            sum[1]++;
            if (kind == EventKind.CPU) {
                cpuWeights.merge(weightNanos, 1L, Long::sum);
            }
            start = Math.min(start, startNanos);
            end = Math.max(end, startNanos + durationNanos);
        }

        /** Distinct sums so far. */
        int distinct() {
            return sums.size();
        }

        boolean has(EventKind kind, String thread, long tid, String state, String syscall, List<Frame> stack) {
            return sums.containsKey(new Key(kind, thread, tid, state, syscall, stack));
        }

        Profile build(Set<EventKind> kinds, RecordingFacts facts, TimeWindow window) {
            List<Sample> samples = new ArrayList<>(sums.size());
            sums.forEach((k, v) -> samples.add(new Sample(k.kind, k.thread, k.tid, k.state, k.syscall, k.stack, v[0], v[1])));
            // heaviest first: what a reader of the raw output sees first
            samples.sort((a, b) -> a.nanos() != b.nanos() ? Long.compare(b.nanos(), a.nanos())
                    : a.thread().compareTo(b.thread()));
            if (samples.isEmpty()) {
                return new Profile(kinds, facts, List.of(), 0, 0, 0, images);
            }
            // a summed off-CPU event ends after its period's start plus its summed time: keep the span inside --from/--to
            long[] span = window.clip(start, end);
            long period = cpuWeights.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(0L);
            return new Profile(kinds, facts, Collections.unmodifiableList(samples), span[0], Math.max(span[0], span[1]),
                    period, images);
        }
    }
}
