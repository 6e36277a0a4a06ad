#!/usr/bin/env python3
"""Whole-process figures of `nodeagent run` (issue: the daemon), measured, never asserted in tests:
start -> READY=1 over a real NOTIFY_SOCKET (files only; probes come after READY), idle RSS and CPU after IDLE
seconds, and RSS growth over CYCLES reconcile cycles (each driven by SIGHUP: reload + cycle, one at a time,
waiting for each cycle's STATUS=). AWS is the moto_server daemon.sh starts (BENCH_AWS_ENDPOINT, with a working key in
BENCH_AWS_KEY / BENCH_AWS_SECRET): the probes after READY pass, so the idle window sees only the daemon's own timers
(drift every 60 s, probes every 900 s), not backoff retries."""
import json, os, shutil, signal, socket, subprocess, sys, tempfile, time

binary, sample = sys.argv[1], sys.argv[2]
idle_seconds = int(os.environ.get("IDLE", "60"))
cycles = int(os.environ.get("CYCLES", "10000"))
starts = int(os.environ.get("STARTS", "5"))
tick = os.sysconf("SC_CLK_TCK")
endpoint = os.environ["BENCH_AWS_ENDPOINT"]
sample_key, sample_secret = "AKIAEXAMPLENODEAGENT", "nodeagentEXAMPLEsecretKEY/doNotUse+00000"

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))

def memory(pid, binary_path):
    """Where the RSS is: the mapped binary, other files (libc, openssl...), anonymous memory (GC heap, native heap,
    thread stacks), and how many threads exist."""
    parts = {"binary_kib": 0, "other_files_kib": 0, "anonymous_kib": 0}
    real = os.path.realpath(binary_path)
    with open(f"/proc/{pid}/smaps") as f:
        name = ""
        for line in f:
            head = line.split()
            if not line[0].isupper() or ":" not in head[0]:
                name = head[5] if len(head) > 5 else ""
            elif head[0] == "Rss:":
                kib = int(head[1])
                key = "binary_kib" if name == real else "other_files_kib" if name.startswith("/") else "anonymous_kib"
                parts[key] += kib
    with open(f"/proc/{pid}/status") as f:
        parts["threads"] = next(int(l.split()[1]) for l in f if l.startswith("Threads:"))
    return parts

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick

def sandbox():
    root = tempfile.mkdtemp(prefix="nodeagent-bench-")
    sources = os.path.join(root, "opt/deployment/etc/aws/credentials")
    os.makedirs(sources)
    for name in os.listdir(sample):
        with open(os.path.join(sample, name)) as f:
            text = f.read().replace(sample_key, os.environ["BENCH_AWS_KEY"]).replace(sample_secret, os.environ["BENCH_AWS_SECRET"])
        with open(os.path.join(sources, name), "w") as f:
            f.write(text)
    os.makedirs(os.path.join(root, "etc/nodeagent"))
    with open(os.path.join(root, "etc/nodeagent/nodeagent.yaml"), "w") as f:
        f.write(f"containers:\n  names: []\ns3:\n  endpoint: {endpoint}\nsts:\n  endpoint: {endpoint}\n")
    return root

def start(root):
    sock_path = os.path.join(root, "notify.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(sock_path)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    env.pop("JOURNAL_STREAM", None)
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "run", "--root", root], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p, s, t0

def wait_for(s, prefix, timeout=60):
    s.settimeout(timeout)
    while True:
        d = s.recv(65536).decode()
        if d.startswith(prefix) or ("\n" + prefix) in d:
            return d

def stop(p, s, root):
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=60)
    s.close()
    shutil.rmtree(root, ignore_errors=True)

ready_ms = []
for _ in range(starts):
    root = sandbox()
    p, s, t0 = start(root)
    wait_for(s, "READY=1")
    ready_ms.append((time.perf_counter() - t0) * 1000)
    stop(p, s, root)
ready_ms.sort()

root = sandbox()
p, s, _ = start(root)
wait_for(s, "READY=1")
probe_status = wait_for(s, "STATUS=")          # the probe cycle queued after READY
print("probe cycle after READY:", probe_status.strip().replace("\n", " | "), file=sys.stderr)
time.sleep(2)
cpu0, t0 = cpu_seconds(p.pid), time.monotonic()
time.sleep(idle_seconds)
idle_cpu = (cpu_seconds(p.pid) - cpu0) / (time.monotonic() - t0) * 100
idle_rss = rss_kib(p.pid)
idle_memory = memory(p.pid, binary)

for _ in range(200):            # warm-up: first allocations of the reload path
    p.send_signal(signal.SIGHUP); wait_for(s, "STATUS=")
rss_before = rss_kib(p.pid)
memory_before = memory(p.pid, binary)
t0 = time.monotonic()
for _ in range(cycles):
    p.send_signal(signal.SIGHUP)
    wait_for(s, "STATUS=")
elapsed = time.monotonic() - t0
rss_after = rss_kib(p.pid)
memory_after = memory(p.pid, binary)
stop(p, s, root)

result = {
    "ready_ms_median": round(ready_ms[len(ready_ms) // 2], 1), "ready_ms_all": [round(x, 1) for x in ready_ms],
    "idle_seconds": idle_seconds, "idle_rss_mib": round(idle_rss / 1024, 1), "idle_cpu_percent": round(idle_cpu, 3),
    "idle_memory": idle_memory,
    "cycles": cycles, "cycle_ms_mean": round(elapsed / cycles * 1000, 2),
    "rss_before_cycles_mib": round(rss_before / 1024, 1), "rss_after_cycles_mib": round(rss_after / 1024, 1),
    "rss_growth_percent": round((rss_after - rss_before) / rss_before * 100, 2),
    "memory_before_cycles": memory_before, "memory_after_cycles": memory_after,
}
print(json.dumps(result, indent=2))
targets = [("start -> READY (median)", f'{result["ready_ms_median"]} ms', result["ready_ms_median"] <= 100, "<= 100 ms"),
           (f"idle RSS after {idle_seconds} s", f'{result["idle_rss_mib"]} MiB', result["idle_rss_mib"] <= 25, "<= 25 MB"),
           (f"idle CPU over {idle_seconds} s", f'{result["idle_cpu_percent"]} %', result["idle_cpu_percent"] <= 0.1, "<= 0.1 %"),
           (f"RSS growth over {cycles} cycles", f'{result["rss_growth_percent"]} %', result["rss_growth_percent"] < 5, "< 5 %")]
for name, value, met, target in targets:
    print(f"{name:34} {value:>12}   target {target:10} {'met' if met else 'NOT met'}")
