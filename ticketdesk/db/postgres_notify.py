"""Live changes on a team desk: LISTEN for what the server's triggers NOTIFY (migration 5).

`ChangeListener` runs a thread with a psycopg connection of its own (autocommit, `LISTEN` on the
desk's channel) and hands each batch of notifications, merged, to a callback as a
`RemoteChange`. Nothing polls a table: an idle desk costs one sleeping connection.

The listener is also how a window learns that the server went away. When its connection dies it
reconnects at once, then with growing pauses (`BACKOFF`); while the server cannot be reached it
marks the desk's `ConnectionHealth` down, so the window refuses writes immediately instead of
hanging. Notifications sent while it was away are lost, so after a reconnect it reports
`everything` changed and the views reload.

No Qt here; `ui/live_refresh.py` turns the callbacks into signals on the GUI thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ticketdesk.db.postgres_backend import PostgresBackend

BACKOFF = (0.0, 1.0, 2.0, 4.0, 8.0, 15.0)
"""Pauses before each reconnect attempt in a row (the last repeats): the first is immediate, so
an ended session or a server restart costs nothing; a dead server is asked every 15 s."""
WAIT_SECONDS = 0.5  # how long one wait for notifications lasts (and so how fast stop() is)
GATHER_SECONDS = 0.03  # notifications of one commit arrive together: gather them into one batch
HEARTBEAT_SECONDS = 15.0  # an idle connection is checked this often (keepalives do the rest)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemoteChange:
    """What other programs changed, as the triggers told it."""

    tickets: frozenset[int] = frozenset()
    created: tuple[int, ...] = ()
    kinds: frozenset[str] = frozenset()
    """Activity kinds ("note_added", "message_out"...) and table flags ("agents", "customers",
    "tags", "everything")."""
    everything: bool = False

    def __or__(self, other: RemoteChange) -> RemoteChange:
        return RemoteChange(self.tickets | other.tickets,
                            self.created + tuple(t for t in other.created
                                                 if t not in self.created),
                            self.kinds | other.kinds,
                            self.everything or other.everything)


EVERYTHING = RemoteChange(everything=True)


MAX_ID = 2**63 - 1  # ticket ids are BIGINT
_KIND = re.compile(r"[a-z0-9_]{1,64}")


def parse_payload(payload: str, own_origin: str | None = None) -> RemoteChange | None:
    """The change a notification describes; None when it is our own echo or not one of ours.

    Anyone who may connect to the database may NOTIFY on the desk's channel, so a payload is
    untrusted input: only a JSON object whose known keys have the shapes the triggers write
    (ids: positive BIGINTs; kinds: short lower-case words; "all": a boolean) is a change.
    Anything else is dropped quietly (logged at debug): raising would break the listener, and
    reloading everything would let anyone make every window re-read a million tickets. Keys
    this version does not know are ignored, so a newer ticketdesk's additions do no harm."""
    try:
        data = json.loads(payload)
        if not isinstance(data, dict):
            raise _Malformed("not a JSON object")
        if own_origin is not None and data.get("o") == own_origin:
            return None
        return _change(data)
    except (ValueError, RecursionError, _Malformed) as exc:  # not JSON, 5000 digits, [[[[...
        log.debug("ignored a notification (%s): %.200r", exc, payload)
        return None


class _Malformed(Exception):
    pass


def _change(data: dict[str, Any]) -> RemoteChange:
    tickets = _ids(data.get("t"))
    created = _ids(data.get("c"))
    kinds = data.get("k") or []
    everything = data.get("all") or False
    if not isinstance(kinds, list) or not all(
            isinstance(k, str) and _KIND.fullmatch(k) for k in kinds):
        raise _Malformed("kinds that are not short words")
    if not isinstance(everything, bool):
        raise _Malformed('"all" that is not a boolean')
    return RemoteChange(
        tickets=frozenset(tickets),
        created=tuple(dict.fromkeys(created)),
        kinds=frozenset(kinds),
        everything=everything or "everything" in kinds,
    )


def _ids(value: Any) -> list[int]:
    """The ids of a list (json_agg's nulls skipped)."""
    if value is None:
        return []
    ids = [v for v in value if v is not None] if isinstance(value, list) else None
    if ids is None or not all(type(v) is int and 0 < v <= MAX_ID for v in ids):  # bool: no id
        raise _Malformed("ticket ids that are not positive integers")
    return ids


