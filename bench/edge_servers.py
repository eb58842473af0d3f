"""Candidate web servers under hostile clients: which one holds the line by itself.

    python bench/edge_servers.py [--servers granian,hypercorn,uvicorn-h11,uvicorn-httptools]
                                 [--probes bomb,heads,slowloris,stalled,idle,burst,sigterm]
                                 [--slowloris 300] [--stalled 32] [--burst 100] [--bomb-mib 64]
                                 [--granian-backpressure 256]

Serves one tiny Starlette app under each candidate server, each in a fresh process of its own on
a free 127.0.0.1 port (this script re-runs itself with `--serve NAME`). The app has `GET
/healthz` and `POST /slack/events`, whose body a small ASGI middleware reads first, as the real
app will: at most 1 MiB (413) within 10 s (408). Every candidate gets its own limits at their
best:

- granian: embedded (`granian.server.embed.Server`) in our own asyncio loop, ASGI, HTTP/1 only,
  header read timeout 10 s, `max_buffer_size` 32 KiB, backpressure 256.
- hypercorn: `h11_max_incomplete_size` 32 KiB, `keep_alive_timeout` 5 s, `read_timeout` 10 s.
- uvicorn-h11: `h11_max_incomplete_event_size` 32 KiB, `timeout_keep_alive` 5 s,
  `limit_concurrency` 256.
- uvicorn-httptools: uvicorn's defaults with httptools (the baseline: no limits of its own).
(docs/performance.md also shows a fifth column, "today": the uvicorn server the app had before,
with its own protocol class; that code is gone, its figures stay there as history.)

The uvicorn candidates run on uvloop (uvicorn's choice when it is installed); granian and
hypercorn on asyncio's own loop, started by `asyncio.run`. uvicorn and hypercorn are not
dependencies of the app: `pip install -e '.[bench]'` brings them.

Probes, each against a fresh server process so that one cannot spoil the next:

- trailer bomb: `GET /healthz` with a chunked body ending at once (`0`), then an endless trailer
  section of 1,000-byte lines, up to `--bomb-mib`. How much the client had sent when the
  connection ended (loopback socket buffers hold up to a few MiB of that, so it is an upper
  bound on what the server read), and how much the server's resident memory (VmRSS in /proc)
  grew meanwhile.
- heads of 40, 65 and 100 KiB in one write, and of 40 KiB in 1 KiB writes: the status code
  ("reset" when the server dropped the connection while the client was still sending).
- slowloris: `--slowloris` connections each sending one more header line per second and never
  finishing; how many the server closed and after how long, and whether `/healthz` was still
  answered meanwhile.
- stalled bodies: `--stalled` POSTs declaring 100,000 bytes that send one and wait; `/healthz`
  latency over 20 requests meanwhile, and what the stalled clients got in the end.
- idle keep-alive: seconds until the server closes a connection left idle after one response.
- burst: `--burst` small POSTs at the same instant over connections opened beforehand, 3
  rounds; latency until the status line.
- SIGTERM with an idle keep-alive connection open: exit status and seconds to exit.
- resident memory at rest, after one request.

A probe that fails prints its failure as its result. Takes about 4 minutes for all five.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from common import ROOT, free_port, percentile, print_start

HOST = "127.0.0.1"
# The same cap and read deadline as the app (bot/web/limits.py).
MAX_BODY_BYTES = 1024 * 1024
BODY_DEADLINE = 10.0
# What the candidates are told: request heads over 32 KiB refused, 10 s to send the head,
# idle keep-alive connections closed after 5 s, at most 256 requests at once.
HEAD_LIMIT = 32 * 1024
HEADER_TIMEOUT = 10
KEEP_ALIVE = 5
CONCURRENCY = 256
# Procfile hosts send SIGKILL this long after SIGTERM.
STOP_GRACE = 30.0

SERVERS = ("granian", "hypercorn", "uvicorn-h11", "uvicorn-httptools")
HEAD_SIZES_KIB = (40, 65, 100)
PIECES_KIB = 40

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


# --- The app, as served by each candidate --------------------------------------------------


class BodyLimit:
    """Reads a POST body before the endpoint runs: at most `max_bytes` (413), all of it within
    `deadline` seconds (408). The server's own limits stop at the head; this is what keeps a
    client that declares a body and then sends nothing from holding a request forever."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and not declared.isdigit():
            await _refuse(send, 400, "Bad Request")
            return
        if declared is not None and int(declared) > MAX_BODY_BYTES:
            await _refuse(send, 413, "Request Entity Too Large")  # before reading a byte
            return
        body = bytearray()
        try:
            async with asyncio.timeout(BODY_DEADLINE):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":
                        return  # the client went away
                    body += message.get("body", b"")
                    if len(body) > MAX_BODY_BYTES:
                        await _refuse(send, 413, "Request Entity Too Large")
                        return
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await _refuse(send, 408, "Request Timeout")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()  # only a disconnect is left to hear

        await self.app(scope, replay, send)


