package io.kfr.agent.collectors.workingset;

import io.kfr.agent.OptionException;
import io.kfr.agent.OptionValues;
import io.kfr.agent.collectors.CollectorOptions;

import java.nio.file.Path;

/** {@code workingset=<file.ws>} (names the collector), {@code workingset.window=<duration>}. */
final class WorkingSetOptions implements CollectorOptions {
    static final String USAGE = "workingset=<file.ws>, workingset.window=<duration 1s..10m>";
    private static final long DEFAULT_WINDOW = 30_000_000_000L;
    private static final long MIN_WINDOW = 1_000_000_000L;
    private static final long MAX_WINDOW = 600_000_000_000L;

    private Path file;
    private long windowNanos = DEFAULT_WINDOW;

    @Override
    public boolean take(String key, String value) throws OptionException {
        switch (key) {
            case "workingset":
                file = OptionValues.path(key, OptionValues.required(key, value));
                return true;
            case "workingset.window":
                windowNanos = OptionValues.duration(key, OptionValues.required(key, value), MIN_WINDOW, MAX_WINDOW);
                return true;
            default:
                return false;
        }
    }

    @Override
    public boolean named() {
        return file != null;
    }

    @Override
    public WorkingSetSettings settings(RunningKinds running) {
        return new WorkingSetSettings(file, windowNanos);
    }
}
