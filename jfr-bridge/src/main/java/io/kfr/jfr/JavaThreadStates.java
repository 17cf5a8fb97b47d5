package io.kfr.jfr;

/**
 * The jdk.types.ThreadState constants of jdk.ExecutionSample's {@code state} field, as HotSpot
 * writes them (JfrThreadState::serialize, JDK 17 and 25 alike): the whole table in every chunk,
 * keyed by the JVMTI thread state bits, named "STATE_...". Its samples refer to
 * {@link #RUNNABLE}; kfr's do the same so every reader shows them as the JVM's.
 */
final class JavaThreadStates {
    /** JVMTI_THREAD_STATE_ALIVE | JVMTI_THREAD_STATE_RUNNABLE. */
    static final long RUNNABLE = 5;

    private static final long[] KEYS = {0, 2, RUNNABLE, 225, 401, 417, 657, 673, 1025};
    private static final String[] NAMES = {"STATE_NEW", "STATE_TERMINATED", "STATE_RUNNABLE", "STATE_SLEEPING",
            "STATE_IN_OBJECT_WAIT", "STATE_IN_OBJECT_WAIT_TIMED", "STATE_PARKED", "STATE_PARKED_TIMED",
            "STATE_BLOCKED_ON_MONITOR_ENTER"};

    private JavaThreadStates() {
    }

    /** One constant pool of the checkpoint event: type id, count, then key and name of each state. */
    static void writePool(JfrBuffer out, long typeId) {
        out.writeVarLong(typeId);
        out.writeVarInt(KEYS.length);
        for (int i = 0; i < KEYS.length; i++) {
            out.writeVarLong(KEYS[i]);
            out.writeString(NAMES[i]);
        }
    }
}
