"""Helpers for the team-desk tests: end a desk's server sessions from an admin connection,
collect what a change listener reports, and a role that can be locked out of the server."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from tests.conftest import PG_URL
from ticketdesk.db.postgres_notify import RemoteChange


def end_sessions(admin: Any, origin: str) -> int:
    """pg_terminate_backend for every connection of one desk (its application_name), as an
    administrator or a server restart would; returns how many were ended."""
    rows = admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = %s AND pid <> pg_backend_pid()", (origin,)).fetchall()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND pid <> pg_backend_pid()", (origin,)).fetchone()[0]:
        time.sleep(0.01)
    return len(rows)


def sessions_of(admin: Any, origin: str) -> int:
    return int(admin.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                             (origin,)).fetchone()[0])


class Collector:
    """Thread-safe sink for a listener's callbacks."""

    def __init__(self) -> None:
        self.changes: list[RemoteChange] = []
        self.states: list[tuple[bool, str, float]] = []
        self._cond = threading.Condition()

    def change(self, change: RemoteChange) -> None:
        with self._cond:
            self.changes.append(change)
            self._cond.notify_all()

    def state(self, connected: bool, reason: str, retry_in: float) -> None:
        with self._cond:
            self.states.append((connected, reason, retry_in))
            self._cond.notify_all()

    def wait(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    def merged(self) -> RemoteChange:
        with self._cond:
            result = RemoteChange()
            for change in self.changes:
                result = result | change
            return result

    def clear(self) -> None:
        with self._cond:
            self.changes.clear()
            self.states.clear()


def url_as(url: str, user: str) -> str:
    """`url` with another user name (no password: the test server trusts local TCP)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{quote(user)}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@contextmanager
def lockable_desk(admin: Any) -> Iterator[tuple[str, Callable[[bool], None]]]:
    """A fresh schema owned by a role of its own, and `allow(flag)` to let that role log in or
    not: with `allow(False)` plus `end_sessions`, the server is unreachable for the desk while
    staying up for everyone else (the test database is shared)."""
    from tests.conftest import pg_url

    token = uuid.uuid4().hex[:10]
    role, schema = f"tdrole_{token}", f"tdlock_{token}"
    admin.execute(f'CREATE ROLE "{role}" LOGIN')
    admin.execute(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{role}"')

    def allow(flag: bool) -> None:
        admin.execute(f'ALTER ROLE "{role}" {"LOGIN" if flag else "NOLOGIN"}')

    try:
        yield url_as(pg_url(schema), role), allow
    finally:
        allow(False)
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                      (role,))
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.execute(f'DROP ROLE "{role}"')


__all__ = ["PG_URL", "Collector", "end_sessions", "lockable_desk", "sessions_of", "url_as"]
