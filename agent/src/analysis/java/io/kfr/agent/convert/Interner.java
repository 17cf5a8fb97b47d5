package io.kfr.agent.convert;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A table of distinct values numbered in order of first use, as pprof's and OTLP's string, function,
 * location and mapping tables are. {@code first} is the number of the first value: pprof numbers
 * its ids from 1, OTLP's tables hold a zero value at index 0 and number the rest from 1.
 */
final class Interner<T> {
    private final Map<T, Integer> index = new HashMap<>();
    private final List<T> values = new ArrayList<>();
    private final int first;

    Interner(int first) {
        this.first = first;
    }

    int of(T value) {
        Integer i = index.get(value);
        if (i == null) {
            i = first + values.size();
            index.put(value, i);
            values.add(value);
        }
        return i;
    }

    /** The values in the order of their numbers. */
    List<T> values() {
        return values;
    }
}
