package io.kfr.jmc.rules;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** libjvm symbols as kfr records them (JDK 17 and 25), and what the rules' texts show. */
class CppNamesTest {
    @Test
    void nestedNamesBecomeQualified() {
        assertEquals("G1ParScanThreadState::trim_queue_to_threshold",
                CppNames.readable("_ZN20G1ParScanThreadState23trim_queue_to_thresholdEj"));
        assertEquals("PhaseIdealLoop::build_and_optimize", CppNames.readable("_ZN14PhaseIdealLoop18build_and_optimizeEv"));
        // a const member function
        assertEquals("Symbol::as_C_string", CppNames.readable("_ZNK6Symbol11as_C_stringEv"));
        // internal linkage, not nested
        assertEquals("thread_native_entry", CppNames.readable("_ZL19thread_native_entryP6Thread"));
    }

    @Test
    void otherNamesStayAsTheyAre() {
        assertEquals("clock_gettime", CppNames.readable("clock_gettime"));
        assertEquals("[stub] StubRoutines::arrayof_jint_disjoint_arraycopy",
                CppNames.readable("[stub] StubRoutines::arrayof_jint_disjoint_arraycopy"));
        assertEquals("_Z3", CppNames.readable("_Z3"), "a truncated symbol is returned unchanged");
    }
}
