package io.kfr.collectors.offcpu;

import io.kfr.collectors.Frame;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The estimator's arithmetic: exact group totals, each stack its share of the sampled time. */
class PreemptedSharesTest {
    private static final ThreadRef T1 = new ThreadRef(101, "worker", 7, "worker");
    private static final StackTrace A = new StackTrace(List.of(Frame.kernel("a")), false);
    private static final StackTrace B = new StackTrace(List.of(Frame.kernel("b")), false);

    private static OffCpuSample sum(long nanos, long count, StackTrace stack, int syscall) {
        return new OffCpuSample(T1, 5, nanos, OffCpuState.R, syscall, null, count, true, stack, null);
    }

    @Test
    void unsampledTimeIsSharedInProportionToTheSampledTime() {
        PreemptedShares shares = new PreemptedShares();
        List<OffCpuSample> out = new ArrayList<>();
        shares.sampled(101, sum(300, 3, A, -1));
        shares.sampled(101, sum(100, 1, B, -1));
        shares.unsampled(101, sum(3_000, 20, PreemptedShares.NOT_SAMPLED, -1));
        shares.unsampled(101, sum(600, 8, PreemptedShares.NOT_SAMPLED, -1));
        shares.deliver(out::add);

        Map<StackTrace, Long> nanos = out.stream().collect(Collectors.groupingBy(OffCpuSample::stack,
                Collectors.summingLong(OffCpuSample::durationNanos)));
        assertEquals(Map.of(A, 3_000L, B, 1_000L), nanos);
        assertEquals(32, out.stream().mapToLong(OffCpuSample::count).sum());
    }

    @Test
    void groupsAreThreadAndSystemCall() {
        PreemptedShares shares = new PreemptedShares();
        List<OffCpuSample> out = new ArrayList<>();
        shares.sampled(101, sum(100, 1, A, -1));
        shares.unsampled(101, sum(900, 9, PreemptedShares.NOT_SAMPLED, -1));
        shares.sampled(101, sum(50, 1, B, 202));
        shares.deliver(out::add);
        Map<StackTrace, Long> nanos = out.stream().collect(Collectors.groupingBy(OffCpuSample::stack,
                Collectors.summingLong(OffCpuSample::durationNanos)));
        assertEquals(Map.of(A, 1_000L, B, 50L), nanos, "B's system call has no unsampled time");
    }

    @Test
    void withoutASampledStackTheTimeStaysUnderNotSampled() {
        PreemptedShares shares = new PreemptedShares();
        List<OffCpuSample> out = new ArrayList<>();
        shares.unsampled(101, sum(500, 2, PreemptedShares.NOT_SAMPLED, -1));
        shares.unsampled(101, sum(700, 3, PreemptedShares.NOT_SAMPLED, -1));
        shares.deliver(out::add);
        assertEquals(1, out.size());
        assertEquals(1_200, out.get(0).durationNanos());
        assertEquals(5, out.get(0).count());
        assertEquals(PreemptedShares.NOT_SAMPLED, out.get(0).stack());

        out.clear();
        shares.deliver(out::add);
        assertEquals(List.of(), out, "a delivery forgets what it delivered");
    }
}
