package io.kfr.agent.collectors;

import io.kfr.agent.OptionException;

/**
 * One collector's option keys as the agent reads them: its name ({@code pt}, {@code workingset=<file>})
 * and the keys under it ({@code pt.buffer=4m}). One instance per parse, fed the keys in order.
 */
public interface CollectorOptions {
    /**
     * One of its keys (its name, or its name and a dot and more); value null when the item has no '='.
     * @return false when it is none of its keys: the agent's "unknown option" then
     */
    boolean take(String key, String value) throws OptionException;

    /** Whether the options name the collector, so that it runs. */
    boolean named();

    /**
     * Its settings once every key is read, after its own rules, also those with other collectors
     * (which ones run: {@code running}). Also when it does not run: they are compared between starts.
     */
    Object settings(RunningKinds running) throws OptionException;

    /** Which collectors run, for the rules between collectors (pt.trigger needs offcpu). */
    interface RunningKinds {
        boolean runs(String kind);
    }
}
