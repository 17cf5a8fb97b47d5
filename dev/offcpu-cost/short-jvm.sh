#!/usr/bin/env bash
# Where a short JVM's time goes with kfr: a main that sleeps 200 ms, launched with several agent
# configurations in alternating rounds. Per run: launch -> main begins (JVM start + premain),
# main, main ends -> process gone (shutdown hooks, kfr's stop). With STRACE=1 one more run per
# configuration under strace: each bpf(2) call's duration (BPF_PROG_LOAD = verifier) and syscall
# counts.
#   dev/offcpu-cost/short-jvm.sh <rounds> <name>=<agent opts|none> ...
set -euo pipefail
cd "$(dirname "$0")/../.."
here=dev/offcpu-cost
work=$(mktemp -d /tmp/kfr-short.XXXXXX)
trap 'rm -rf "$work"' EXIT
JAVA=${JAVA:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
"${JAVA%/java}/javac" -d "$work/classes" $here/ShortMain.java
rounds=$1
shift
now_us() { date +%s%6N; }
agent_args() { # opts
    local lib=()
    [ -n "${KFR_LIB:-}" ] && lib=(-Dkfr.library="$KFR_LIB")
    case $1 in
    none) ;;
    jfr) echo "-XX:StartFlightRecording=filename=$work/jfr.jfr" ;;
    *) echo "-javaagent:agent/target/kfr-agent.jar=${1//@/$work/} ${lib[*]}" ;;
    esac
}
for r in $(seq "$rounds"); do
    for spec in "$@"; do
        name=${spec%%=*} opts=${spec#*=}
        t0=$(now_us)
        # shellcheck disable=SC2046
        "$JAVA" $(agent_args "$opts") -cp "$work/classes" ShortMain >"$work/out" 2>&1
        t1=$(now_us)
        read -r b e < <(awk '/SHORT-MAIN/ {print $2, $3}' "$work/out")
        printf 'round %d %-10s total=%5.0fms start=%5.0fms main=%4.0fms exit=%5.0fms lines=%d\n' "$r" "$name" \
            $(((t1 - t0) / 1000)) $(((b - t0) / 1000)) $(((e - b) / 1000)) $(((t1 - e) / 1000)) "$(wc -l <"$work/out")"
    done
done
if [ "${STRACE:-0}" = 1 ]; then
    for spec in "$@"; do
        name=${spec%%=*} opts=${spec#*=}
        [ "$opts" = none ] && continue
        # shellcheck disable=SC2046
        strace -f -tt -T -e trace=bpf,exit_group -o "$work/st" "$JAVA" $(agent_args "$opts") -cp "$work/classes" ShortMain >"$work/out" 2>&1
        echo "== $name: BPF_PROG_LOAD calls (duration s), first/last syscall, main"
        grep -o 'BPF_PROG_LOAD.*<[0-9.]*>' "$work/st" | sed -E 's/.*prog_name="([^"]*)".*<([0-9.]+)>/\1 \2/' | awk '{n[$1]++; t[$1]+=$2; T+=$2} END {for (k in n) printf "  %-16s x%d %.3fs\n", k, n[k], t[k]; printf "  total %.3fs\n", T}'
        awk 'NR==1 {print "  first", $2} END {print "  last ", $2}' "$work/st"
        grep SHORT-MAIN "$work/out" | awk '{printf "  main  %s .. %s (epoch us)\n", $2, $3}'
        strace -f -c -o "$work/sc" "$JAVA" $(agent_args "$opts") -cp "$work/classes" ShortMain >/dev/null 2>&1
        echo "  syscalls:"; sort -k4 -n -r "$work/sc" | awk 'NR<=10 && $4 ~ /^[0-9]+$/ {printf "    %-20s calls=%s time=%ss\n", $NF, $4, $2}'
    done
fi
