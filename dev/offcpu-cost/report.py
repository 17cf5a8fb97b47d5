#!/usr/bin/env python3
"""One line from two progstats.py snapshots: ns/run per program and the counters (per second)."""
import json
import sys

name, secs, rate, a, b = sys.argv[1], float(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4]), json.loads(sys.argv[5])
# kfr_records.h order
CNT = ["events", "aggregated", "rb_full", "agg_full", "agg_full_ns", "kstack_err", "ustack_err", "cache_hit",
       "stack_walk", "storage_err", "storage_fallback", "missed_in", "missed_lost", "missed_out", "excluded",
       "java_walk", "java_walk_ns", "java_frames", "java_hit", "java_vmiss", "java_noanchor", "java_broken",
       "java_trunc", "java_sent", "java_lost", "java_regs", "wakeups", "waker_stacks", "waker_java",
       "stack_collision", "stack_other_err", "java_unverified", "waker_stack_hit", "preempt_unsampled", "preempt_late"]
EXS = ["verify", "verify_ns", "span", "slots", "ku_walk_ns", "ku_walk", "skipped_verify", "switch_out", "short",
       "k_ns", "u_ns", "preempt", "preempt_walk"]
parts = [f"{name:10s} rate={rate or '-':>8s}"]
for prog, (c1, t1) in sorted(b["progs"].items()):
    c0, t0 = a["progs"].get(prog, [0, 0])
    if c1 - c0 > 0 and ("switch" in prog or "waking" in prog or "cpu_sample" in prog):
        parts.append(f"{prog}={(t1 - t0) / (c1 - c0):.0f}ns x{(c1 - c0) / secs / 1000:.0f}k/s")
def delta(m):
    x, y = a["maps"].get(m, []), b["maps"].get(m, [])
    return [y[i] - (x[i] if i < len(x) else 0) for i in range(len(y))]
c = dict(zip(CNT, delta("counters")))
e = dict(zip(EXS, delta("exp_stats")))
iv = c.get("events", 0) + c.get("aggregated", 0)
if iv:
    parts.append(f"short={c['aggregated'] / iv:.3f}")
if c.get("stack_walk") is not None and c.get("cache_hit") is not None and c["stack_walk"] + c["cache_hit"]:
    parts.append(f"walk/(walk+hit)={c['stack_walk'] / (c['stack_walk'] + c['cache_hit']):.4f}")
if c.get("java_hit") is not None and c.get("java_walk") is not None:
    parts.append(f"jhit={c['java_hit'] / secs / 1000:.0f}k/s jwalk={c['java_walk'] / secs / 1000:.1f}k/s")
if c.get("wakeups"):
    parts.append(f"wakers={c['wakeups'] / secs / 1000:.0f}k/s waker_stacks={c.get('waker_stacks', 0) / secs:.0f}/s waker_java={c.get('waker_java', 0) / secs:.0f}/s waker_hit={c.get('waker_stack_hit', 0) / secs:.0f}/s")
if c.get("preempt_unsampled"):
    parts.append(f"preempt_unsampled={c['preempt_unsampled'] / secs / 1000:.1f}k/s late={c.get('preempt_late', 0) / secs:.0f}/s")
so = e.get("switch_out", 0) or 1
parts.append(f"so={so / secs / 1000:.0f}k/s")
parts.append(f"kuwalk/so={e.get('ku_walk', 0) / so:.3f}")
if c.get("java_walk"):
    parts.append(f"jwalk/so={c['java_walk'] / so:.3f} jwalk={c['java_walk_ns'] / c['java_walk']:.0f}ns "
                 f"frames={c['java_frames'] / c['java_walk']:.1f}")
if e.get("verify"):
    parts.append(f"verify/so={e['verify'] / so:.3f} span={e['span'] / e['verify']:.0f}B slots={e['slots'] / e['verify']:.0f}")
    if e.get("verify_ns"):
        parts.append(f"verify={e['verify_ns'] / e['verify']:.0f}ns")
if e.get("ku_walk_ns") and e.get("ku_walk"):
    parts.append(f"kuwalk={e['ku_walk_ns'] / e['ku_walk']:.0f}ns (k {e.get('k_ns', 0) / e['ku_walk']:.0f} u {e.get('u_ns', 0) / e['ku_walk']:.0f})")
if e.get("preempt") is not None:
    parts.append(f"R/so={e['preempt'] / so:.3f} Rwalk/so={e.get('preempt_walk', 0) / so:.3f}")
if e.get("skipped_verify"):
    parts.append(f"skipv/so={e['skipped_verify'] / so:.3f}")
if c.get("java_vmiss"):
    parts.append(f"vmiss/so={c['java_vmiss'] / so:.4f}")
coll = b.get("threads", {}).get("kfr-offcpu", 0) - a.get("threads", {}).get("kfr-offcpu", 0)
if coll:
    parts.append(f"collector={coll / secs / 1e7:.1f}%cpu")
    if iv:
        parts.append(f"collector/interval={coll / iv:.0f}ns")
    if c.get("java_sent"):
        parts.append(f"java_sent={c['java_sent'] / secs:.0f}/s collector/java_sent={coll / c['java_sent'] / 1000:.1f}us")
print(" ".join(parts), flush=True)