async def _refuse(send: Send, status: int, name: str) -> None:
    body = f'{{"error": "{name}"}}'.encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # The rest of the request may still be on its way: do not read it as the next one.
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def build_app() -> BodyLimit:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def events(request: Request) -> JSONResponse:
        return JSONResponse({"received": len(await request.body())})

    routes = [Route("/healthz", healthz), Route("/slack/events", events, methods=["POST"])]
    return BodyLimit(Starlette(routes=routes))


def serve(name: str, port: int, backpressure: int) -> None:
    """Runs in the server's own process (`--serve NAME`) until SIGTERM."""
    app = build_app()
    if name == "granian":
        serve_granian(app, port, backpressure)
    elif name == "hypercorn":
        serve_hypercorn(app, port)
    else:
        serve_uvicorn(name, app, port)


def serve_granian(app: BodyLimit, port: int, backpressure: int) -> None:
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server.embed import Server

    server = Server(
        app,
        address=HOST,
        port=port,
        interface=Interfaces.ASGI,
        http=HTTPModes.http1,
        websockets=False,
        backpressure=backpressure,
        http1_settings=HTTP1Settings(
            header_read_timeout=HEADER_TIMEOUT * 1000, max_buffer_size=HEAD_LIMIT
        ),
        log_level=LogLevels.warning,
    )

    async def main() -> None:
        # Embedded, granian leaves signals to the loop's owner: that is us.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, server.stop)
        await server.serve()

    asyncio.run(main())


def serve_hypercorn(app: BodyLimit, port: int) -> None:
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"{HOST}:{port}"]
    config.h11_max_incomplete_size = HEAD_LIMIT
    config.keep_alive_timeout = KEEP_ALIVE
    config.read_timeout = HEADER_TIMEOUT
    config.graceful_timeout = 5
    config.accesslog = None
    config.loglevel = "WARNING"

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await hypercorn_serve(app, config, shutdown_trigger=stop.wait, mode="asgi")  # type: ignore[arg-type]

    asyncio.run(main())


def serve_uvicorn(name: str, app: BodyLimit, port: int) -> None:
    import uvicorn

    options: dict[str, Any] = {}
    if name == "uvicorn-h11":
        options = {
            "http": "h11",
            "h11_max_incomplete_event_size": HEAD_LIMIT,
            "timeout_keep_alive": KEEP_ALIVE,
            "limit_concurrency": CONCURRENCY,
            "timeout_graceful_shutdown": 5,
        }
    elif name == "uvicorn-httptools":
        options = {"http": "httptools"}
    else:
        raise SystemExit(f"unknown server {name!r}")
    config = uvicorn.Config(
        app,
        host=HOST,
        port=port,
        ws="none",
        lifespan="on",
        access_log=False,
        log_level="warning",
        **options,
    )
    # uvicorn raises the stop signal again once it has stopped; a handler that ignores it makes
    # a graceful stop exit with status 0 for every uvicorn candidate.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    uvicorn.Server(config).run()


