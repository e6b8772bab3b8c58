"""Each group of figures of bench/cluster.py. Instances are A, B and C;
"saved on one, seen on another" rotates the pair each repetition
(A then B, B then C, C then A)."""

import os
import random
import re
import subprocess
import threading
import time

from cluster_http import END, Visitor, has_text, is_seq, now, png

A, B, C = 0, 1, 2
# Private addresses: "Unknown location", and no rule of the demo account covers them.
_ips = iter(f"10.77.{n // 250}.{n % 250 + 1}" for n in range(1, 62500))
FAILOVER_MESSAGES = 40


def fresh_ip():
    return next(_ips)


def pair(cfg, k):
    """The ports an action is saved on and observed on, in repetition k."""
    return cfg.ports[k % 3], cfg.ports[(k + 1) % 3]


def wait_until(cfg, pred):
    """The time `pred` first held, polling; None after the timeout."""
    deadline = now() + cfg.timeout
    while now() < deadline:
        if pred():
            return now()
        time.sleep(cfg.poll)
    return None


def since(t0, t):
    return None if t is None else t - t0


def pause(cfg):
    """A random pause, so repetitions do not fall in step with a timer."""
    time.sleep(random.uniform(0, cfg.jitter))


def show(label, k, **vals):
    text = ", ".join(
        f"{name} {'timed out' if v is None else f'{v * 1000:.0f} ms'}" for name, v in vals.items()
    )
    print(f"   {label} {k + 1}: {text}", flush=True)


def expect(cfg, stream, seq, what):
    """The stream is open and has delivered event `seq`."""
    if stream.status != 200:
        raise RuntimeError(f"{what} answered {stream.status}")
    e = stream.until(is_seq(seq), cfg.timeout)
    if e is None or e[2] is END:
        raise RuntimeError(f"{what} did not deliver event {seq}")


def saved(r, what, status=303):
    if r.status != status:
        raise RuntimeError(f"{what} answered {r.status}: {r.text()[:200]}")


def rule_figures(cfg, table, agent):
    adds, removes = [], []
    for k in range(cfg.reps):
        s, o = pair(cfg, k)
        v = Visitor(fresh_ip())
        if not v.shows(o):
            raise RuntimeError(f"{v.ip} is refused before any rule")
        t0 = now()
        fields = {"address": v.ip, "comment": "cluster bench"}
        saved(agent.form(s, "/settings/block-visitors/ip-rules", fields), "the rule")
        adds.append(since(t0, wait_until(cfg, lambda: not v.shows(o))))
        rule = agent.rule_id(s, v.ip)
        pause(cfg)
        t0 = now()
        saved(agent.form(s, f"/settings/block-visitors/ip-rules/{rule}/remove"), "the removal")
        removes.append(since(t0, wait_until(cfg, lambda: v.shows(o))))
        v.close()
        show("rule", k, added=adds[-1], removed=removes[-1])
        pause(cfg)
    table.latency("IP rule saved on one, refused on another", adds, 0.1, 1.0)
    table.latency("IP rule removed on one, served on another", removes, 0.1, 1.0)


def block_figures(cfg, table, agent):
    """The agent blocks on one instance; the visitor's bootstrap and open
    stream are on another. Then Unblock now, on the first."""
    blocks, quiet, unblocks = [], [], []
    for k in range(cfg.reps):
        s, o = pair(cfg, k)
        v = Visitor(fresh_ip())
        cid, seq = v.say(s, f"block me {k}")
        conv = agent.newest_conversation(s)
        st = v.events(o, cid)
        expect(cfg, st, seq, "the visitor's stream")
        t0 = now()
        r = agent.api(s, f"/agent/api/conversations/{conv}/block", {"reason": "cluster bench"})
        saved(r, "the block", 200)
        blocks.append(since(t0, wait_until(cfg, lambda: not v.shows(o))))
        left = max(0.0, t0 + cfg.timeout - now())
        q = st.until(lambda d: d.get("type") == "unavailable", left)
        quiet.append(None if q is None else q[0] - t0)
        st.close()
        pause(cfg)
        t0 = now()
        saved(agent.form(s, f"/conversations/{conv}/unblock"), "Unblock now")
        unblocks.append(since(t0, wait_until(cfg, lambda: v.shows(o))))
        v.close()
        show("block", k, blocked=blocks[-1], quiet=quiet[-1], unblocked=unblocks[-1])
        pause(cfg)
    table.latency("visitor blocked on one, refused on another", blocks, 0.1, 1.0)
    table.latency("blocked chat's stream on another goes quiet", quiet, None, 1.0)
    table.latency("Unblock now on one, served on another", unblocks, 0.1, 1.0)


