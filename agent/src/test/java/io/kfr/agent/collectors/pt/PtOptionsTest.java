package io.kfr.agent.collectors.pt;

import io.kfr.agent.AgentOptions;
import io.kfr.agent.OptionException;
import io.kfr.collectors.pt.PtPerfConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pt options: defaults, sizes and durations, their limits, and the rules between options. */
class PtOptionsTest {
    @Test
    void ptAloneHasTheDefaultsAndRunsNoOtherCollector() throws Exception {
        AgentOptions o = AgentOptions.parse("pt");
        assertEquals(PtPerfConfig.defaults(), PtKind.settings(o));
        assertEquals(4L << 20, PtKind.settings(o).bufferBytes());
        assertTrue(PtKind.settings(o).javaOnly());
        assertEquals(false, o.runs("offcpu"));
        assertNull(PtKind.settings(AgentOptions.parse("offcpu")));
    }

    @Test
    void sizesDurationsAndFilter() throws Exception {
        PtPerfConfig c = PtKind.settings(AgentOptions.parse("offcpu,pt,pt.buffer=4MB,pt.filter=all,pt.period=2s,pt.trigger=500us"));
        assertEquals(new PtPerfConfig(4L << 20, false, 2_000_000_000L, 500_000L), c);
        assertEquals(64L << 10, PtKind.settings(AgentOptions.parse("pt,pt.buffer=64k")).bufferBytes());
        assertEquals(256L << 20, PtKind.settings(AgentOptions.parse("pt,pt.buffer=256m")).bufferBytes());
        assertEquals(65536L, PtKind.settings(AgentOptions.parse("pt,pt.buffer=65536")).bufferBytes());
    }

    @Test
    void limitsAndRulesAreOneLineEach() {
        expect("pt,pt.buffer=1k", "value '1k' for pt.buffer is out of range 64k..256m");
        expect("pt,pt.buffer=512m", "value '512m' for pt.buffer is out of range 64k..256m");
        expect("pt,pt.buffer=lots", "bad value 'lots' for pt.buffer: expected a size, e.g. 4m, 512k");
        expect("pt,pt.filter=jit", "option pt.filter is java (the JIT code heap only) or all, not 'jit'");
        expect("pt,pt.period=1ms", "value '1ms' for pt.period is out of range 100ms..3600s");
        expect("offcpu,pt,pt.trigger=1us", "value '1us' for pt.trigger is out of range 10us..10s");
        expect("pt,pt.bogus=1", "unknown option 'pt.bogus'; " + PtOptions.USAGE);
        expect("pt,pt.period", "option pt.period needs a value (pt.period=...); " + PtOptions.USAGE);
        expect("pt=on", "option pt takes no value; " + AgentOptions.USAGE);
        expect("offcpu,pt.trigger=5ms", "pt.* options set without pt; add pt to the options");
        expect("cpu,pt,pt.trigger=5ms", "pt.trigger needs the off-CPU collector (it sees the long intervals); add offcpu");
    }

    private static void expect(String options, String line) {
        OptionException e = assertThrows(OptionException.class, () -> AgentOptions.parse(options), options);
        assertEquals(line, e.getMessage());
    }
}
