package io.kfr.agent.cli.doctor;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** major.minor of a kernel release string such as {@code 6.1.0-18-amd64}. */
record KernelVersion(int major, int minor) {
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
