#!/usr/bin/env bash
# kfr's two entry points on a fresh Debian machine (root, or sudo):
#   ./dev.sh demo   build if needed, run a demo JVM with the agent, write kfr-demo.jfr, print a summary
#   ./dev.sh test   run every test (unit + end-to-end on JDK 17 and 25; Java frames also on JDK 21,
#                   the agent's gate on JDK 11: dev/install-jdks.sh); this is what CI runs
#   ./dev.sh bench  the benchmarks: off-CPU overhead (context-switch storm vs. baseline and offcputime;
#                   six blocking patterns: park, monitor, contended lock, sleep, socket, NIO server),
#                   threshold sweep, CPU sampler vs. async-profiler (shares, overhead), real servers
#                   (Jetty under wrk, a Kafka broker under ProducerPerformance: no agent, JFR, kfr),
#                   Intel PT decoding speed (collectors' PtDecodeBench)
# Each installs the system packages it lacks with apt-get.
set -euo pipefail
cd "$(dirname "$0")"

# libipt-dev: libkfr_pt.so links libipt.so.2 (libipt2) and the PT proofs' synthesizer its encoder
BUILD_PACKAGES=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libipt-dev make maven openjdk-17-jdk-headless)
# binutils' readelf cross-checks the ELF reader; libc6-dbg names glibc's static functions;
# golang-go brings `go tool pprof`, which reads kfr's pprof output in ConvertTest
TEST_PACKAGES=(binutils libc6-dbg util-linux chromium chromium-driver golang-go)
# wrk loads Jetty in ServerCostBench
BENCH_PACKAGES=(libbpf-tools wrk)
JDK25_HOME=${KFR_JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
# JDK 11 and 21 from Debian's archives (dev/install-jdks.sh), for the tests that matter on them
export KFR_JDKS=${KFR_JDKS:-/opt/kfr-jdks}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "dev.sh: installing ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

mvn_() {
    mvn -B -ntp -Dkfr.jdk25.home="$JDK25_HOME" -Dkfr.jdk11.home="$KFR_JDKS/jdk11" -Dkfr.jdk21.home="$KFR_JDKS/jdk21" "$@"
}

agent_jar_fresh() {
    [ -f agent/target/kfr-agent.jar ] || return 1
    [ -z "$(find pom.xml native events collectors jfr-bridge agent jmc-plugin -newer agent/target/kfr-agent.jar \
        -type f -not -path '*/target/*' -print -quit)" ]
}

case "${1:-}" in
    demo)
        ensure_packages "${BUILD_PACKAGES[@]}" libc6-dbg
        agent_jar_fresh || mvn_ -q package -DskipTests
        java -jar agent/target/kfr-agent.jar demo "${2:-kfr-demo.jfr}"
        ;;
    test)
        ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        if [ ! -x "$JDK25_HOME/bin/java" ]; then
            echo "dev.sh: JDK 25 not found at $JDK25_HOME (set KFR_JDK25_HOME); the tests run on JDK 17 and 25" >&2
            exit 1
        fi
        as_root env KFR_JDKS="$KFR_JDKS" dev/install-jdks.sh >/dev/null
        mvn_ verify
        ;;
    bench)
        ensure_packages "${BUILD_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
        mvn_ verify -pl it-tests -am -Dtest='*Bench' -Dsurefire.failIfNoSpecifiedTests=false
        cat it-tests/target/bench-offcpu.txt it-tests/target/bench-patterns.txt it-tests/target/bench-threshold.txt it-tests/target/bench-cpu.txt \
            it-tests/target/bench-servers.txt collectors/target/bench-pt-decode.txt
        ;;
    *)
        sed -n '2,6p' "$0"
        exit 2
        ;;
esac
