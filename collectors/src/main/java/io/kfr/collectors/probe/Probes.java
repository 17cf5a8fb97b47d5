package io.kfr.collectors.probe;

import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;

import java.util.Objects;

/** What this machine allows kfr to do, asked of the kernel itself (for {@code kfr doctor}). */
public final class Probes {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EACCES = 13;

    private Probes() {
    }

    /** One probe's outcome: errno 0 when the feature works, else the errno and a one-line reason. */
    public static final class Result {
        private final int errno;
        private final String reason;

        public Result(int errno, String reason) {
            this.errno = errno;
            this.reason = reason;
        }

        public int errno() {
            return errno;
        }

        public String reason() {
            return reason;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Result)) {
                return false;
            }
            Result o = (Result) other;
            return errno == o.errno && Objects.equals(reason, o.reason);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Integer.hashCode(errno);
            h = 31 * h + Objects.hashCode(reason);
            return h;
        }

        @Override
        public String toString() {
            return "Result[errno=" + errno + ", reason=" + reason + "]";
        }

        public boolean ok() {
            return errno == 0;
        }

        /** The kernel refused for lack of privileges (the feature may well exist). */
        public boolean denied() {
            return errno == EPERM || errno == EACCES;
        }

        /** The kernel or hardware does not have it. */
        public boolean absent() {
            return !ok() && !denied();
        }
    }

    /** Loads libkfr.so; null, or why it cannot be loaded. */
    public static String load() {
        return NativeLibrary.load();
    }

    public static Result program(String kind) {
        return result(ProbeNative.program(kind));
    }

    public static Result map(String kind) {
        return result(ProbeNative.map(kind));
    }

    public static Result helper(String programKind, String helper) {
        return result(ProbeNative.helper(programKind, helper));
    }

    public static Result bpfStats() {
        return result(ProbeNative.bpfStats());
    }

    public static Result perf(String kind) {
        return result(ProbeNative.perf(kind));
    }

    public static Result tracepoint(String name) {
        return result(ProbeNative.tracepoint(name));
    }

    /** "" when Java frames can be walked in this JVM, else why not. */
    public static String hotspotLayout() {
        return ProbeNative.hotspotLayout();
    }

    private static Result result(int errno) {
        if (errno == 0) {
            return new Result(0, "");
        }
        String why = KfrNative.lastError();
        return new Result(errno, why != null ? why : "errno " + errno);
    }
}
