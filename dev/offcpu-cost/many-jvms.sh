#!/usr/bin/env bash
# The host-wide cost of idle JVMs running kfr: a pipe ping-pong that runs no kfr (pipe_ping_pong.c,
# 100,000 round trips, pinned to CPU 0 and then free), next to N idle JVMs with `offcpu`, N in
# alternating rounds; the JVMs settle (SETTLE seconds, default 15: their start and the JIT of kfr's
# code) before each measurement. Prints per round the ping-pong's times and the CPU ticks the idle
# JVMs used meanwhile.
#   dev/offcpu-cost/many-jvms.sh <rounds> <N> ...     e.g. many-jvms.sh 2 0 1 4 8
set -euo pipefail
cd "$(dirname "$0")/../.."
here=dev/offcpu-cost
work=$(mktemp -d /tmp/kfr-many.XXXXXX)
trap 'rm -rf "$work"' EXIT
JAVA=${JAVA:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
AGENT=${AGENT_JAR:-agent/target/kfr-agent.jar}
cc -O2 -pthread -o "$work/ping" $here/pipe_ping_pong.c
"${JAVA%/java}/javac" -d "$work" $here/IdleMain.java
rounds=$1
shift
for r in $(seq "$rounds"); do
    for n in "$@"; do
        pids=()
        for i in $(seq "$n"); do
            "$JAVA" -Xmx64m -javaagent:"$AGENT"=offcpu -cp "$work" IdleMain 600000 >"$work/jvm$i.out" 2>&1 &
            pids+=($!)
        done
        for i in $(seq "$n"); do
            for _ in $(seq 300); do grep -q "collector running" "$work/jvm$i.out" && break; sleep 0.1; done
        done
        sleep "${SETTLE:-15}"
        ticks() { local t=0 p; for p in "${pids[@]}"; do t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat))); done; echo $t; }
        before=$( ((n)) && ticks || echo 0)
        same=$(taskset -c 0 "$work/ping" 100000)
        cross=$("$work/ping" 100000)
        after=$( ((n)) && ticks || echo 0)
        echo "round $r jvms=$n same-cpu $same ms, free $cross ms; the idle JVMs used $((after - before)) ticks meanwhile"
        for p in "${pids[@]}"; do kill "$p"; done
        wait 2>/dev/null || true
    done
done
