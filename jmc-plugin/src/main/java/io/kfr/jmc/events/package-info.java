/**
 * kfr's events and frames as JMC's parser presents them, read the same way by the rules
 * ({@code io.kfr.jmc.rules}) and the headless report ({@code io.kfr.jmc.report}): event types and
 * fields ({@link io.kfr.jmc.events.KfrEvents}), what a frame is ({@link io.kfr.jmc.events.Frames}),
 * readable C++ names ({@link io.kfr.jmc.events.CppNames}) and thread names
 * ({@link io.kfr.jmc.events.Threads}). Internal to the bundle: not exported.
 */
package io.kfr.jmc.events;
