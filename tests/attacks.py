"""Attacks on the web edge, as raw sockets send them: what an attack run against the real
process tried. Shared by tests/test_edge_attacks.py (each must fail) and bench/edge_attacks.py
(memory while they run)."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

TRAILER_LINE = b"X-T1: " + b"b" * 1000 + b"\r\n"


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def connect(url: str, timeout: float = 5.0) -> socket.socket:
    sock = socket.create_connection(address(url), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def rss_mib(pid: int) -> float:
    """The process's resident memory, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def trailer_bomb(url: str, megabytes: int = 50) -> int:
    """`GET /healthz`, chunked, an empty last chunk, then trailer lines without end. Returns
    the bytes the server took before it stopped reading (closed, or stopped draining)."""
    sock = connect(url, timeout=2.0)
    sent = 0
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n")
        while sent < megabytes * 1024 * 1024:
            sock.sendall(TRAILER_LINE)
            sent += len(TRAILER_LINE)
    except OSError:
        pass  # closed, reset, or the send blocked: the server stopped taking it
    finally:
        sock.close()
    return sent


def head_of(size: int) -> bytes:
    """A request whose one header makes the head about `size` bytes, sent in one write."""
    return b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * size + b"\r\n\r\n"


def status_of(url: str, raw: bytes) -> int | None:
    """Send raw bytes in one write; the status code of the answer (None: closed silently)."""
    sock = connect(url)
    try:
        sock.sendall(raw)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError:
        return None
    finally:
        sock.close()
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def stalled_bodies(url: str, path: str, count: int) -> list[socket.socket]:
    """Requests that promise 100,000 bytes of body, send one, and wait."""
    held = []
    for _ in range(count):
        sock = connect(url)
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 100000\r\n\r\n{".encode()
        )
        held.append(sock)
    return held


def slowloris(url: str, count: int, seconds: float, every: float = 1.0) -> list[float | None]:
    """`count` connections that each send a request line, then one header line every
    `every` seconds, for `seconds`. Returns, per connection, when the server closed it
    (seconds from the start), or None if it was still open at the end."""
    socks = []
    for _ in range(count):
        sock = connect(url)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        socks.append(sock)
    started = time.monotonic()
    closed: list[float | None] = [None] * count
    while time.monotonic() - started < seconds and None in closed:
        for index, sock in enumerate(socks):
            if closed[index] is not None:
                continue
            try:
                sock.sendall(b"X-Trickle: 1\r\n")
                sock.setblocking(False)
                try:
                    sock.recv(1024)  # an answer (408) or the end of the stream: it is over
                    closed[index] = time.monotonic() - started
                except BlockingIOError:
                    pass
                finally:
                    sock.setblocking(True)
            except OSError:
                closed[index] = time.monotonic() - started
        time.sleep(every)
    for sock in socks:
        sock.close()
    return closed
