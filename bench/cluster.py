#!/usr/bin/env python3
"""The measurements of bench/cluster.sh, which makes the database, the
master key and the nginx proxy and sets the environment this reads. This
starts the three instances itself (it kills and restarts one for the
failover), runs every measurement, and prints the table.

Settings (environment): REPS (10) repetitions of each measurement,
CHAT_REPS (20) of each chat direction, IDLE_SECS (30) the window of each
statements-per-second reading, STREAMS (100) the idle visitor streams,
TIMEOUT (15) seconds to wait for anything, POLL_MS (10) between
bootstrap polls, JITTER_MS (500) at most, at random, between repetitions,
ONLY (all) a comma-separated choice of rules,blocks,chat,files,idle,failover,
rulecpu (only when named, or when RULES is set: see bench/cluster_cpu.py),
PG_LOG (auto: Debian's /var/log/postgresql/postgresql-VERSION-main.log
when the server is local and the file readable; "none" for none) the
server's log file: the idle figures then turn log_statement on for the
database, restart the instances, and count the statements logged (and list
the most run); without it they count transactions in pg_stat_database,
whose figures reach it up to about 20 s late here, so a burst before the
window can still land in it (IDLE_TRACE=1 prints that count every 2 s).
"""

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import traceback

from cluster_figures import (
    block_figures,
    chat_figures,
    failover_figures,
    file_figures,
    idle_figures,
    rule_figures,
)
from cluster_cpu import rule_cpu_figures
from cluster_http import Agent, now

E = os.environ


class Config:
    bin = E["CHATGATE_BIN"]
    tmp = E["CLUSTER_TMP"]
    ports = [int(p) for p in E["CLUSTER_PORTS"].split(",")]
    proxy = int(E["CLUSTER_PROXY_PORT"])
    pg_url = E["CLUSTER_PG_URL"]
    db = E["CLUSTER_DB"]
    password = E["CLUSTER_PASSWORD"]
    reps = int(E.get("REPS", "10"))
    chat_reps = int(E.get("CHAT_REPS", "20"))
    idle_secs = float(E.get("IDLE_SECS", "30"))
    streams = int(E.get("STREAMS", "100"))
    timeout = float(E.get("TIMEOUT", "15"))
    poll = float(E.get("POLL_MS", "10")) / 1000
    jitter = float(E.get("JITTER_MS", "500")) / 1000
    only = [g for g in E.get("ONLY", "").split(",") if g]
    pg_log = E.get("PG_LOG", "auto")


