package io.kfr.jmc.report;

/**
 * How big a flame graph may get in the page: subtrees under {@link #MIN_SHARE} of the total are
 * merged into "other"; if the tree is still over {@link #MAX_NODES}, the share doubles until it
 * fits (very deep, very varied stacks).
 */
final class Cap {
    static final double MIN_SHARE = 0.001;
    static final int MAX_NODES = 20_000;
    static final String OTHER_NAME = "[other: frames under the limit]";

    private Cap() {
    }

    /** Prunes the tree to the limits. @return the share finally used */
    static double apply(FlameNode root) {
        double share = MIN_SHARE;
        root.prune(minValue(root, share));
        while (root.size() > MAX_NODES && share < 0.5) {
            share *= 2;
            root.prune(minValue(root, share));
        }
        return share;
    }

    private static long minValue(FlameNode root, double share) {
        return Math.max(1, (long) Math.ceil(root.value() * share));
    }
}
