"""HTTP for bench/cluster.py, standard library only.

A `Browser` keeps cookies (one jar for every instance: sessions live in the
database, so a session signed in on one instance is good on all) and one
keep-alive connection per port, and never follows redirects. `Agent` and
`Visitor` drive the panel, the console and the widget as
tests/it/support/{signed_in,visitors,blocking}.rs do. A `Stream` reads an
event stream on a thread of its own and stamps every frame with the
monotonic time it arrived.
"""

import html
import http.client
import json
import queue
import random
import re
import secrets
import socket
import struct
import threading
import time
import urllib.parse
import zlib

HOST = "127.0.0.1"
CASE = "demo-support"
# What a stream yields when the server ends it (or the connection drops).
END = {"type": "END"}


def now():
    return time.monotonic()


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class Browser:
    def __init__(self, headers=None):
        self.cookies = {}
        self.headers = dict(headers or {})
        self.conns = {}

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method, port, path, body=None, headers=None, timeout=30):
        h = dict(self.headers)
        h.update(headers or {})
        if self.cookies:
            h["Cookie"] = self.cookie_header()
        for attempt in (0, 1):
            conn = self.conns.get(port)
            reused = conn is not None
            if conn is None:
                conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
                self.conns[port] = conn
            try:
                conn.request(method, path, body=body, headers=h)
                r = conn.getresponse()
                data = r.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                self.conns.pop(port, None)
                # A kept-alive connection the server has since closed.
                if reused and attempt == 0:
                    continue
                raise
            for c in r.msg.get_all("Set-Cookie") or []:
                self._keep(c)
            if r.will_close:
                conn.close()
                self.conns.pop(port, None)
            return Response(r.status, r.msg, data)

    def _keep(self, header):
        name, _, value = header.split(";", 1)[0].partition("=")
        name, value = name.strip(), value.strip()
        if not value or "max-age=0" in header.lower().replace(" ", ""):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def get(self, port, path, headers=None):
        return self.request("GET", port, path, headers=headers)

    def post_form(self, port, path, fields):
        body = urllib.parse.urlencode(fields)
        ct = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", port, path, body=body, headers=ct)

    def post_json(self, port, path, obj, headers=None):
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        return self.request("POST", port, path, body=json.dumps(obj), headers=h)

    def stream(self, port, path, last=None, headers=None):
        h = dict(self.headers)
        h.update(headers or {})
        if self.cookies:
            h["Cookie"] = self.cookie_header()
        if last is not None:
            h["Last-Event-ID"] = str(last)
        return Stream(port, path, h)

    def close(self):
        for c in self.conns.values():
            c.close()
        self.conns.clear()


def csrf_in(page):
    m = re.search(r'name="csrf_token" value="([^"]*)"', page)
    if not m:
        raise RuntimeError("no csrf token on the page")
    return html.unescape(m.group(1))


class Agent(Browser):
    """A signed-in user with the CSRF token of its session."""

    def sign_in(self, port, email, password):
        token = csrf_in(self.get(port, "/login").text())
        fields = {"email": email, "password": password, "csrf_token": token}
        r = self.post_form(port, "/login", fields)
        if r.status != 303:
            raise RuntimeError(f"sign-in of {email} answered {r.status}")
        self.csrf = csrf_in(self.get(port, "/").text())
        return self

    def form(self, port, path, fields=None):
        """A panel form; answers its status (303 when saved)."""
        fields = dict(fields or {}, csrf_token=self.csrf)
        return self.post_form(port, path, fields)

    def api(self, port, path, obj=None):
        """The console's JSON action, the token in its header."""
        return self.post_json(port, path, obj or {}, {"X-CSRF-Token": self.csrf})

    def newest_conversation(self, port):
        """The internal id of the newest open conversation."""
        o = self.get(port, "/agent/api/overview").json()
        return max(c["id"] for c in o["conversations"])

    def say(self, port, conv, text):
        r = self.api(port, f"/agent/api/conversations/{conv}/messages", {"text": text})
        if r.status != 200:
            raise RuntimeError(f"agent message answered {r.status}: {r.text()}")
        return r.json()["seq"]

    def rule_id(self, port, address):
        """The id of the IP rule for `address`, from the list's remove link."""
        q = urllib.parse.quote(address)
        page = self.get(port, f"/settings/block-visitors?q={q}").text()
        m = re.search(r"/settings/block-visitors/ip-rules/(\d+)/remove", page)
        if not m:
            raise RuntimeError(f"no rule listed for {address}")
        return int(m.group(1))