def arrival(e, t0):
    if e is not None and e[2] is END:
        raise RuntimeError("the stream ended")
    return None if e is None else e[0] - t0


def chat_figures(cfg, table, agent):
    """The agent on A, the visitor on B, each with their stream open."""
    a, b = cfg.ports[A], cfg.ports[B]
    v = Visitor(fresh_ip())
    cid, seq = v.say(b, "hello from B")
    conv = agent.newest_conversation(a)
    vs = v.events(b, cid)
    expect(cfg, vs, seq, "the visitor's stream on B")
    ags = agent.stream(a, f"/agent/conversations/{conv}/events")
    expect(cfg, ags, seq, "the agent's stream on A")
    to_visitor, to_agent = [], []
    for k in range(cfg.chat_reps):
        pause(cfg)
        text = f"agent to visitor {k}"
        t0 = now()
        agent.say(a, conv, text)
        to_visitor.append(arrival(vs.until(has_text(text), cfg.timeout), t0))
        pause(cfg)
        text = f"visitor to agent {k}"
        t0 = now()
        v.say(b, text, cid)
        to_agent.append(arrival(ags.until(has_text(text), cfg.timeout), t0))
        show("chat", k, to_visitor=to_visitor[-1], to_agent=to_agent[-1])
    vs.close()
    ags.close()
    agent.api(a, f"/agent/api/conversations/{conv}/close")
    table.latency("chat event: agent on A -> visitor on B", to_visitor, 0.05, 0.5)
    table.latency("chat event: visitor on B -> agent on A", to_agent, 0.05, 0.5)


def file_figures(cfg, table):
    """The visitor uploads through one instance and downloads through the next."""
    v = Visitor(fresh_ip())
    cid, _ = v.say(cfg.ports[A], "a file follows")
    ok, times, answers = 0, [], {}
    for k in range(cfg.reps):
        s, o = pair(cfg, k)
        data = png(k)
        r = v.upload(s, cid, f"bench-{k}.png", data)
        saved(r, "the upload", 200)
        seq = r.json()["seq"]
        st = v.events(s, cid, last=seq - 1)
        e = st.until(is_seq(seq), cfg.timeout)
        st.close()
        if e is None or e[2] is END:
            raise RuntimeError("the file's event did not arrive")
        t0 = now()
        d = v.download(o, cid, e[2]["body"]["file"])
        good = d.status == 200 and d.body == data
        ok += good
        times.append(now() - t0 if good else None)
        answer = "200, bytes equal" if good else f"{d.status}" + (", bytes differ" if d.status == 200 else "")
        answers[answer] = answers.get(answer, 0) + 1
        print(f"   file {k + 1}: {len(data)} bytes, download on another instance: {answer}", flush=True)
    said = "; ".join(f"{n}x {a}" for a, n in answers.items())
    table.value("file uploaded on one, downloaded on another", f"{ok}/{cfg.reps}", said,
                "all 200, bytes equal", ok == cfg.reps)
    if ok:
        table.latency("  its download time (about 110 KB)", [t for t in times if t is not None])


def psql(cfg, database, sql):
    return subprocess.run(["psql", f"{cfg.pg_url}/{database}", "-qAtc", sql],
                          capture_output=True, text=True, check=True, timeout=120).stdout


def counters(cfg):
    """(transactions, sessions opened) of the database, asked from another."""
    sql = ("SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database "
           f"WHERE datname = '{cfg.db}'")
    xacts, sessions = psql(cfg, "postgres", sql).strip().split("|")
    return int(xacts), int(sessions)


def tables(cfg):
    """Per table: (scans, rows written, autovacuum and autoanalyze runs)."""
    sql = ("SELECT relname, seq_scan + coalesce(idx_scan, 0), n_tup_ins + n_tup_upd + n_tup_del, "
           "autovacuum_count + autoanalyze_count FROM pg_stat_user_tables")
    rows = (line.split("|") for line in psql(cfg, cfg.db, sql).splitlines() if line)
    return {r[0]: tuple(int(x) for x in r[1:]) for r in rows}


