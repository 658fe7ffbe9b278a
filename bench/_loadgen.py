"""The load client shared by bench/heartbeat.py and bench/soak.py (not a benchmark itself: `make bench` skips
files starting with ``_``). It runs in its own process, started by the benchmark:

    python bench/_loadgen.py PLAN.json      → prints one JSON object (the results) on stdout
    python bench/_loadgen.py --stub PORT    → a trivial HTTP/1.1 server, to measure the client's own ceiling

Pure asyncio on raw loopback sockets, with requests pre-encoded and HTTP/1.1 keep-alive, so that one Python process
can drive several times what the server under test can answer (the benchmark measures that ceiling and reports the
client's CPU time per request). Nothing here imports Django: the client knows the server only through HTTP.

Each simulated learner signs in once through the real sign-in form (GET the form for the CSRF cookie and token,
POST the credentials, keep the session and rotated CSRF cookies) and then sends heartbeats as the player does
(``POST /api/progress/`` with ``X-CSRFToken``), one stream per (learner, item): a new session id, ``seq`` 0 with
nothing watched as playback starts, then the media watched since the previous heartbeat. Each stream respects the
API's rules so that what is measured is the API, not its refusals:

* the 429 limit (3 heartbeats per learner and item in each fixed 15 s window): a stream never sends sooner than
  ``min_gap`` (≥ 5 s) after its previous answer, so no window can hold a fourth heartbeat;
* plausibility (newly watched ≤ 2 × wall-clock since the previous accepted heartbeat + 3 s): a stream adds at most
  ``speed × interval`` seconds, with speed ≤ 1.5;
* ranges end on whole or half seconds and touch exactly when playback is continuous; a skip leaves a gap of 30 s,
  but a stream that starts again after the end can fill all but half a second of such a gap. The client's own
  union (computed here, independently of ``lms.intervals``) therefore applies the API's documented rule that a gap
  of at most 0.5 s counts as watched, and must agree with the server to the hundredth of a second.

A range the server did not accept is sent again with the next heartbeat, as the player does.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import random
import re
import resource
import sys
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

PHASE_KINDS = ("bare", "heartbeat")


# -- HTTP/1.1 over one keep-alive connection ------------------------------------------------------------------


class Connection:
    """One HTTP/1.1 connection to ``host:port``; reconnects when the server closes it."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connects = 0

    async def request(self, raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        for attempt in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                self.connects += 1
            try:
                self.writer.write(raw)
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:  # a fresh connection failed too: that is an error, not a closed keep-alive
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, list[tuple[str, str]], bytes]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = []
        length, chunked, close = None, False, False
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers.append((name, value))
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                close = True
        if chunked:
            body = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    while await self.reader.readuntil(b"\r\n") != b"\r\n":  # trailers, if any
                        pass
                    break
                body += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
            body = bytes(body)
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body = await self.reader.read()
            close = True
        if close:
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def encode_request(method: str, path: str, *, host: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def cookies_from(headers: list[tuple[str, str]]) -> dict[str, str]:
    jar = {}
    for name, value in headers:
        if name == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, content = pair.partition("=")
            jar[key.strip()] = content.strip().strip('"')
    return jar


# -- signing in -----------------------------------------------------------------------------------------------


@dataclass
class Learner:
    username: str
    cookie: str = ""
    csrf: str = ""


_FORM_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


async def sign_in(connection: Connection, learner: Learner, *, password: str, host: str, proxy: dict) -> None:
    """The real sign-in form: GET it (CSRF cookie + token), POST the credentials, keep the session cookie."""
    status, headers, body = await connection.request(
        encode_request("GET", "/accounts/login/", host=host, headers=proxy)
    )
    if status != 200:
        raise RuntimeError(f"GET /accounts/login/ answered {status}")
    jar = cookies_from(headers)
    token = _FORM_TOKEN.search(body)
    if token is None or "csrftoken" not in jar:
        raise RuntimeError("the sign-in form has no CSRF token")
    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": learner.username, "password": password}
    ).encode()
    status, headers, _ = await connection.request(
        encode_request(
            "POST",
            "/accounts/login/",
            host=host,
            headers={
                **proxy,
                "Cookie": f"csrftoken={jar['csrftoken']}",
                "Referer": f"https://{host}/accounts/login/",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            body=form,
        )
    )
    jar.update(cookies_from(headers))
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"signing in {learner.username} answered {status} without a session")
    learner.cookie = f"csrftoken={jar['csrftoken']}; sessionid={jar['sessionid']}"
    learner.csrf = jar["csrftoken"]


# -- one learner watching one item ------------------------------------------------------------------------------


