"""A real API server for the tests: `python -m ticketdesk serve` in a process of its own, on a
free loopback port, over a SQLite file or a PostgreSQL schema, with tokens made by
`ticketdesk api token add` (whose last line is the token). Tests talk HTTP to it with httpx."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from ticketdesk.db.store import open_database
from ticketdesk.services import api_tokens
from ticketdesk.services.session import Session

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ticketdesk(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TICKETDESK_DB": ""}
    result = subprocess.run([sys.executable, "-m", "ticketdesk", *args], capture_output=True,
                            text=True, cwd=ROOT, env=env, timeout=120, check=False)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def add_token(db_url: str, name: str, *extra: str) -> str:
    return ticketdesk("api", "token", "add", name, "--db", db_url, *extra).stdout.splitlines()[-1]


@dataclass
class Server:
    db_url: str
    base: str
    process: subprocess.Popen[str]
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, token: str | None = None, timeout: float = 30.0) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[token or 'writer']}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=timeout)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def start_server(db_url: str, *extra: str) -> Server:
    # A migrated desk and the server's two tokens, made in this process by the service
    # `ticketdesk api token add` calls (two fewer programs to start for every server; the
    # command itself is tested by the tests that call add_token).
    store = open_database(db_url, create=True)
    try:
        session = Session(store, None)
        tokens = {"writer": api_tokens.add_token(session, "writer")[0],
                  "reader": api_tokens.add_token(session, "reader", read_only=True)[0]}
    finally:
        store.close()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ticketdesk", "serve", "--db", db_url, "--port", str(port),
         *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "TICKETDESK_DB": ""})
    server = Server(db_url, f"http://127.0.0.1:{port}", process, tokens)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the server ended: {said}")
        try:
            if httpx.get(server.base + "/v2/openapi.json", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise AssertionError("the server did not answer within 30 s")


@pytest.fixture(scope="module")
def server(module_db_url: str) -> Iterator[Server]:
    """One server for a test module, per engine; its tests each make their own tickets."""
    running = start_server(module_db_url, "--rate", "1000", "--burst", "1000")
    try:
        yield running
    finally:
        running.stop()