def per_second(cfg):
    """(statements, transactions) per second in the database, all
    instances together, over IDLE_SECS; statements None without the
    server's log. VACUUM ANALYZE first leaves autovacuum nothing to do."""
    psql(cfg, cfg.db, "VACUUM ANALYZE")
    # A backend's counts reach pg_stat_database after up to 10 s (its
    # PGSTAT_IDLE_INTERVAL), here up to about 20 s: what was done before,
    # opening the streams included, must not fall in the window. The log
    # is written as statements run.
    time.sleep(3 if cfg.pg_log else 25)
    before = tables(cfg)  # its psql flushes its own counts as it exits
    log_from = os.path.getsize(cfg.pg_log) if cfg.pg_log else 0
    (x0, s0), t0 = counters(cfg), now()
    if os.environ.get("IDLE_TRACE"):
        while now() - t0 < cfg.idle_secs - 2:
            time.sleep(2)
            print(f"   {now() - t0:5.1f} s: {counters(cfg)[0] - x0} transactions", flush=True)
    time.sleep(max(0.0, t0 + cfg.idle_secs - now()))
    (x1, s1), t1 = counters(cfg), now()
    xacts = (x1 - x0) / (t1 - t0)
    if cfg.pg_log:
        logged = logged_statements(cfg, log_from)
        most = "; most run:" if logged else ""
        print(f"   {sum(logged.values())} statements logged in the window{most}", flush=True)
        for text, n in sorted(logged.items(), key=lambda kv: -kv[1])[:8]:
            print(f"     {n:5d}  {text}", flush=True)
        return sum(logged.values()) / (t1 - t0), xacts
    after = tables(cfg)
    delta = {t: [a - b for a, b in zip(after[t], before.get(t, (0, 0, 0)))] for t in after}
    top = lambda i: ", ".join(
        f"{t} {d[i]}" for t, d in sorted(delta.items(), key=lambda kv: -kv[1][i]) if d[i] > 0
    ) or "none"
    print(f"   in the window: scans by table: {top(0)}; rows written: {top(1)}; "
          f"autovacuum runs: {sum(d[2] for d in delta.values())}; connections opened: {s1 - s0}",
          flush=True)
    return None, xacts


def logged_statements(cfg, offset):
    """The statements PostgreSQL logged for the database since `offset` of
    its log (PG_LOG; cluster.sh turns log_statement on for the database),
    counted by their first 90 characters."""
    with open(cfg.pg_log, "rb") as f:
        f.seek(offset)
        lines = f.read().decode("utf-8", "replace").splitlines()
    marker = f"@{cfg.db} "
    counts = {}
    for line in lines:
        if marker not in line:
            continue
        m = re.search(r"LOG:  (?:statement|execute [^:]*): (.*)", line)
        if m:
            text = " ".join(m.group(1).split())[:90]
            counts[text] = counts.get(text, 0) + 1
    return counts


def open_streams(cfg, chat):
    """STREAMS visitors through the proxy (round robin spreads them over the
    three), each with the widget's stream open, in a chat or not."""
    streams, visitors = [], []
    for k in range(cfg.streams):
        v = Visitor(fresh_ip())
        cid = v.say(cfg.proxy, f"idle {k}")[0] if chat else None
        st = v.events(cfg.proxy, cid)
        if st.status != 200:
            raise RuntimeError(f"an idle visitor's stream answered {st.status}")
        streams.append(st)
        visitors.append(v)
    return streams, visitors


def log_statements(cfg, on):
    """Every statement of the database to the server's log (without
    parameter values), for connections opened from now on."""
    if on:
        psql(cfg, "postgres", f"ALTER DATABASE {cfg.db} SET log_statement = 'all'")
        psql(cfg, "postgres", f"ALTER DATABASE {cfg.db} SET log_parameter_max_length = 0")
    else:
        psql(cfg, "postgres", f"ALTER DATABASE {cfg.db} RESET log_statement")
        psql(cfg, "postgres", f"ALTER DATABASE {cfg.db} RESET log_parameter_max_length")


def idle_figures(cfg, table, inst):
    if cfg.pg_log:
        print(f"   counting statements in {cfg.pg_log}; the instances restart to log them", flush=True)
        log_statements(cfg, True)
        inst.restart_all()
    try:
        idle_rows(cfg, table)
    finally:
        if cfg.pg_log:
            log_statements(cfg, False)


