"""A TCP proxy that adds a fixed delay each way, to put a real network between ticketdesk and
PostgreSQL on one machine.

    python -m tests.bench.latency_proxy --target 127.0.0.1:5432 --rtt 50 [--port 0]

Every chunk read from one side is written to the other `rtt / 2` milliseconds later, in order,
so a query and its answer take `rtt` ms more than on the loopback (a team desk over a LAN or a
VPN: 20-100 ms per round trip). It prints "LISTENING <port>" once it accepts connections and
runs until killed. It runs as a process of its own, so its work never competes with the
measured window for Python's GIL (`LatencyProxy` starts and stops one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

CHUNK = 256 * 1024
ROOT = Path(__file__).resolve().parents[2]


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                delay: float) -> None:
    """Copy `reader` to `writer`, each chunk `delay` seconds late; equal delays keep the order
    (the loop runs callbacks due at the same time first in, first out)."""
    loop = asyncio.get_running_loop()
    try:
        while data := await reader.read(CHUNK):
            if delay:
                loop.call_at(loop.time() + delay, _write, writer, data)
            else:
                writer.write(data)
    except (ConnectionError, OSError):
        pass
    finally:
        loop.call_at(loop.time() + delay, _close, writer)


def _write(writer: asyncio.StreamWriter, data: bytes) -> None:
    if not writer.is_closing():
        writer.write(data)


def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()


async def serve(target_host: str, target_port: int, rtt_ms: float, port: int) -> None:
    delay = rtt_ms / 2000

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(target_host, target_port)
        except OSError:
            client_w.close()
            return
        for sock in (client_w, server_w):
            raw = sock.get_extra_info("socket")
            if raw is not None:
                import socket

                raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(_pump(client_r, server_w, delay), _pump(server_r, client_w, delay))

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    bound = server.sockets[0].getsockname()[1]
    print(f"LISTENING {bound}", flush=True)
    async with server:
        await server.serve_forever()


class LatencyProxy:
    """The proxy as a child process: `with LatencyProxy("127.0.0.1", 5432, 50) as port: ...`."""

    def __init__(self, host: str, port: int, rtt_ms: float) -> None:
        self.args = [sys.executable, "-m", "tests.bench.latency_proxy",
                     "--target", f"{host}:{port}", "--rtt", str(rtt_ms)]
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> int:
        self.process = subprocess.Popen(self.args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("LISTENING "):
            self.process.kill()
            raise RuntimeError(f"the latency proxy did not start: {line!r}")
        return int(line.split()[1])

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="127.0.0.1:5432", help="host:port to forward to")
    parser.add_argument("--rtt", type=float, default=50.0, help="added round trip, ms")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free)")
    args = parser.parse_args()
    host, _, port = args.target.rpartition(":")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(host, int(port), args.rtt, args.port))


if __name__ == "__main__":
    main()


def through(url: str, port: int) -> str:
    """`url` with its host and port replaced by the proxy's."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}"))


@contextlib.contextmanager
def proxied(url: str, rtt_ms: float) -> Iterator[str]:
    """The PostgreSQL `url` reached through a LatencyProxy adding `rtt_ms` to every round trip
    (the proxy runs while the block does)."""
    target = urlsplit(url)
    with LatencyProxy(target.hostname or "127.0.0.1", target.port or 5432, rtt_ms) as port:
        yield through(url, port)
