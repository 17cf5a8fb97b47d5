package io.kfr.agent;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** The value checks every option shares, each failing with its one-line message. */
public final class OptionValues {
    private OptionValues() {
    }

    public static String required(String key, String value) throws OptionException {
        if (value == null || value.isEmpty()) {
            throw new OptionException("option " + key + " needs a value (" + key + "=...); " + AgentOptions.USAGE);
        }
        return value;
    }

    /** For an option that switches something on by its name alone: offcpu, quiet. */
    public static void noValue(String key, String value) throws OptionException {
        if (value != null) {
            throw new OptionException("option " + key + " takes no value; " + AgentOptions.USAGE);
        }
    }

    public static boolean onOff(String key, String value) throws OptionException {
        switch (value) {
            case "on": case "true":
                return true;
            case "off": case "false":
                return false;
            default:
                throw new OptionException("option " + key + " is on or off, not '" + value + "'");
        }
    }

    /** A duration option's value in nanoseconds, within min..max. */
    public static long duration(String key, String value, long min, long max) throws OptionException {
        return inRange(key, value, Durations.parseNanos(key, value), min, max);
    }

    public static long inRange(String key, String text, long nanos, long min, long max) throws OptionException {
        if (nanos < min || nanos > max) {
            throw new OptionException("value '" + text + "' for " + key + " is out of range "
                    + Durations.format(min) + ".." + Durations.format(max));
        }
        return nanos;
    }

    /** A size option's value in bytes; {@code example} ends the message of a value that is no size ("4m, 512k"). */
    public static long bytes(String key, String value, String example) throws OptionException {
        try {
            return Sizes.parseBytes(value);
        } catch (NumberFormatException e) {
            throw new OptionException("bad value '" + value + "' for " + key + ": expected a size, e.g. " + example);
        }
    }

    /** A path this JVM can encode; under LANG=C a non-ASCII name cannot be (sun.jnu.encoding). */
    public static Path path(String key, String value) throws OptionException {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new OptionException("cannot use " + (key.equals("@") ? "options file " : key + "=") + value
                    + ": this JVM cannot encode the name in its file-name encoding (" + System.getProperty("sun.jnu.encoding")
                    + ", from the locale); start it with LANG=C.UTF-8 (or another UTF-8 locale) or use an ASCII name");
        }
    }
}