def idle_rows(cfg, table):
    def row(name, rates, with_target):
        logged, xacts = rates
        rate = xacts if logged is None else logged
        per = rate / 3
        text = f"{per:.2f} /s (all three: {rate:.1f} /s)"
        also = "" if logged is None else f"; transactions counted: {xacts / 3:.2f} /s"
        print(f"   {name}: {text}{also}", flush=True)
        target = "<= 2 /s per instance" if with_target else ""
        table.value(name, f"{cfg.idle_secs:.0f} s", text, target, per <= 2 if with_target else None)

    row("statements/s per instance, idle, no streams", per_second(cfg), False)
    for chat in (False, True):
        streams, visitors = open_streams(cfg, chat)
        what = "each in a chat" if chat else "no chat"
        try:
            rate = per_second(cfg)
            ended = sum(1 for st in streams if not st.q.empty() and st.q.queue[-1][2] is END)
        finally:
            for st in streams:
                st.close()
            for v in visitors:
                v.close()
        if ended:
            raise RuntimeError(f"{ended} idle streams ended during the window")
        row(f"statements/s per instance, {cfg.streams} visitor streams, {what}", rate, True)


def failover_figures(cfg, table, agent, inst):
    """A visitor's stream on B; the agent on A sends FAILOVER_MESSAGES
    messages 20 ms apart, and B is killed -9 halfway, once its stream has
    delivered some of them. The visitor reconnects through the proxy with
    Last-Event-ID."""
    lost = repeated = 0
    resumed, restarts = [], []
    for k in range(cfg.reps):
        l, r, back, early = failover_rep(cfg, agent, inst, k)
        lost, repeated = lost + l, repeated + r
        resumed.append(back)
        restarts.append(inst.restart(B))
        print(f"   failover {k + 1}: B delivered {early}, then lost {l}, repeated {r}; resumed "
              f"{'never' if back is None else f'{back * 1000:.0f} ms'} after the kill, "
              f"B ready again in {restarts[-1] * 1000:.0f} ms", flush=True)
        time.sleep(2.5)  # nginx tries B again after its fail_timeout
    n = cfg.reps * FAILOVER_MESSAGES
    table.value("failover (B killed -9): events lost, repeated", f"{n}",
                f"{lost} lost, {repeated} repeated", "0 lost, 0 repeated",
                lost == 0 and repeated == 0)
    table.latency("  failover: kill to the next event, via the proxy", resumed)
    table.latency("  failover: B restarted until ready", restarts)


def reconnect(cfg, v, cid, last, deadline):
    while now() < deadline:
        st = v.events(cfg.proxy, cid, last=last)
        if st.status == 200:
            return st
        time.sleep(0.05)
    raise RuntimeError("could not reconnect through the proxy")


def failover_rep(cfg, agent, inst, k):
    a, b = cfg.ports[A], cfg.ports[B]
    v = Visitor(fresh_ip())
    cid, seq = v.say(a, f"failover {k}")
    conv = agent.newest_conversation(a)
    st = v.events(b, cid)
    expect(cfg, st, seq, "the visitor's stream on B")
    n = FAILOVER_MESSAGES
    texts = [f"failover {k}.{i}" for i in range(n)]
    killed, errors, delivered = [], [], threading.Event()

    def send():
        try:
            for i, text in enumerate(texts):
                if i == n // 2:
                    # Mid-stream: once B has delivered some of the first half.
                    delivered.wait(cfg.timeout)
                    inst.kill9(B)
                    killed.append(now())
                agent.say(a, conv, text)
                time.sleep(0.02)
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    sender = threading.Thread(target=send)
    sender.start()
    seqs, got, arrived, last, reconnected, back = [seq], [], [], seq, False, None
    deadline = now() + cfg.timeout + n * 0.05
    try:
        while len(set(got)) < n and now() < deadline and not errors:
            item = st.next(min(0.5, deadline - now()))
            if item is None:
                continue
            t, _, d = item
            if d is END or d.get("type") == "reconnect":
                st.close()
                st = reconnect(cfg, v, cid, last, deadline)
                reconnected = True
                continue
            if d.get("type") != "event":
                continue
            seqs.append(d["seq"])
            last = d["seq"]
            text = (d.get("body") or {}).get("text")
            if text in texts:
                got.append(text)
                arrived.append(t)
                delivered.set()
                if reconnected and back is None and killed:
                    back = t - killed[0]
    finally:
        sender.join()
        st.close()
        v.close()
    if errors:
        raise errors[0]
    agent.api(a, f"/agent/api/conversations/{conv}/close")
    early = sum(1 for t in arrived if killed and t < killed[0])
    return n - len(set(got)), len(seqs) - len(set(seqs)), back, early