class Instances:
    """The three chatgate processes, A, B and C; each has a data directory
    of its own (as on separate machines) and the same database and key."""

    def __init__(self, cfg):
        self.cfg, self.procs = cfg, {}

    def start(self, i):
        cfg = self.cfg
        env = dict(
            os.environ,
            CHATGATE_BIND=f"127.0.0.1:{cfg.ports[i]}",
            CHATGATE_DATA_DIR=f"{cfg.tmp}/data-{i}",
        )
        log = open(f"{cfg.tmp}/instance-{i}.log", "ab")
        p = subprocess.Popen([cfg.bin, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.procs[i] = p
        with open(f"{cfg.tmp}/instance-{i}.pid", "w") as f:
            f.write(str(p.pid))

    def ready(self, i, within=120):
        """Waits for /readyz: the gate has loaded."""
        import http.client

        deadline = now() + within
        while now() < deadline:
            if self.procs[i].poll() is not None:
                raise RuntimeError(f"instance {'ABC'[i]} exited: {self.log_tail(i)}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.cfg.ports[i], timeout=2)
                c.request("GET", "/readyz")
                ok = c.getresponse().status == 200
                c.close()
                if ok:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"instance {'ABC'[i]} not ready in {within} s: {self.log_tail(i)}")

    def restart_all(self):
        self.stop()
        for i in range(3):
            self.start(i)
        for i in range(3):
            self.ready(i)

    def kill9(self, i):
        self.procs[i].send_signal(signal.SIGKILL)
        self.procs[i].wait()

    def restart(self, i):
        self.start(i)
        started = now()
        self.ready(i)
        return now() - started

    def stop(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(timeout=8)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def log_tail(self, i, lines=15):
        try:
            with open(f"{self.cfg.tmp}/instance-{i}.log", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError as e:
            return str(e)


class Table:
    """The figures: latencies (p50 and max over the repetitions) against
    targets, and other rows as text."""

    def __init__(self):
        self.rows = []

    def latency(self, name, samples, p50_target=None, max_target=None):
        """`samples` in seconds; None for one that never came (timed out)."""
        got = [s for s in samples if s is not None]
        n = f"{len(got)}/{len(samples)}"
        if not got:
            self.rows.append((name, n, "-", "-", target(p50_target, max_target), "NO"))
            return
        p50, top = statistics.median(got), max(got)
        ok = len(got) == len(samples)
        ok = ok and (p50_target is None or p50 <= p50_target)
        ok = ok and (max_target is None or top <= max_target)
        has_target = p50_target is not None or max_target is not None
        verdict = ("yes" if ok else "NO") if has_target else ""
        self.rows.append((name, n, ms(p50), ms(top), target(p50_target, max_target), verdict))

    def value(self, name, n, text, target_text="", ok=None):
        verdict = "" if ok is None else ("yes" if ok else "NO")
        self.rows.append((name, n, text, "", target_text, verdict))

    def failed(self, name, why):
        self.rows.append((name, "-", "FAILED", "", why[:60], "NO"))

    def print(self):
        head = ("figure", "n", "p50", "max", "target", "ok?")
        widths = [max(len(str(r[i])) for r in self.rows + [head]) for i in range(6)]
        line = lambda r: " | ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
        print()
        print(line(head))
        print("-+-".join("-" * w for w in widths))
        for r in self.rows:
            print(line(r))


def ms(seconds):
    v = seconds * 1000
    return f"{v:.0f} ms" if v >= 10 else f"{v:.1f} ms"


def target(p50, top):
    parts = []
    if p50 is not None:
        parts.append(f"p50 <= {ms(p50)}")
    if top is not None:
        parts.append(f"max <= {ms(top)}")
    return ", ".join(parts)


def section(table, name, fn, *args):
    """Runs one group of measurements; a failure is a row, not the end."""
    print(f"== {name}", flush=True)
    started = now()
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 - any failure is reported and the run goes on
        traceback.print_exc()
        table.failed(name, f"{type(e).__name__}: {e}")
    print(f"   ({now() - started:.1f} s)", flush=True)


def server_log(cfg):
    """The server's log file to count statements in, if there is one."""
    if cfg.pg_log == "none":
        return ""
    if cfg.pg_log != "auto":
        return cfg.pg_log
    if "@127.0.0.1" not in cfg.pg_url and "@localhost" not in cfg.pg_url:
        return ""
    try:
        out = subprocess.run(["psql", f"{cfg.pg_url}/postgres", "-qAtc", "SHOW server_version_num"],
                             capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    path = f"/var/log/postgresql/postgresql-{int(out.strip()) // 10000}-main.log"
    return path if os.access(path, os.R_OK) else ""


def main():
    cfg = Config()
    cfg.pg_log = server_log(cfg)
    inst = Instances(cfg)
    table = Table()
    try:
        started = now()
        for i in range(3):
            inst.start(i)
        for i in range(3):
            inst.ready(i)
        print(f"== three instances ready in {now() - started:.1f} s on ports {cfg.ports}, "
              f"nginx on {cfg.proxy}", flush=True)
        agent = Agent().sign_in(cfg.ports[0], "manager@demo.test", cfg.password)
        groups = [
            ("rules", "IP rule saved and removed", rule_figures, (cfg, table, agent)),
            ("blocks", "visitor blocked and unblocked", block_figures, (cfg, table, agent)),
            ("chat", "chat events across instances", chat_figures, (cfg, table, agent)),
            ("files", "file through another instance", file_figures, (cfg, table)),
            ("failover", "failover", failover_figures, (cfg, table, agent, inst)),
            # Seeds RULES rules and restarts the instances: only when asked.
            ("rulecpu", "CPU of a rule saved elsewhere", rule_cpu_figures, (cfg, table, agent, inst)),
            # Last: it may turn on logging every statement.
            ("idle", "statements at idle", idle_figures, (cfg, table, inst)),
        ]
        wanted = lambda key: key in cfg.only if cfg.only else key != "rulecpu" or "RULES" in E
        for key, name, fn, args in groups:
            if wanted(key):
                section(table, name, fn, *args)
    finally:
        inst.stop()
    table.print()
    print()
    print("Latencies run from the moment the request that makes the change is sent;"
          " propagation is polled every", f"{cfg.poll * 1000:.0f} ms.")
    idle_ran = not cfg.only or "idle" in cfg.only
    if idle_ran and cfg.pg_log:
        print("Statements: as logged by PostgreSQL (log_statement = all on the database).")
    elif idle_ran:
        print("Statements: transactions committed in the database per second (pg_stat_database),"
              " each autocommit statement being one; PG_LOG counts statements exactly.")
    # A measurement that could not be made fails the run; a missed target does not.
    return 1 if any(r[2] == "FAILED" for r in table.rows) else 0


if __name__ == "__main__":
    threading.current_thread().name = "cluster"
    sys.exit(main())
