package io.kfr.collectors.pt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The CPU a trace was recorded on (vendor/family/model/stepping: libipt applies its errata
 * workarounds from them), the timing packets' parameters (MTC frequency, nominal frequency and
 * CPUID 0x15's TSC/crystal ratio, as perf's intel_pt config and the CPU give them) and the TSC -> ns
 * conversion of the perf mmap page (time_shift, time_mult, time_zero). Immutable; the with-methods
 * return a copy.
 */
public final class PtCpu {
    public final boolean intel;
    public final int family;
    public final int model;
    public final int stepping;
    public final int mtcFreq;
    public final int nomFreq;
    public final int cpuid15Eax;
    public final int cpuid15Ebx;
    /** True when timeShift/timeMult/timeZero are known: then segments get times. */
    public final boolean hasTimeConversion;
    public final int timeShift;
    public final int timeMult;
    public final long timeZero;

    private PtCpu(boolean intel, int family, int model, int stepping, int mtcFreq, int nomFreq, int cpuid15Eax,
                  int cpuid15Ebx, boolean hasTimeConversion, int timeShift, int timeMult, long timeZero) {
        this.intel = intel;
        this.family = family;
        this.model = model;
        this.stepping = stepping;
        this.mtcFreq = mtcFreq;
        this.nomFreq = nomFreq;
        this.cpuid15Eax = cpuid15Eax;
        this.cpuid15Ebx = cpuid15Ebx;
        this.hasTimeConversion = hasTimeConversion;
        this.timeShift = timeShift;
        this.timeMult = timeMult;
        this.timeZero = timeZero;
    }

    /** An Intel CPU of this family/model/stepping, no timing parameters. */
    public static PtCpu intel(int family, int model, int stepping) {
        return new PtCpu(true, family, model, stepping, 0, 0, 0, 0, false, 0, 0, 0);
    }

    /** A CPU libipt applies no errata for (the synthesized traces' CPU). */
    public static PtCpu unknown() {
        return new PtCpu(false, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0);
    }

    /** This machine's CPU, from /proc/cpuinfo (what cpuid says, as the kernel read it). */
    public static PtCpu host() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            boolean intel = false;
            int family = 0;
            int model = 0;
            int stepping = 0;
            for (String line : lines) {
                if (line.isBlank()) {
                    break; // the first processor is enough
                }
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String key = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (key.equals("vendor_id")) {
                    intel = value.equals("GenuineIntel");
                } else if (key.equals("cpu family")) {
                    family = parse(value);
                } else if (key.equals("model")) {
                    model = parse(value);
                } else if (key.equals("stepping")) {
                    stepping = parse(value);
                }
            }
            return intel ? intel(family, model, stepping) : unknown();
        } catch (IOException | RuntimeException e) {
            return unknown();
        }
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The timing packets' parameters (perf's intel_pt mtc_period gives mtcFreq; CPUID 0x15 the ratio). */
    public PtCpu withTiming(int mtcFreq, int nomFreq, int cpuid15Eax, int cpuid15Ebx) {
        return new PtCpu(intel, family, model, stepping, mtcFreq, nomFreq, cpuid15Eax, cpuid15Ebx,
                hasTimeConversion, timeShift, timeMult, timeZero);
    }

    /** perf's TSC -> ns conversion (perf_event_mmap_page time_shift, time_mult, time_zero). */
    public PtCpu withTscConversion(int timeShift, int timeMult, long timeZero) {
        return new PtCpu(intel, family, model, stepping, mtcFreq, nomFreq, cpuid15Eax, cpuid15Ebx,
                true, timeShift, timeMult, timeZero);
    }

    /** ns of a TSC value with perf's conversion, or -1 without one. */
    public long tscToNanos(long tsc) {
        if (!hasTimeConversion) {
            return -1;
        }
        long quot = tsc >>> timeShift;
        long rem = tsc & ((1L << timeShift) - 1);
        return timeZero + quot * (timeMult & 0xffffffffL) + ((rem * (timeMult & 0xffffffffL)) >>> timeShift);
    }

    /** The packed form libkfr_pt reads (pt_decode_jni.c, PT_CPU_* indexes). */
    long[] packed() {
        return new long[] {intel ? 1 : 0, family, model, stepping, mtcFreq, nomFreq, cpuid15Eax, cpuid15Ebx,
                hasTimeConversion ? 1 : 0, timeShift, timeMult & 0xffffffffL, timeZero};
    }

    @Override
    public String toString() {
        return (intel ? "Intel " + family + "/" + model + "/" + stepping : "unknown CPU")
                + (hasTimeConversion ? ", tsc conversion" : "");
    }
}