#: The progress API counts a gap of at most this many seconds between two watched ranges as watched (the player's
#: sampling; see lms/intervals.py, MERGE_GAP_SECONDS). Restated here so that the client's arithmetic stays its own.
BRIDGED_GAP_SECONDS = 0.5


def union_seconds(ranges: list[tuple[float, float]]) -> float:
    """Seconds covered by ``ranges`` (the client's own arithmetic): touching or overlapping ranges join, and so do
    ranges at most ``BRIDGED_GAP_SECONDS`` apart, the gap counting as watched; longer gaps stay gaps."""
    total, current_start, current_end = 0.0, None, None
    for start, end in sorted(ranges):
        if current_end is None or start - current_end > BRIDGED_GAP_SECONDS:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


@dataclass
class Stream:
    """Heartbeats of one learner on one item, as a player sends them."""

    learner: Learner
    item: int
    duration: float
    speed: float = 1.0
    skip_every: int = 0  # skip 30 s ahead every n-th heartbeat (0: never)
    session: str = field(default_factory=lambda: str(uuid.uuid4()))
    seq: int = 0
    position: float = 0.0
    pending: list[tuple[float, float]] = field(default_factory=list)  # watched, not yet accepted
    accepted: list[tuple[float, float]] = field(default_factory=list)
    next_at: float = 0.0
    last_answer: float = 0.0
    sent: int = 0
    errors: int = 0

    def advance(self, media_seconds: float) -> None:
        """Play ``media_seconds`` from the current position (or skip first, now and then); wrap at the end."""
        if self.seq > 0 and self.skip_every and self.seq % self.skip_every == 0:
            self.position += 30.0
        if self.position >= self.duration:
            self.position = 0.0  # watched to the end: start again (rewatching adds nothing)
        end = min(self.duration, self.position + media_seconds)
        if end > self.position:
            self.pending.append((self.position, end))
        self.position = end

    def body(self) -> bytes:
        return json.dumps(
            {
                "item": self.item,
                "session": self.session,
                "seq": self.seq,
                "ranges": [list(pair) for pair in self.pending],
                "position": self.position,
                "duration": self.duration,
            },
            separators=(",", ":"),
        ).encode()

    def answered(self, status: int, now: float) -> None:
        self.sent += 1
        self.last_answer = now
        if status == 200:
            self.accepted += self.pending
            self.pending = []
        else:
            self.errors += 1
        self.seq += 1

    @property
    def watched_seconds(self) -> float:
        return union_seconds(self.accepted)


# -- measuring --------------------------------------------------------------------------------------------------


