package io.kfr.jmc.report;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A flame graph as the JSON the page's script draws: names in one table (frames repeat a lot),
 * nodes as arrays {@code [nameIndex, kindIndex, value, [children...]]}.
 */
final class FlameJson {
    /** Longer names (generated lambdas, C++ templates) are cut; the page stays small. */
    static final int MAX_NAME = 300;

    private final StringBuilder names = new StringBuilder();
    private final Map<String, Integer> nameIndex = new HashMap<>();

    private FlameJson() {
    }

    static String of(FlameGraph g) {
        FlameJson j = new FlameJson();
        StringBuilder tree = new StringBuilder();
        j.node(g.root(), tree);
        StringBuilder kinds = new StringBuilder();
        for (FrameKind k : FrameKind.values()) {
            kinds.append(kinds.length() == 0 ? "" : ",").append(Escape.json(k.css));
        }
        return "{\"title\":" + Escape.json(g.title())
                + ",\"eventType\":" + Escape.json(g.eventType())
                + ",\"unit\":" + Escape.json(g.unit())
                + ",\"events\":" + g.events()
                + ",\"grouped\":" + g.grouped()
                + ",\"minShare\":" + String.format(Locale.ROOT, "%.4f", g.minShare())
                + ",\"kinds\":[" + kinds + "]"
                + ",\"names\":[" + j.names + "]"
                + ",\"tree\":" + tree + "}";
    }

    private void node(FlameNode n, StringBuilder out) {
        out.append('[').append(name(n.name)).append(',').append(n.kind.ordinal()).append(',').append(n.value());
        if (!n.children().isEmpty()) {
            out.append(",[");
            boolean first = true;
            for (FlameNode c : n.children()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                node(c, out);
            }
            out.append(']');
        }
        out.append(']');
    }

    private int name(String name) {
        String cut = name.length() > MAX_NAME ? name.substring(0, MAX_NAME) + "…" : name;
        return nameIndex.computeIfAbsent(cut, k -> {
            names.append(nameIndex.isEmpty() ? "" : ",").append(Escape.json(k));
            return nameIndex.size();
        });
    }
}
