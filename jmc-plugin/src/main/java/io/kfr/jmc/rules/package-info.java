/**
 * kfr's JMC rules: off-CPU time of application threads ({@link io.kfr.jmc.rules.OffCpuRule}),
 * CPU time outside Java code ({@link io.kfr.jmc.rules.CpuOutsideJavaRule}) and the collectors'
 * own health ({@link io.kfr.jmc.rules.CollectorHealthRule}). Found through
 * META-INF/services/org.openjdk.jmc.flightrecorder.rules.IRule by JMC's RuleRegistry, headless
 * runners, and the JMC desktop (the bundle's plugin.xml declares the ruleProvider extension).
 */
package io.kfr.jmc.rules;