class Recorder:
    """Latencies and statuses of one phase, and 10-second buckets for a timeline."""

    def __init__(self, name: str, bucket_seconds: float = 10.0):
        self.name = name
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.failures: list[str] = []
        self.started = time.perf_counter()
        self.started_epoch = time.time()
        self.cpu_started = _cpu()
        self.ended = self.started
        self.bucket_seconds = bucket_seconds
        self.buckets: dict[int, list[float]] = {}
        self.waiting = 0.0  # closed loop: time workers waited for a stream allowed to send

    def add(self, started: float, ended: float, status: int) -> None:
        latency = ended - started
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.buckets.setdefault(int((ended - self.started) // self.bucket_seconds), []).append(latency)

    def fail(self, message: str) -> None:
        self.failures.append(message)
        self.statuses[0] = self.statuses.get(0, 0) + 1

    def close(self) -> None:
        self.ended = time.perf_counter()
        self.ended_epoch = time.time()
        self.cpu = _cpu() - self.cpu_started

    def summary(self) -> dict:
        elapsed = self.ended - self.started
        count = len(self.latencies)
        ok = self.statuses.get(200, 0)
        ordered = sorted(self.latencies)
        return {
            "phase": self.name,
            "started_at": self.started_epoch,
            "ended_at": self.ended_epoch,
            "seconds": round(elapsed, 3),
            "requests": count + len(self.failures),
            "ok": ok,
            "errors": count + len(self.failures) - ok,
            "statuses": {str(code): number for code, number in sorted(self.statuses.items())},
            "failures": self.failures[:5],
            "throughput_rps": round(ok / elapsed, 1) if elapsed else 0.0,
            "latency_ms": _percentiles(ordered),
            "client_cpu_s": round(self.cpu, 3),
            "client_cpu_ms_per_request": round(1000 * self.cpu / max(1, count), 4),
            "client_waited_for_a_stream_s": round(self.waiting, 3),
            "timeline": [
                {
                    "from_s": index * self.bucket_seconds,
                    "requests": len(values),
                    "rps": round(len(values) / self.bucket_seconds, 1),
                    "p99_ms": _percentiles(sorted(values))["p99"],
                }
                for index, values in sorted(self.buckets.items())
            ],
        }


def _percentiles(ordered: list[float]) -> dict:
    if not ordered:
        return {"p50": None, "p90": None, "p99": None, "max": None}

    def at(fraction: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 2)

    return {"p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "max": round(1000 * ordered[-1], 2)}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the run ------------------------------------------------------------------------------------------------------


class Client:
    def __init__(self, plan: dict):
        self.plan = plan
        self.host_port = f"{plan['host']}:{plan['port']}"
        self.proxy = {"X-Forwarded-Proto": "https"} if plan.get("https_proxy_header", True) else {}
        self.learners = [Learner(username) for username in plan["learners"]]
        self.connections = [Connection(plan["host"], plan["port"]) for _ in range(plan["connections"])]
        self.pool: asyncio.Queue[Connection] = asyncio.Queue()
        for connection in self.connections:
            self.pool.put_nowait(connection)
        rng = random.Random(plan.get("seed", 1))
        self.streams: list[Stream] = []
        for learner in self.learners:
            for item in plan["items"]:
                self.streams.append(
                    Stream(
                        learner,
                        item,
                        float(plan["duration"]),
                        speed=rng.choice(plan.get("speeds", [1.0])),
                        skip_every=rng.choice(plan.get("skip_every", [0])),
                    )
                )
        primed = plan.get("primed")
        if primed:  # the benchmark wrote these streams' sessions and progress: go on from there
            for stream in self.streams:
                stream.session = primed["sessions"][f"{stream.learner.username}:{stream.item}"]
                stream.seq, stream.position = primed["seq"], float(primed["position"])
                stream.accepted = [tuple(pair) for pair in primed["accepted"]]
        rng.shuffle(self.streams)
        self.rng = rng

    def heartbeat_request(self, stream: Stream, path: str = "/api/progress/") -> bytes:
        """The stream's next heartbeat as the player posts it (to ``path``: the bare view gets the same request)."""
        learner = stream.learner
        return encode_request(
            "POST",
            path,
            host=self.host_port,
            headers={
                **self.proxy,
                "Cookie": learner.cookie,
                "X-CSRFToken": learner.csrf,
                "Referer": f"https://{self.host_port}/learning/{quote(str(stream.item))}/",
                "Content-Type": "application/json",
            },
            body=stream.body(),
        )

    async def sign_in_all(self) -> dict:
        started = time.perf_counter()
        queue = list(self.learners)

        async def work(connection: Connection):
            while queue:
                learner = queue.pop()
                await sign_in(
                    connection, learner, password=self.plan["password"], host=self.host_port, proxy=self.proxy
                )

        await asyncio.gather(
            *(work(connection) for connection in self.connections[: self.plan.get("sign_in_concurrency", 4)])
        )
        return {"learners": len(self.learners), "seconds": round(time.perf_counter() - started, 2)}

    async def send(self, raw: bytes, recorder: Recorder, *, deadline: float | None = None) -> int | None:
        """Send ``raw`` on a free connection and record the answer; ``None`` (not sent) if ``deadline`` passed
        while waiting for a connection, so that a run ends on time however far behind the server is."""
        connection = await self.pool.get()
        if deadline is not None and time.perf_counter() >= deadline:
            self.pool.put_nowait(connection)
            return None
        started = time.perf_counter()
        try:
            status, _, body = await connection.request(raw)
        except Exception as error:  # any failure is an error of this request: recorded, never raised
            recorder.fail(f"{type(error).__name__}: {error}")
            connection.close()
            status = 0
        else:
            recorder.add(started, time.perf_counter(), status)
            if status != 200 and len(recorder.failures) < 5:
                recorder.failures.append(f"{status}: {body[:200].decode('utf-8', 'replace')}")
        finally:
            self.pool.put_nowait(connection)
        return status

    async def closed_loop(self, kind: str, seconds: float) -> dict:
        """``connections`` workers each send back-to-back for ``seconds``. Heartbeats go to the stream whose turn
        has come (a heap by ``next_at``); a worker that finds none ready waits, and that wait is reported."""
        recorder = Recorder(kind)
        deadline = time.perf_counter() + seconds
        heap = [(stream.next_at, index) for index, stream in enumerate(self.streams)]
        heapq.heapify(heap)
        min_gap = float(self.plan.get("min_gap", 6.0))
        media = float(self.plan.get("media_per_heartbeat", 5.0))
        cursor = [self.rng.randrange(len(self.streams))]

        async def worker():
            while time.perf_counter() < deadline:
                if kind == "bare":
                    cursor[0] = (cursor[0] + 1) % len(self.streams)
                    await self.send(self.heartbeat_request(self.streams[cursor[0]], "/bench/bare/"), recorder)
                    continue
                ready_at, index = heapq.heappop(heap)
                now = time.perf_counter()
                if ready_at > now:
                    wait = min(ready_at, deadline) - now
                    recorder.waiting += wait
                    await asyncio.sleep(wait)
                    if time.perf_counter() >= deadline:
                        heapq.heappush(heap, (ready_at, index))
                        return
                stream = self.streams[index]
                if stream.seq > 0:
                    stream.advance(media * stream.speed)
                status = await self.send(self.heartbeat_request(stream), recorder)
                stream.answered(status, time.perf_counter())
                stream.next_at = stream.last_answer + min_gap
                heapq.heappush(heap, (stream.next_at, index))

        await asyncio.gather(*(worker() for _ in self.connections))
        recorder.close()
        return recorder.summary()

    async def open_loop(self, seconds: float) -> dict:
        """Every stream sends a heartbeat each ``interval`` seconds (its start staggered over the first interval),
        through the pool of ``connections``: the offered rate is streams / interval, whatever the latency."""
        recorder = Recorder("heartbeat")
        interval = float(self.plan["interval"])
        min_gap = float(self.plan.get("min_gap", 5.5))
        start = time.perf_counter()
        deadline = start + seconds
        offsets = [interval * index / len(self.streams) for index in range(len(self.streams))]

        async def play(stream: Stream, offset: float):
            scheduled = start + offset
            while True:
                # Never sleep past the end: a stream whose next heartbeat falls after it stops there, so the phase
                # lasts its ``seconds`` (and the answers still in flight), not up to an interval more, which would
                # understate the rate (a 600 s soak used to measure over 610 s).
                await asyncio.sleep(max(0.0, min(scheduled, deadline) - time.perf_counter()))
                if time.perf_counter() >= deadline:
                    return
                if stream.seq > 0:
                    # What a player at this speed has played since the previous answer (whole half-seconds): never
                    # more than the server's wall clock allows, however late this heartbeat is.
                    played = stream.speed * (time.perf_counter() - stream.last_answer)
                    stream.advance(min(interval * stream.speed, int(2 * played) / 2))
                status = await self.send(self.heartbeat_request(stream), recorder, deadline=deadline)
                if status is None:
                    return  # the run ended while this heartbeat waited for a connection: it was not sent
                stream.answered(status, time.perf_counter())
                scheduled = max(scheduled + interval, stream.last_answer + min_gap)

        await asyncio.gather(*(play(stream, offset) for stream, offset in zip(self.streams, offsets, strict=True)))
        recorder.close()
        return recorder.summary()

    async def run(self) -> dict:
        result = {"sign_in": await self.sign_in_all() if self.plan.get("sign_in", True) else None, "phases": []}
        for phase in self.plan["phases"]:
            if phase["mode"] == "closed":
                summary = await self.closed_loop(phase["kind"], float(phase["seconds"]))
            else:
                summary = await self.open_loop(float(phase["seconds"]))
            summary["label"] = phase.get("label", phase["kind"])
            result["phases"].append(summary)
            print(
                f"[loadgen] {summary['label']}: {summary['throughput_rps']} req/s, "
                f"p99 {summary['latency_ms']['p99']} ms, errors {summary['errors']}",
                file=sys.stderr,
                flush=True,
            )
        for connection in self.connections:
            connection.close()
        result["connections_opened"] = sum(connection.connects for connection in self.connections)
        if self.plan.get("report_streams"):
            result["streams"] = [
                {
                    "username": stream.learner.username,
                    "item": stream.item,
                    "watched_seconds": round(stream.watched_seconds, 2),
                    "heartbeats": stream.sent,
                    "errors": stream.errors,
                    "unsent_ranges": len(stream.pending),
                }
                for stream in self.streams
            ]
        return result


# -- a trivial server, for the client's own ceiling --------------------------------------------------------------

_STUB_BODY = b'{"watched_seconds":0.0,"percent":0,"completed":false,"resume_at":0.0}'
_STUB_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(_STUB_BODY)).encode()
    + b"\r\n\r\n"
    + _STUB_BODY
)


async def _stub_handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            match = re.search(rb"(?i)content-length:\s*(\d+)", head)
            if match:
                await reader.readexactly(int(match.group(1)))
            writer.write(_STUB_RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _stub_serve(port: int) -> None:
    server = await asyncio.start_server(_stub_handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[1] == "--stub":
        asyncio.run(_stub_serve(int(argv[2])))
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        plan = json.load(handle)
    result = asyncio.run(Client(plan).run())
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
