#!/usr/bin/env bash
# Per-run BPF cost of kfr's off-CPU programs under one workload, for several configurations in
# alternating rounds (the machine is shared: per-run cost is compared, not throughput).
#   dev/offcpu-cost/measure.sh <monitor|jetty> <rounds> <seconds> <name>=<agent opts>[:ENV=v,...] ...
# e.g. measure.sh monitor 3 5 base=offcpu nojava=offcpu,offcpu.java=off nowake=offcpu:KFR_OFFCPU_WAKERS=0
# Needs root, bpftool, a built agent jar (agent/target/kfr-agent.jar, or AGENT_JAR=); KFR_LIB=<libkfr.so> overrides
# the jar's library (experiment builds), for all configurations, or per configuration as
# name=opts:KFR_LIB=<libkfr.so> (alternating a baseline build with a changed one), and likewise
# name=opts:AGENT_JAR=<jar> (a baseline jar against a changed one). Prints one line per (round, configuration): ns per run of
# sched_switch / sched_waking, runs/s, and the counters that explain the cost.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=dev/offcpu-cost
work=$(mktemp -d /tmp/kfr-cost.XXXXXX)
trap 'rm -rf "$work"' EXIT
JAVA=${JAVA:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
workload=$1 rounds=$2 secs=$3
shift 3
jetty_cp=$(ls ~/.m2/repository/org/eclipse/jetty/jetty-{server,http,io,util}/12.1.13/*-12.1.13.jar \
    ~/.m2/repository/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar 2>/dev/null | paste -sd:)
"${JAVA%/java}/javac" -d "$work/classes" -cp "$jetty_cp" $here/MonitorPingPong.java $here/JettyHello.java

run_one() { # name opts env
    local name=$1 opts=$2 envs=$3 lib=() pid
    local kfrlib=${KFR_LIB:-}
    [[ ,$envs, == *,KFR_LIB=* ]] && kfrlib=$(tr , '\n' <<<"$envs" | sed -n 's/^KFR_LIB=//p')
    [ -n "$kfrlib" ] && lib=(-Dkfr.library="$kfrlib")
    local agent=() jar=${AGENT_JAR:-agent/target/kfr-agent.jar}
    [[ ,$envs, == *,AGENT_JAR=* ]] && jar=$(tr , '\n' <<<"$envs" | sed -n 's/^AGENT_JAR=//p')
    [ "$opts" != none ] && agent=(-javaagent:"$jar"="$opts,file=$work/$name.jfr" "${lib[@]}")
    case $workload in
    monitor)
        env ${envs//,/ } "$JAVA" "${agent[@]}" -cp "$work/classes" MonitorPingPong 2 600 >"$work/out" 2>&1 &
        pid=$!
        sleep 2 ;;
    jetty)
        env ${envs//,/ } "$JAVA" "${agent[@]}" -cp "$work/classes:$jetty_cp" JettyHello 18089 >"$work/out" 2>&1 &
        pid=$!
        for _ in $(seq 900); do grep -q JETTY-READY "$work/out" 2>/dev/null && break; sleep 0.1; done
        wrk -t2 -c64 -d2s http://127.0.0.1:18089/ >/dev/null ;; # warm-up
    esac
    local a b rps=""
    if [ "$opts" != none ]; then # collecting (the start-up self-test's programs are gone)
        for _ in $(seq 600); do grep -q "collector running" "$work/out" 2>/dev/null && break; sleep 0.1; done
        sleep 1
    fi
    a=$(python3 $here/progstats.py $pid)
    if [ $workload = jetty ]; then
        rps=$(wrk -t2 -c64 -d${secs}s http://127.0.0.1:18089/ | awk '/Requests\/sec/ {print $2}')
    else
        sleep "$secs"
    fi
    b=$(python3 $here/progstats.py $pid)
    kill $pid
    wait $pid || true
    python3 $here/report.py "$name" "$secs" "$rps" "$a" "$b"
}

for r in $(seq "$rounds"); do
    for spec in "$@"; do
        name=${spec%%=*} rest=${spec#*=}
        opts=${rest%%:*} envs=""
        [[ $rest == *:* ]] && envs=${rest#*:}
        echo -n "round $r "
        run_one "$name" "$opts" "$envs"
    done
done
