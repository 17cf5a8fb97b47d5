package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleWiring;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.RunnableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kfr's jmc-plugin jar as the JMC 9 desktop loads it from dropins/: an Equinox framework (JMC's
 * OSGi runtime) with JMC 9.1.0's own bundles from Maven Central and the extension registry. The
 * bundle must resolve against JMC's bundles and start; the registry must list its contribution to
 * org.openjdk.jmc.flightrecorder.rules.ruleProvider (declared by JMC's rules bundle); and, doing
 * what JMC's ExtensionRuleProvider does (the contributor's class loader, ServiceLoader), the rules
 * must load from the bundle and evaluate a real kfr recording inside the framework.
 * (The JMC desktop itself is not on Maven Central, the only source this machine reaches.)
 */
class JmcBundleTest {
    private static final String RULE_PROVIDER = "org.openjdk.jmc.flightrecorder.rules.ruleProvider";
    private static final String IRULE = "org.openjdk.jmc.flightrecorder.rules.IRule";

    /** The bundle under test: jmc-plugin's packaged jar in this worktree. */
    private static Path kfrBundle() throws Exception {
        Path target = JvmRun.AGENT_JAR.getParent().resolveSibling("../jmc-plugin/target").normalize();
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("kfr-jmc-plugin-[^-]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no kfr-jmc-plugin jar in " + target));
        }
    }

    /** The jar a class was loaded from (the JMC and Equinox jars are on the test class path). */
    private static String jarOf(String className) throws Exception {
        return Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void jmcLoadsKfrRulesFromTheBundle() throws Exception {
        Path recording = RulesRecording.of(Jdk.JDK17);
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, Files.createTempDirectory("kfr-it-osgi").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        framework.start();
        try {
            BundleContext context = framework.getBundleContext();
            List<Bundle> bundles = new ArrayList<>();
            for (String jar : List.of(jarOf("org.eclipse.core.runtime.IExtensionRegistry"), // equinox.registry
                    jarOf("org.eclipse.core.runtime.IStatus"), // equinox.common
                    jarOf("org.owasp.encoder.Encode"), jarOf("net.jpountz.lz4.LZ4Factory"),
                    jarOf("org.openjdk.jmc.common.IMCThread"), jarOf("org.openjdk.jmc.flightrecorder.JfrLoaderToolkit"),
                    jarOf(IRULE), jarOf("org.openjdk.jmc.flightrecorder.rules.jdk.general.BufferLostRule"),
                    kfrBundle().toString())) {
                bundles.add(context.installBundle("reference:" + new File(jar).toURI()));
            }
            for (Bundle b : bundles) {
                b.start(); // throws, naming the missing requirement, if a bundle does not resolve
            }
            Bundle kfr = bundle(context, "io.kfr.jmc");
            assertEquals(Bundle.ACTIVE, kfr.getState());

            // the extension registry, as the desktop's ExtensionRuleProvider asks it
            // (all references: the test class path has its own copy of the registry's interface)
            ServiceReference<?>[] refs = context.getAllServiceReferences("org.eclipse.core.runtime.IExtensionRegistry", null);
            assertNotNull(refs, "the extension registry service");
            Object registry = context.getService(refs[0]);
            Object[] elements = (Object[]) call(registry, "getConfigurationElementsFor", RULE_PROVIDER);
            List<String> contributors = new ArrayList<>();
            for (Object element : elements) {
                contributors.add((String) call(call(element, "getContributor"), "getName"));
            }
            assertTrue(contributors.contains("io.kfr.jmc"), "ruleProvider contributors: " + contributors);

            Class<?> iRule = bundle(context, "org.openjdk.jmc.flightrecorder.rules").loadClass(IRULE);
            ClassLoader loader = kfr.adapt(BundleWiring.class).getClassLoader();
            Class<?> toolkit = bundle(context, "org.openjdk.jmc.flightrecorder")
                    .loadClass("org.openjdk.jmc.flightrecorder.JfrLoaderToolkit");
            Object items = toolkit.getMethod("loadEvents", File.class).invoke(null, recording.toFile());
            Class<?> preferences = bundle(context, "org.openjdk.jmc.common")
                    .loadClass("org.openjdk.jmc.common.util.IPreferenceValueProvider");
            Object defaults = preferences.getField("DEFAULT_VALUES").get(null);

            Map<String, String> severities = new HashMap<>();
            for (Object rule : ServiceLoader.load(iRule, loader)) {
                assertSame(loader, rule.getClass().getClassLoader(), "rule class from the kfr bundle");
                Method create = iRule.getMethod("createEvaluation", items.getClass().getInterfaces()[0], preferences,
                        bundle(context, "org.openjdk.jmc.flightrecorder.rules")
                                .loadClass("org.openjdk.jmc.flightrecorder.rules.IResultValueProvider"));
                RunnableFuture<?> future = (RunnableFuture<?>) create.invoke(rule, items, defaults, null);
                future.run();
                Object result = future.get();
                severities.put((String) call(rule, "getId"), call(result, "getSeverity").toString());
            }
            assertEquals(List.of("KfrCollectorHealth", "KfrCpuOutsideJava", "KfrHotPaths", "KfrOffCpu", "KfrStartupReads"),
                    severities.keySet().stream().sorted().toList());
            assertEquals("WARNING", severities.get("KfrOffCpu"), severities.toString());
            // the start-up reads rule needs kfr.PageCacheMiss (workingset=), which this recording has not
            assertEquals("NA", severities.remove("KfrStartupReads"), severities.toString());
            // the hot-paths rule needs kfr.HotPath (pt, Intel PT), which this recording has not
            assertEquals("NA", severities.remove("KfrHotPaths"), severities.toString());
            assertTrue(severities.values().stream().noneMatch("NA"::equals), severities.toString());
        } finally {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    private static Bundle bundle(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    /** A public method of an object whose class lives in the framework (not on the test class path). */
    private static Object call(Object target, String method, Object... args) throws Exception {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> type : interfacesAndSelf(c)) {
                for (Method m : type.getMethods()) {
                    if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                        return m.invoke(target, args);
                    }
                }
            }
        }
        throw new NoSuchMethodException(method + " on " + target.getClass());
    }

    private static List<Class<?>> interfacesAndSelf(Class<?> c) {
        List<Class<?>> types = new ArrayList<>(List.of(c.getInterfaces()));
        types.add(c);
        return types;
    }
}