# --- The server process, seen from the prober ----------------------------------------------


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class ServerProcess:
    def __init__(self, name: str, log_dir: Path, label: str, args: argparse.Namespace) -> None:
        self.name = name
        self.port = free_port()
        self.log_path = log_dir / f"{name}-{label}.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [
                    *(sys.executable, __file__, "--serve", name, "--port", str(self.port)),
                    *("--granian-backpressure", str(args.granian_backpressure)),
                ],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid = self.proc.pid

    async def ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            status, _ = await get(self.port, "/healthz", timeout=1)
            if status == "200":
                return
            await asyncio.sleep(0.1)
        tail = self.log_path.read_text(errors="replace")[-600:]
        raise RuntimeError(f"{self.name} did not start: {tail}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- Raw HTTP/1.1, so that the client can misbehave ----------------------------------------

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def connect(port: int, timeout: float = 5.0) -> Connection:
    return await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)


def close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.transport.abort()  # no lingering: the probes open hundreds


async def read_status(reader: asyncio.StreamReader, timeout: float) -> str:
    """The status code of the response, or what happened instead."""
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
    except TimeoutError:
        return "timeout"
    except ConnectionError:
        return "reset"
    if not line:
        return "closed"
    parts = line.split()
    return parts[1].decode() if len(parts) > 1 else "garbled"


async def read_response(reader: asyncio.StreamReader, timeout: float) -> str:
    """Reads one whole response (this app's always carry Content-Length); its status code."""
    status = await read_status(reader, timeout)
    if not status.isdigit():
        return status
    length = 0
    while True:
        line = await asyncio.wait_for(reader.readline(), timeout)
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await asyncio.wait_for(reader.readexactly(length), timeout)
    return status


async def get(port: int, path: str, timeout: float) -> tuple[str, float]:
    """One GET on a new connection: its status (or failure) and seconds to the status line."""
    started = time.perf_counter()
    try:
        reader, writer = await connect(port, timeout)
    except (OSError, TimeoutError) as exc:
        return f"connect {type(exc).__name__}", time.perf_counter() - started
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
        status = await read_status(reader, timeout)
        return status, time.perf_counter() - started
    finally:
        close(writer)


def summarize_statuses(statuses: list[str]) -> str:
    return ", ".join(f"{status} x{count}" for status, count in Counter(statuses).most_common())


def mib(count: float) -> str:
    return f"{count / 1024:.0f} KiB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.1f} MiB"


# --- Probes ----------------------------------------------------------------------------------


async def probe_trailer_bomb(server: ServerProcess, args: argparse.Namespace) -> dict[str, str]:
    reader, writer = await connect(server.port)
    before = rss_mib(server.pid)
    peak = before
    received = bytearray()

    async def until_closed() -> None:
        try:
            while data := await reader.read(65536):
                received.extend(data)
        except ConnectionError:
            pass

    closed = asyncio.create_task(until_closed())
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n")
    line = b"X-T1: " + b"a" * 1000 + b"\r\n"
    block = line * 64
    cap = args.bomb_mib * 1024 * 1024
    deadline = time.monotonic() + args.bomb_seconds
    written = 0
    outcome = ""
    while not outcome:
        if closed.done():
            outcome = "closed"
        elif written >= cap:
            outcome = f"still open at the {args.bomb_mib} MiB cap"
        elif time.monotonic() > deadline:
            outcome = f"still open after {args.bomb_seconds:g} s"
        else:
            try:
                writer.write(block)
                written += len(block)
                await asyncio.wait_for(writer.drain(), 5)
            except TimeoutError:
                outcome = "stopped reading, left open"
            except ConnectionError:
                outcome = "reset"
            peak = max(peak, rss_mib(server.pid))
    # Whatever the kernel still held when the connection ended never reached the server.
    accepted = written - writer.transport.get_write_buffer_size()
    # The server may still be working through what it had read.
    for _ in range(5):
        await asyncio.sleep(0.1)
        peak = max(peak, rss_mib(server.pid))
    close(writer)
    closed.cancel()
    first = received.split(b"\r\n", 1)[0].decode(errors="replace")
    answer = first.split()[1] if len(first.split()) > 1 else "none"
    return {
        "trailer bomb": (
            f"{outcome} after {mib(accepted)} sent (answer {answer}); RSS +{peak - before:.1f} MiB"
        )
    }


