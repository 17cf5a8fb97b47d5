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

/** The estimator's arithmetic: exact group totals, shares of the sampled time, events never delivered twice. */
class PreemptedSharesTest {
    private static final ThreadRef T1 = new ThreadRef(101, "worker", 7, "worker");
    private static final StackTrace A = new StackTrace(List.of(Frame.kernel("a")), false);
    private static final StackTrace B = new StackTrace(List.of(Frame.kernel("b")), false);

    private static OffCpuSample sample(long nanos, long count, StackTrace stack, boolean aggregated) {
        return new OffCpuSample(T1, 5, nanos, OffCpuState.R, -1, null, count, aggregated, stack, null);
    }

    @Test
    void unsampledTimeIsSharedInProportionToTheSampledTime() {
        PreemptedShares shares = new PreemptedShares();
        List<OffCpuSample> out = new ArrayList<>();
        shares.sampledSum(101, sample(300, 3, A, true));
        shares.sampledSum(101, sample(100, 1, B, true));
        shares.unsampled(101, sample(3_600, 28, PreemptedShares.NOT_SAMPLED, true));
        shares.deliver(1_000, out::add);

        Map<StackTrace, Long> nanos = out.stream().collect(Collectors.groupingBy(OffCpuSample::stack,
                Collectors.summingLong(OffCpuSample::durationNanos)));
        assertEquals(Map.of(A, 3_000L, B, 1_000L), nanos);
        assertEquals(32, out.stream().mapToLong(OffCpuSample::count).sum());
        out.forEach(s -> assertEquals(1_000, s.startEpochNanos()));
    }

    @Test
    void eventsCountInTheSharesAndAreNotDeliveredAgain() {
        PreemptedShares shares = new PreemptedShares();
        List<OffCpuSample> out = new ArrayList<>();
        shares.sampledEvent(101, sample(2_000_000, 1, A, false)); // delivered by the collector already
        shares.sampledSum(101, sample(1_000_000, 4, B, true));
        shares.unsampled(101, sample(9_000_000, 35, PreemptedShares.NOT_SAMPLED, true));
        shares.deliver(1_000, out::add);

        long total = 2_000_000 + out.stream().mapToLong(OffCpuSample::durationNanos).sum();
        assertEquals(12_000_000, total, "the group's exact time");
        Map<StackTrace, Long> nanos = out.stream().collect(Collectors.groupingBy(OffCpuSample::stack,
                Collectors.summingLong(OffCpuSample::durationNanos)));
        assertEquals(8_000_000 - 2_000_000, nanos.get(A), "A: 2/3 of 12 ms, less its event");
        assertEquals(4_000_000, nanos.get(B));
        assertEquals(40, 1 + out.stream().mapToLong(OffCpuSample::count).sum());
    }

    @Test
    void withoutASampledStackTheTimeStaysUnderNotSampled() {
        PreemptedShares shares = new PreemptedShares();
        List<OffCpuSample> out = new ArrayList<>();
        shares.unsampled(101, sample(500, 2, PreemptedShares.NOT_SAMPLED, true));
        shares.unsampled(101, sample(700, 3, PreemptedShares.NOT_SAMPLED, true));
        shares.deliver(1_000, out::add);
        assertEquals(1, out.size());
        assertEquals(1_200, out.get(0).durationNanos());
        assertEquals(5, out.get(0).count());
        assertEquals(PreemptedShares.NOT_SAMPLED, out.get(0).stack());

        out.clear();
        shares.deliver(2_000, out::add);
        assertEquals(List.of(), out, "a delivery forgets what it delivered");
    }
}
