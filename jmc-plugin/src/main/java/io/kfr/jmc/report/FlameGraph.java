package io.kfr.jmc.report;

/**
 * One flame graph of the page: the merged tree of an event type's stacks, with the weight's unit
 * and how far it was cut ({@link Cap}).
 *
 * @param id        the element id in the page (also names its data block)
 * @param title     heading shown above the graph
 * @param eventType the kfr event type the graph is drawn from
 * @param unit      "ns" (time, shown as ms/s) or "samples"
 * @param events    events that went into the tree
 * @param root      the tree; value 0 when there were no events
 * @param minShare  subtrees under this share of the total were merged into "other"
 * @param grouped   the root's children are the two wait groups (PROBLEM, IDLE), then threads;
 *                  otherwise threads
 */
record FlameGraph(String id, String title, String eventType, String unit, long events, FlameNode root,
                  double minShare, boolean grouped) {
    boolean isEmpty() {
        return root.value() == 0;
    }
}