def big_head(kib: int) -> bytes:
    start = b"GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Filler: "
    return start + b"a" * (kib * 1024 - len(start) - 4) + b"\r\n\r\n"


async def probe_heads(server: ServerProcess, args: argparse.Namespace) -> dict[str, str]:
    results = {}
    for kib in HEAD_SIZES_KIB:
        reader, writer = await connect(server.port)
        try:
            writer.write(big_head(kib))  # one write: the server may read it all at once
            results[f"head of {kib} KiB in one write"] = await read_status(reader, 5)
        finally:
            close(writer)
    # The same limit met by a head arriving bit by bit, as the server reads it.
    head = big_head(PIECES_KIB)
    reader, writer = await connect(server.port)
    try:
        for offset in range(0, len(head), 1024):
            writer.write(head[offset : offset + 1024])
            await writer.drain()
            await asyncio.sleep(0.002)
    except ConnectionError:
        pass  # refused while we were still sending: the answer, if any, follows
    finally:
        results[f"head of {PIECES_KIB} KiB in 1 KiB writes"] = await read_status(reader, 5)
        close(writer)
    return results


async def probe_slowloris(server: ServerProcess, args: argparse.Namespace) -> dict[str, str]:
    count, seconds = args.slowloris, args.slowloris_seconds
    started = time.monotonic()
    closed_after: list[float] = []
    failed_connects: list[str] = []

    async def slow_client() -> None:
        try:
            reader, writer = await connect(server.port)
        except (OSError, TimeoutError) as exc:
            failed_connects.append(type(exc).__name__)
            return
        opened = time.monotonic()
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n")
        lines = 0
        try:
            while time.monotonic() - started < seconds:
                try:
                    data = await asyncio.wait_for(reader.read(4096), 1.0)
                except TimeoutError:
                    lines += 1
                    writer.write(b"X-Slow-%d: %d\r\n" % (lines, lines))
                    continue
                except ConnectionError:
                    data = b""
                if not data:  # an answer (a 408, say) comes first; the close is what counts
                    closed_after.append(time.monotonic() - opened)
                    return
        finally:
            close(writer)

    async def watch_healthz() -> list[tuple[str, float]]:
        seen = []
        await asyncio.sleep(2)
        while time.monotonic() - started < seconds - 1:
            seen.append(await get(server.port, "/healthz", timeout=3))
            await asyncio.sleep(1.5)
        return seen

    clients = [asyncio.create_task(slow_client()) for _ in range(count)]
    seen = await watch_healthz()
    await asyncio.gather(*clients)
    if closed_after:
        closes = (
            f"closed {len(closed_after)}/{count} after "
            f"{min(closed_after):.1f}-{max(closed_after):.1f} s"
        )
    else:
        closes = f"closed 0/{count} in {seconds:g} s"
    if failed_connects:
        closes += f" ({len(failed_connects)} could not connect)"
    latencies = [elapsed * 1000 for status, elapsed in seen if status == "200"]
    healthz = f"/healthz meanwhile: {summarize_statuses([status for status, _ in seen])}"
    if latencies:
        healthz += f", max {max(latencies):.0f} ms"
    return {f"slowloris, {count} connections": f"{closes}; {healthz}"}


