#!/usr/bin/env python3
"""What `workingset=` costs a warm start: the Spring Boot application of ColdStartBench started
warm with no agent and with each given agent jar, alternating, each start timed to its
"Started ... in" line, with the process's CPU time (user + system) at that moment.

Needs the application that ColdStartBench set up (it-tests/target/coldstart/spring-boot, with its
recorded app.ws: run ColdStartBench once) and a JDK 25. Each agent start gets a fresh copy of that
app.ws, so it prefetches (fadvise, all cached) and records, as a service restarted with
`workingset=` does.

  dev/workingset/warm-start-ab.py ROUNDS JAR [JAR...]
"""
import glob, os, re, shutil, statistics, subprocess, sys, time

APP = os.path.join(os.path.dirname(__file__), '../../it-tests/target/coldstart/spring-boot')
JAVA = os.environ.get('JAVA', '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java')


def start(opts):
    cp = APP + '/app.jar:' + ':'.join(sorted(glob.glob(APP + '/lib/*.jar')))
    t0 = time.time()
    p = subprocess.Popen([JAVA] + opts + ['-cp', cp, '-Dserver.port=18080', 'bench.BenchApp'],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ready = None
    for line in p.stdout:
        if re.search(r'Started \w+ in', line):
            ready = (time.time() - t0) * 1000
            break
    st = open('/proc/%d/stat' % p.pid).read().rsplit(')', 1)[1].split()
    cpu = (int(st[11]) + int(st[12])) * 1000 // os.sysconf('SC_CLK_TCK')
    p.terminate()
    p.wait()
    if ready is None:
        sys.exit('no "Started" line with %s' % opts)
    return ready, cpu


def main():
    rounds, jars = int(sys.argv[1]), sys.argv[2:]
    configs = {'none': None}
    for j in jars:
        configs[os.path.abspath(j)] = j
    times = {k: [] for k in configs}
    cpus = {k: [] for k in configs}
    start([])  # every file cached before the first timed start
    for r in range(rounds):
        keys = list(configs)
        keys = keys[r % len(keys):] + keys[:r % len(keys)]  # a different order each round
        for k in keys:
            opts = []
            if configs[k]:
                ws = '/tmp/kfr-warm-ab-%d.ws' % keys.index(k)
                shutil.copy(APP + '/app.ws', ws)
                opts = ['-javaagent:%s=workingset=%s,quiet' % (configs[k], ws)]
            t, c = start(opts)
            times[k].append(round(t))
            cpus[k].append(c)
        print('round %d: %s' % (r + 1, ', '.join('%s %d ms (cpu %d ms)' % (k, times[k][-1], cpus[k][-1]) for k in keys)),
              flush=True)
    base_t, base_c = statistics.median(times['none']), statistics.median(cpus['none'])
    for k in configs:
        t, c = statistics.median(times[k]), statistics.median(cpus[k])
        print('%s: ready median %d ms (%+d), cpu median %d ms (%+d); all %s' % (k, t, t - base_t, c, c - base_c, times[k]))


main()
