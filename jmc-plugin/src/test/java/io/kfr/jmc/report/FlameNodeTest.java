package io.kfr.jmc.report;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlameNodeTest {
    private static FlameNode path(FlameNode root, long weight, String... names) {
        root.add(weight);
        FlameNode n = root;
        for (String name : names) {
            n = n.child(name, FrameKind.JIT);
            n.add(weight);
        }
        return n;
    }

    @Test
    void equalFramesUnderOneParentMergeAndKindsStayApart() {
        FlameNode root = new FlameNode("all", FrameKind.ROOT);
        path(root, 10, "main", "a");
        path(root, 5, "main", "a");
        path(root, 7, "main", "b");
        root.child("main", FrameKind.INTERPRETED).add(3);
        root.add(3);
        assertEquals(25, root.value());
        assertEquals(2, root.children().size(), "JIT and interpreted main are two nodes");
        FlameNode main = root.children().get(0);
        assertEquals(22, main.value());
        assertEquals("a", main.children().get(0).name, "heaviest first");
        assertEquals(15, main.children().get(0).value());
    }

    @Test
    void tinySubtreesMergeIntoOneOtherNodeAndKeepTheirWeight() {
        FlameNode root = new FlameNode("all", FrameKind.ROOT);
        path(root, 10_000, "main", "big");
        for (int i = 0; i < 50; i++) {
            path(root, 1, "main", "tiny" + i, "deeper");
        }
        int before = root.size();
        int removed = root.prune(5);
        FlameNode main = root.children().get(0);
        assertEquals(2, main.children().size(), "big and other");
        FlameNode other = main.children().get(1);
        assertEquals(FrameKind.OTHER, other.kind);
        assertEquals(50, other.value());
        assertEquals(before - removed, root.size());
        assertEquals(10_050, main.value());
    }

    @Test
    void capShrinksAVariedTreeUnderTheNodeLimit() {
        FlameNode root = new FlameNode("all", FrameKind.ROOT);
        // 400 distinct stacks 60 deep of equal weight: 24,000 nodes, each stack 0.25% of the total,
        // over the limit at the first share
        for (int s = 0; s < 400; s++) {
            String[] names = new String[60];
            for (int d = 0; d < 60; d++) {
                names[d] = "s" + s + "f" + d;
            }
            path(root, 1, names);
        }
        double share = Cap.apply(root);
        assertTrue(root.size() <= Cap.MAX_NODES, "size " + root.size());
        assertEquals(400, root.value());
        assertTrue(share > Cap.MIN_SHARE, "the share grew: " + share);
    }
}