async def probe_stalled(server: ServerProcess, args: argparse.Namespace) -> dict[str, str]:
    started = time.monotonic()
    head = b"POST /slack/events HTTP/1.1\r\nHost: bench\r\nContent-Length: 100000\r\n\r\nx"
    connections = []
    for _ in range(args.stalled):
        reader, writer = await connect(server.port)
        writer.write(head)
        connections.append((reader, writer))

    async def stalled_answer(reader: asyncio.StreamReader) -> tuple[str, float]:
        status = await read_status(reader, BODY_DEADLINE + 3)
        return status, time.monotonic() - started

    answers = [asyncio.create_task(stalled_answer(reader)) for reader, _ in connections]
    await asyncio.sleep(0.5)
    seen = []
    for _ in range(20):
        seen.append(await get(server.port, "/healthz", timeout=5))
        await asyncio.sleep(0.1)
    ends = await asyncio.gather(*answers)
    for _, writer in connections:
        close(writer)
    latencies = [elapsed * 1000 for status, elapsed in seen if status == "200"]
    healthz = summarize_statuses([status for status, _ in seen])
    if latencies:
        healthz += f"; p50 {percentile(latencies, 50):.1f} ms, max {max(latencies):.1f} ms"
    times = [elapsed for _, elapsed in ends]
    stalled = (
        f"{summarize_statuses([status for status, _ in ends])} "
        f"after {min(times):.1f}-{max(times):.1f} s"
    )
    return {
        f"/healthz during {args.stalled} stalled bodies": healthz,
        f"the {args.stalled} stalled bodies got": stalled,
    }


async def probe_idle(server: ServerProcess, args: argparse.Namespace) -> dict[str, str]:
    reader, writer = await connect(server.port)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
        status = await read_response(reader, 5)
        if status != "200":
            return {"idle keep-alive closed after": f"answer {status}"}
        idle_since = time.monotonic()
        try:
            data = await asyncio.wait_for(reader.read(), args.idle_seconds)
        except TimeoutError:
            return {"idle keep-alive closed after": f"still open after {args.idle_seconds:g} s"}
        except ConnectionError:
            data = b""
        extra = f" (sent {len(data)} bytes first)" if data else ""
        return {"idle keep-alive closed after": f"{time.monotonic() - idle_since:.1f} s{extra}"}
    finally:
        close(writer)


async def probe_burst(server: ServerProcess, args: argparse.Namespace) -> dict[str, str]:
    body = "token=bench&team_id=T1&command=%2Frecord&text=https%3A%2F%2Fzoom.us%2Fj%2F1" * 4
    request = (
        f"POST /slack/events HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        f"\r\n{body}"
    ).encode()
    results: list[tuple[str, float]] = []

    async def one(connection: Connection) -> tuple[str, float]:
        reader, writer = connection
        started = time.perf_counter()
        writer.write(request)
        status = await read_status(reader, 10)
        elapsed = time.perf_counter() - started
        close(writer)
        return status, elapsed

    for _ in range(3):
        connections = [await connect(server.port) for _ in range(args.burst)]
        results += await asyncio.gather(*(one(connection) for connection in connections))
        await asyncio.sleep(0.5)
    latencies = [elapsed * 1000 for _, elapsed in results]
    bad = [status for status, _ in results if status != "200"]
    return {
        f"burst of {args.burst} POSTs, 3 rounds": (
            f"p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms"
            + (f"; not 200: {summarize_statuses(bad)}" if bad else "")
        )
    }


async def probe_rest_and_sigterm(server: ServerProcess, args: argparse.Namespace) -> dict[str, str]:
    await asyncio.sleep(0.5)
    at_rest = f"{rss_mib(server.pid):.1f} MiB"
    reader, writer = await connect(server.port)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
        await read_response(reader, 5)
        server.proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        while server.proc.poll() is None and time.monotonic() - sent < STOP_GRACE:
            await asyncio.sleep(0.01)
        took = time.monotonic() - sent
    finally:
        close(writer)
    code = server.proc.poll()
    if code is None:
        server.proc.kill()
        server.proc.wait()
        stop = f"still running after {STOP_GRACE:g} s (killed)"
    else:
        stop = f"exit {code} after {took:.2f} s"
    return {"SIGTERM, idle connection open": stop, "RSS at rest": at_rest}


Probe = Callable[[ServerProcess, argparse.Namespace], Awaitable[dict[str, str]]]


