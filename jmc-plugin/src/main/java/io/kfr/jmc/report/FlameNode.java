package io.kfr.jmc.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node of a merged stack tree: a frame reached by one path from the root, with the summed weight
 * of every stack through it. Children are kept by (kind, name), so equal frames under the same
 * parent merge.
 */
final class FlameNode {
    final String name;
    final FrameKind kind;
    private long value;
    private final Map<Key, FlameNode> children = new LinkedHashMap<>();

    private record Key(FrameKind kind, String name) {
    }

    FlameNode(String name, FrameKind kind) {
        this.name = Objects.requireNonNull(name);
        this.kind = Objects.requireNonNull(kind);
    }

    long value() {
        return value;
    }

    void add(long weight) {
        value += weight;
    }

    /** The child with this kind and name, made if new. */
    FlameNode child(String childName, FrameKind childKind) {
        return children.computeIfAbsent(new Key(childKind, childName), k -> new FlameNode(k.name, k.kind));
    }

    /** Children, heaviest first. */
    List<FlameNode> children() {
        List<FlameNode> list = new ArrayList<>(children.values());
        list.sort(Comparator.comparingLong(FlameNode::value).reversed().thenComparing(n -> n.name));
        return list;
    }

    int size() {
        int n = 1;
        for (FlameNode c : children.values()) {
            n += c.size();
        }
        return n;
    }

    /**
     * Merges every child subtree lighter than {@code minValue} into one "other" node per parent
     * (no children of its own), so a big recording keeps only the frames a person can see.
     *
     * @return the number of nodes removed
     */
    int prune(long minValue) {
        int removed = 0;
        long small = 0;
        List<Key> drop = new ArrayList<>();
        for (Map.Entry<Key, FlameNode> e : children.entrySet()) {
            FlameNode c = e.getValue();
            if (c.value < minValue || c.kind == FrameKind.OTHER) {
                small += c.value;
                removed += c.size();
                drop.add(e.getKey());
            } else {
                removed += c.prune(minValue);
            }
        }
        drop.forEach(children::remove);
        if (small > 0) {
            child(Cap.OTHER_NAME, FrameKind.OTHER).add(small);
            removed--;
        }
        return removed;
    }
}
