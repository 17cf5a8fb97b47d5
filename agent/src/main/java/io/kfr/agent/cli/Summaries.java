package io.kfr.agent.cli;

import io.kfr.agent.report.CpuReport;
import io.kfr.agent.report.OffCpuReport;

import java.io.IOException;
import java.nio.file.Path;

/** The text summaries of a recording: off-CPU, then CPU if it has CPU samples. */
final class Summaries {
    private Summaries() {
    }

    static void print(Path file) throws IOException {
        OffCpuReport.read(file).print(System.out, file.toString());
        CpuReport cpu = CpuReport.read(file);
        if (!cpu.isEmpty()) {
            System.out.println();
            cpu.print(System.out, file.toString());
        }
    }
}
