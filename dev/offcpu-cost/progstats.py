#!/usr/bin/env python3
"""Snapshot of the BPF programs a process owns (bpftool prog show): run_cnt/run_time_ns per program,
plus kfr's counters and exp_stats maps (per-CPU arrays, summed). Usage: progstats.py <pid> -> JSON."""
import json
import os
import subprocess
import sys

pid = int(sys.argv[1])
prog_ids = set()
for fd in os.listdir(f"/proc/{pid}/fdinfo"):
    try:
        with open(f"/proc/{pid}/fdinfo/{fd}") as f:
            for line in f:
                if line.startswith("prog_id:"):
                    prog_ids.add(int(line.split()[1]))
    except OSError:
        pass
progs = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True).stdout)
out = {"progs": {}, "maps": {}}
map_ids = set()
for p in progs:
    if p["id"] not in prog_ids:
        continue
    out["progs"][p.get("name", str(p["id"]))] = [p.get("run_cnt", 0), p.get("run_time_ns", 0)]
    map_ids.update(p.get("map_ids", []))
for mid in map_ids:
    info = json.loads(subprocess.run(["bpftool", "-j", "map", "show", "id", str(mid)],
                                     capture_output=True, text=True).stdout)
    if info.get("name") not in ("counters", "exp_stats"):
        continue
    dump = json.loads(subprocess.run(["bpftool", "-j", "map", "dump", "id", str(mid)],
                                     capture_output=True, text=True).stdout)
    vals = []
    for e in dump:
        f = e.get("formatted", e)
        key = f["key"] if isinstance(f["key"], int) else int.from_bytes(bytes(int(b, 16) for b in e["key"]), "little")
        tot = 0
        for v in f["values"]:
            val = v["value"]
            tot += val if isinstance(val, int) else int.from_bytes(bytes(int(b, 16) for b in val), "little")
        vals.append((key, tot))
    out["maps"][info["name"]] = [t for _, t in sorted(vals)]
# CPU time of kfr's threads (utime + stime, clock ticks -> ns), by thread name
tick_ns = 1e9 / os.sysconf("SC_CLK_TCK")
out["threads"] = {}
for tid in os.listdir(f"/proc/{pid}/task"):
    try:
        with open(f"/proc/{pid}/task/{tid}/stat") as f:
            st = f.read()
    except OSError:
        continue
    comm = st[st.index("(") + 1:st.rindex(")")]
    if comm.startswith("kfr"):
        fields = st[st.rindex(")") + 2:].split()
        out["threads"][comm] = out["threads"].get(comm, 0) + (int(fields[11]) + int(fields[12])) * tick_ns
print(json.dumps(out))
