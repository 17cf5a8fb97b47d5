package io.kfr.agent.cli.doctor;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** major.minor of a kernel release string such as {@code 6.1.0-18-amd64}. */
final class KernelVersion {
    private final int major;
    private final int minor;

    KernelVersion(int major, int minor) {
        this.major = major;
        this.minor = minor;
    }

    public int major() {
        return major;
    }

    public int minor() {
        return minor;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof KernelVersion)) {
            return false;
        }
        KernelVersion o = (KernelVersion) other;
        return major == o.major && minor == o.minor;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Integer.hashCode(major);
        h = 31 * h + Integer.hashCode(minor);
        return h;
    }

    @Override
    public String toString() {
        return "KernelVersion[major=" + major + ", minor=" + minor + "]";
    }

    private static final Pattern RELEASE = Pattern.compile("^(\\d+)\\.(\\d+)");

    /** null if the release string does not start with major.minor. */
    static KernelVersion parse(String release) {
        Matcher m = RELEASE.matcher(release == null ? "" : release);
        return m.find() ? new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))) : null;
    }

    boolean atLeast(int maj, int min) {
        return major > maj || (major == maj && minor >= min);
    }
}