@dataclass
class ListenerStats:
    """Counters for tests and the About box: how the listener has been doing."""

    connects: int = 0
    losses: int = 0
    notifications: int = 0
    batches: int = 0
    last_error: str = ""


class ChangeListener:
    """LISTEN on a desk's channel in a thread of its own; see the module docstring.

    `on_change(change)` and `on_state(connected, reason, retry_in)` are called on the listener's
    thread. `on_state(False, ...)` comes when the server cannot be reached (after the immediate
    reconnect failed), `on_state(True, "", 0)` when it can again.
    """

    def __init__(self, backend: PostgresBackend, on_change: Callable[[RemoteChange], None],
                 on_state: Callable[[bool, str, float], None] | None = None, *,
                 backoff: tuple[float, ...] = BACKOFF, skip_own: bool = True) -> None:
        self.backend = backend
        self.on_change = on_change
        self.on_state = on_state or (lambda _connected, _reason, _retry: None)
        self.backoff = backoff
        self.own_origin = backend.origin if skip_own else None
        self.stats = ListenerStats()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._ready = threading.Event()
        self._conn_lock = threading.Lock()
        self._conn: Any = None
        self._thread = threading.Thread(target=self._run, name="ticketdesk-listener",
                                        daemon=True)

    # -- control (any thread) -----------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def wait_listening(self, timeout: float = 10.0) -> bool:
        """Block until the first LISTEN is in place (tests; a window never waits)."""
        return self._ready.wait(timeout)

    def reconnect_now(self) -> None:
        """Cut a pause between reconnect attempts short ("Retry now")."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread and close its connection; safe to call twice or before start()."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def break_connection(self) -> None:
        """Close the listening connection from outside, as a dead network would (tests)."""
        with self._conn_lock:
            if self._conn is not None:
                self._conn.pgconn.finish()

    # -- the thread -----------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        lost = False
        while not self._stop.is_set():
            try:
                conn = self._connect()
            except Exception as exc:
                failures += 1
                reason = _reason(exc)
                self.stats.last_error = reason
                delay = self.backoff[min(failures, len(self.backoff) - 1)]
                self.backend.health.mark_down(reason)
                self.on_state(False, reason, delay)
                self._pause(delay)
                continue
            self.stats.connects += 1
            if failures:
                self.backend.health.mark_up()
                self.on_state(True, "", 0.0)
            if lost or failures:
                self.on_change(EVERYTHING)  # what was sent while we were away is gone
            failures = 0
            lost = False
            self._ready.set()
            try:
                self._listen(conn)
            except Exception as exc:  # the connection died (or the server refused us)
                if self._stop.is_set():
                    break
                lost = True
                self.stats.losses += 1
                self.stats.last_error = _reason(exc)
                self._pause(self.backoff[0])
            finally:
                with self._conn_lock:
                    self._conn = None
                with contextlib.suppress(Exception):  # a dead connection may refuse to close
                    conn.close()

    def _connect(self) -> Any:
        from psycopg import sql

        conn = self.backend.connect_raw(autocommit=True)
        try:
            channel = self.backend.channel(conn)
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        except BaseException:
            conn.close()
            raise
        with self._conn_lock:
            self._conn = conn
        return conn

    def _listen(self, conn: Any) -> None:
        checked = time.monotonic()
        while not self._stop.is_set():
            pending: RemoteChange | None = None
            seen = 0
            for note in conn.notifies(timeout=WAIT_SECONDS, stop_after=1):
                pending, seen = self._add(pending, note.payload), seen + 1
            if seen:
                for note in conn.notifies(timeout=GATHER_SECONDS):
                    pending, seen = self._add(pending, note.payload), seen + 1
                self.stats.notifications += seen
                checked = time.monotonic()
            if pending is not None:
                self.stats.batches += 1
                self.on_change(pending)
            if time.monotonic() - checked > HEARTBEAT_SECONDS:
                conn.execute("SELECT 1")
                checked = time.monotonic()

    def _add(self, pending: RemoteChange | None, payload: str) -> RemoteChange | None:
        change = parse_payload(payload, self.own_origin)
        if change is None:
            return pending
        return change if pending is None else pending | change

    def _pause(self, seconds: float) -> None:
        self._wake.clear()
        if seconds > 0:
            self._wake.wait(seconds)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
