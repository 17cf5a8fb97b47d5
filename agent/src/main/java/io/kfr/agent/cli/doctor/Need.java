package io.kfr.agent.cli.doctor;

import io.kfr.collectors.probe.Probes;

/** How much kfr depends on a probed feature, which decides a failed probe's status. */
enum Need {
    /** A collector cannot run without it. */
    REQUIRED,
    /** kfr runs without it, on a slower path or with less (e.g. no Java frames). */
    PREFERRED,
    /** kfr does not use it; reported because it is what other tools (and users) ask about. */
    UNUSED;

    /** The check for a probe of this need: ok, or limited / missing with the fix. */
    Check check(String name, String meaning, Probes.Result r, String absentFix) {
        if (r.ok()) {
            return Check.ok(name, meaning);
        }
        String detail = meaning + " -- " + r.reason();
        boolean missing = this == REQUIRED || (this == PREFERRED && r.denied());
        String fix = r.denied() ? Fixes.PRIVILEGES_SHORT : absentFix;
        return missing ? Check.missing(name, detail, fix) : Check.limited(name, detail, fix);
    }
}
