package io.kfr.it.report;

import io.kfr.jmc.rules.OffCpuRule;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** The off-CPU rule's findings on a recording, every thread with one (not only the top 5), printed. */
final class OffCpuFindings {
    private OffCpuFindings() {
    }

    static List<String> of(Path file, String label) throws Exception {
        IItemCollection items = JfrLoaderToolkit.loadEvents(file.toFile());
        IRule rule = new OffCpuRule();
        IPreferenceValueProvider allThreads = OffCpuRule.namingThreads(50);
        Map<IRule, Future<IResult>> f = RulesToolkit.evaluateParallel(List.of(rule), items, allThreads, 1);
        IResult r = f.get(rule).get(60, TimeUnit.SECONDS);
        Collection<String> lines = r.getResult(OffCpuRule.FINDINGS);
        System.out.println(label + " findings (" + file.getFileName() + "): " + r.getSeverity() + "\n  "
                + (lines == null ? "none" : String.join("\n  ", lines)) + "\n  " + r.getExplanation());
        return lines == null ? List.of() : List.copyOf(lines);
    }
}
