package io.kfr.agent.export;

import io.kfr.collectors.CpuSample;
import io.kfr.collectors.OffCpuSample;

import java.io.IOException;
import java.io.OutputStream;

/**
 * One period's samples summed by thread, state and stack, written as one profile file. The
 * writers (pprof, OTLP, folded) share their code with {@code convert}, which reads recordings with
 * JMC's libraries and is compiled for Java 17: {@link RotatedExport} reaches the implementation
 * ({@code io.kfr.agent.convert.PeriodProfile}) by name, on Java 17 and later, through the jar nested
 * for the export ({@link io.kfr.agent.NestedJars#export()}), which only a JVM that exports opens.
 */
public interface PeriodSums {
    void addOffCpu(OffCpuSample s);

    void addCpu(CpuSample s);

    /** Writes the period so far in {@code format} and starts the next one. */
    void writePeriod(String format, String service, OutputStream out) throws IOException;
}
