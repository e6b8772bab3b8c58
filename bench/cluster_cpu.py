"""The CPU another instance spends on a rule saved elsewhere, with many
rules stored (RULES, default 1,000,000; the group `rulecpu` runs only when
chosen with ONLY or when RULES is set). The instances stop, `chatgate
seed-load --rules RULES` fills the demo account, and they start again
(each loads every rule). Then A saves REPS rules, one every half second,
while B's and C's CPU time (user + system, from /proc) is read: the
figure is the time spent over the saves less the time the same instance
spends idle over a window as long, per save. The last rule must be in
force on B and C, and their memory is read before and after."""

import os
import subprocess
import time

from cluster_figures import fresh_ip, saved
from cluster_http import Visitor

INTERVAL = 0.5
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def seed(cfg, rules):
    env = dict(os.environ, CHATGATE_DATA_DIR=f"{cfg.tmp}/data-0")
    started = time.monotonic()
    out = subprocess.run([cfg.bin, "seed-load", "--rules", str(rules)], env=env,
                         capture_output=True, text=True, check=True, timeout=1800)
    print(f"   {out.stdout.strip()} ({time.monotonic() - started:.0f} s)", flush=True)


def rule_cpu_figures(cfg, table, agent, inst):
    rules = int(os.environ.get("RULES", "1000000"))
    inst.stop()
    seed(cfg, rules)
    started = time.monotonic()
    inst.restart_all()
    print(f"   restarted with {rules} rules in {time.monotonic() - started:.1f} s", flush=True)
    time.sleep(5)
    others = [inst.procs[i].pid for i in (1, 2)]
    window = cfg.reps * INTERVAL
    before = [cpu_seconds(p) for p in others]
    time.sleep(window)
    idle = [cpu_seconds(p) - b for p, b in zip(others, before)]
    rss_before = [rss_mb(p) for p in others]
    before = [cpu_seconds(p) for p in others]
    ip = None
    for _ in range(cfg.reps):
        ip = fresh_ip()
        t0 = time.monotonic()
        fields = {"address": ip, "comment": "cluster bench cpu"}
        saved(agent.form(cfg.ports[0], "/settings/block-visitors/ip-rules", fields), "the rule")
        time.sleep(max(0.0, INTERVAL - (time.monotonic() - t0)))
    busy = [cpu_seconds(p) - b for p, b in zip(others, before)]
    rss_after = [rss_mb(p) for p in others]
    for i, port in ((1, cfg.ports[1]), (2, cfg.ports[2])):
        v = Visitor(ip)
        if v.shows(port):
            raise RuntimeError(f"the last rule is not in force on {'ABC'[i]}")
        v.close()
    # Unclamped: a figure below 0 means the saves cost less than the idle
    # window's own noise (CPU time is counted in 10 ms ticks).
    per_save = [(b - i) / cfg.reps * 1000 for b, i in zip(busy, idle)]
    for name, ms, b, i, r0, r1 in zip("BC", per_save, busy, idle, rss_before, rss_after):
        print(f"   {name}: {b * 1000:.0f} ms CPU over the saves, {i * 1000:.0f} ms idle "
              f"over {window:.0f} s; RSS {r0:.0f} -> {r1:.0f} MB", flush=True)
    text = " / ".join(f"{ms:.1f} ms" for ms in per_save) + " (B / C)"
    table.value(f"CPU on another instance per rule saved, {rules:,} rules", cfg.reps, text,
                "<= 10 ms", all(ms <= 10 for ms in per_save))
    table.value("  memory of B, C before and after the saves", cfg.reps,
                ", ".join(f"{a:.0f} -> {b:.0f} MB" for a, b in zip(rss_before, rss_after)))