def probes(args: argparse.Namespace) -> list[tuple[str, Probe, list[str], float]]:
    """(name, probe, the rows it fills, seconds it may take at most)."""
    return [
        ("bomb", probe_trailer_bomb, ["trailer bomb"], args.bomb_seconds + 20),
        (
            "heads",
            probe_heads,
            [f"head of {k} KiB in one write" for k in HEAD_SIZES_KIB]
            + [f"head of {PIECES_KIB} KiB in 1 KiB writes"],
            30,
        ),
        (
            "slowloris",
            probe_slowloris,
            [f"slowloris, {args.slowloris} connections"],
            args.slowloris_seconds + 30,
        ),
        (
            "stalled",
            probe_stalled,
            [
                f"/healthz during {args.stalled} stalled bodies",
                f"the {args.stalled} stalled bodies got",
            ],
            60,
        ),
        ("idle", probe_idle, ["idle keep-alive closed after"], args.idle_seconds + 15),
        ("burst", probe_burst, [f"burst of {args.burst} POSTs, 3 rounds"], 60),
        (
            "sigterm",
            probe_rest_and_sigterm,
            ["SIGTERM, idle connection open", "RSS at rest"],
            STOP_GRACE + 15,
        ),
    ]


async def run_probe(
    name: str,
    label: str,
    probe: Probe,
    rows: list[str],
    limit: float,
    log_dir: Path,
    args: argparse.Namespace,
) -> dict[str, str]:
    server = ServerProcess(name, log_dir, label, args)
    try:
        async with asyncio.timeout(limit):
            await server.ready()
            return await probe(server, args)
    except TimeoutError:
        return dict.fromkeys(rows, "timeout (probe)")
    except Exception as exc:
        return dict.fromkeys(rows, f"failed: {type(exc).__name__}: {exc}"[:160])
    finally:
        await asyncio.to_thread(server.stop)


def raise_file_limit(wanted: int) -> None:
    """Each slowloris connection is a file on both ends; server processes inherit the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < wanted:
        print(f"warning: open files limited to {target}; slowloris needs about {wanted}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--slowloris", type=int, default=300)
    parser.add_argument("--slowloris-seconds", type=float, default=15)
    parser.add_argument("--stalled", type=int, default=32)
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--bomb-mib", type=int, default=64)
    parser.add_argument("--bomb-seconds", type=float, default=15)
    parser.add_argument("--idle-seconds", type=float, default=15)
    parser.add_argument("--probes", default="all", help="e.g. slowloris,burst (default: all)")
    parser.add_argument("--granian-backpressure", type=int, default=CONCURRENCY)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.granian_backpressure)
        return 0

    names = [name.strip() for name in args.servers.split(",") if name.strip()]
    unknown = set(names) - set(SERVERS)
    if unknown:
        parser.error(f"unknown servers: {', '.join(sorted(unknown))}")
    chosen = probes(args)
    if args.probes != "all":
        wanted = {label.strip() for label in args.probes.split(",")}
        if unknown_probes := wanted - {label for label, *_ in chosen}:
            parser.error(f"unknown probes: {', '.join(sorted(unknown_probes))}")
        chosen = [probe for probe in chosen if probe[0] in wanted]
    raise_file_limit(2 * (args.slowloris + args.stalled + args.burst) + 256)
    print_start()
    results: dict[str, dict[str, str]] = {}
    rows: list[str] = []
    started = time.monotonic()
    print("| server | probe | result |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            results[name] = {}
            for label, probe, probe_rows, limit in chosen:
                found = asyncio.run(
                    run_probe(name, label, probe, probe_rows, limit, Path(tmp), args)
                )
                for row in probe_rows:
                    if row not in rows:
                        rows.append(row)
                    results[name][row] = found.get(row, "no result")
                    print(f"| {name} | {row} | {results[name][row]} |", flush=True)
    print(f"\nall probes took {time.monotonic() - started:.0f} s\n")
    print("| probe | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for row in rows:
        print(f"| {row} | " + " | ".join(results[name].get(row, "") for name in names) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