class Visitor(Browser):
    """A widget visitor at `ip` (sent as X-Forwarded-For; the instances and
    the proxy are trusted proxies), known by the id the frame keeps."""

    def __init__(self, ip, case=CASE):
        super().__init__({"X-Forwarded-For": ip})
        self.ip, self.case = ip, case
        self.id = secrets.token_urlsafe(32)  # 43 characters, as the frame's
        self.base = f"/widget/v1/{case}"

    def shows(self, port):
        """Whether the loader's bootstrap shows the chat to this visitor."""
        page = urllib.parse.quote("https://shop.example/", safe="")
        r = self.get(port, f"/widget/v1/bootstrap?key={self.case}&url={page}")
        if r.status != 200:
            raise RuntimeError(f"bootstrap answered {r.status}")
        return bool(r.json()["show"])

    def say(self, port, text, conversation=None):
        """Sends a message; answers (public conversation id, seq)."""
        body = {"text": text}
        if conversation:
            body["conversation"] = conversation
        r = self.post_json(port, f"{self.base}/messages", body, {"X-Chatgate-Visitor": self.id})
        if r.status != 200:
            raise RuntimeError(f"visitor message answered {r.status}: {r.text()}")
        j = r.json()
        return j["conversation"], j["seq"]

    def events(self, port, conversation=None, last=None):
        q = f"?conversation={conversation}" if conversation else ""
        return self.stream(port, f"{self.base}/events{q}", last, {"X-Chatgate-Visitor": self.id})

    def upload(self, port, conversation, name, data):
        boundary = "clusterbench" + secrets.token_hex(8)
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n"
        ).encode()
        body = head + data + f"\r\n--{boundary}--\r\n".encode()
        h = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Chatgate-Visitor": self.id,
        }
        path = f"{self.base}/files?conversation={conversation}"
        return self.request("POST", port, path, body=body, headers=h)

    def download(self, port, conversation, file_id):
        path = f"{self.base}/conversations/{conversation}/files/{file_id}"
        return self.get(port, path, {"X-Chatgate-Visitor": self.id})


class Stream:
    """An event stream read on its own thread: `next` and `until` hand out
    (arrival time, event id, data) with `END` when the stream ended."""

    def __init__(self, port, path, headers, timeout=120):
        self.q = queue.Queue()
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            self.conn.request("GET", path, headers=headers)
            r = self.conn.getresponse()
        except (http.client.HTTPException, OSError) as e:
            self.status, self.body = 0, str(e).encode()
            self.q.put((now(), None, END))
            return
        self.status = r.status
        if r.status != 200:
            self.body = r.read()
            self.q.put((now(), None, END))
            return
        self.resp = r
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        ident, data = None, []
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    break
                line = line.rstrip(b"\r\n").decode("utf-8", "replace")
                if line:
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "id":
                        ident = int(value)
                    elif field == "data":
                        data.append(value)
                    continue
                if data:
                    self.q.put((now(), ident, json.loads("\n".join(data))))
                ident, data = None, []
        except Exception:  # noqa: BLE001 - a dropped connection (http.client
            # may fail with AttributeError then) is the end of the stream
            pass
        self.q.put((now(), None, END))

    def next(self, timeout):
        try:
            return self.q.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def until(self, pred, timeout):
        """The first frame whose data satisfies `pred` (END always does),
        or None when none came within `timeout` seconds."""
        deadline = now() + timeout
        while True:
            item = self.next(deadline - now())
            if item is None:
                return None
            if item[2] is END or pred(item[2]):
                return item

    def close(self):
        try:
            if self.conn.sock:
                self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


def is_seq(seq):
    return lambda d: d.get("type") == "event" and d.get("seq") == seq


def has_text(text):
    return lambda d: d.get("type") == "event" and (d.get("body") or {}).get("text") == text


def png(seed, side=192):
    """A valid PNG of random pixels (about 110 KB for 192 px)."""
    rnd = random.Random(seed)
    raw = b"".join(b"\x00" + rnd.randbytes(side * 3) for _ in range(side))

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
