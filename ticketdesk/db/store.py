"""Opening a desk: `open_database(url)` picks the backend, checks, connects and migrates.

peewee keeps one connection per thread; each thread that queries opens its own on first use and
must call `store.close_thread()` before it ends (a connection left open at exit crashes the
interpreter's shutdown; ticketdesk/ARCHITECTURE.md, "Threading").
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ticketdesk.db import damage, migrations, search_index
from ticketdesk.db.desk_lock import DeskLock
from ticketdesk.db.errors import storage_error
from ticketdesk.db.models import database_proxy
from ticketdesk.db.postgres_backend import PostgresBackend
from ticketdesk.db.sqlite_backend import SqliteBackend
from ticketdesk.db.url import default_url, is_postgres, sqlite_path
from ticketdesk.domain.errors import StorageError

Backend = SqliteBackend | PostgresBackend
_OPEN: weakref.WeakSet[Any] = weakref.WeakSet()
"""The peewee databases of the stores opened in this process (one, except in tests); a worker
thread closes its connections to each of them before it ends."""


class Store:
    """An open desk: the peewee database, its backend, and safe transactions."""

    lock: DeskLock | None = None
    """A SQLite desk's hold on its file (db/desk_lock.py), let go by `close`."""

    def __init__(self, url: str, backend: Backend, db: Any) -> None:
        self.url = url
        self.backend = backend
        self.db = db
        _OPEN.add(db)

    @property
    def is_sqlite(self) -> bool:
        return isinstance(self.backend, SqliteBackend)

    @property
    def location(self) -> str:
        return self.backend.location

    def _bind(self) -> None:
        """Point the models at this desk. A no-op with one desk per process (the app); with
        two stores open on one file in one process (tests with two windows), a transaction
        must run its queries on its own connection, or it waits on its own write lock."""
        if database_proxy.obj is not self.db:
            database_proxy.initialize(self.db)

    @contextmanager
    def write(self, *, quiet: bool = False) -> Iterator[None]:
        """One write transaction; driver failures the user can act on become StorageError,
        and nothing of the transaction is kept.

        A `quiet` write (a draft saved while typing) changes nothing other windows show, so it
        does not count as a change for them (see `change_seq`)."""
        self._bind()
        outermost = not self.db.in_transaction()
        try:
            with self.backend.write_lock(self.db):
                counting = outermost and not quiet
                before = self.backend.rows_changed(self.db) if counting else 0
                yield
                if counting and self.backend.rows_changed(self.db) != before:
                    self.backend.count_change(self.db)  # a write that changed nothing is no news
        except Exception as exc:
            error = storage_error(exc)
            if error is None or error is exc:
                raise
            raise error from exc

    @contextmanager
    def read(self) -> Iterator[None]:
        """Several queries that must see one consistent state."""
        self._bind()
        try:
            if self.db.in_transaction():
                yield
                return
            lock = ("DEFERRED",) if self.is_sqlite else ()
            with self.db.atomic(*lock):
                yield
        except Exception as exc:
            error = storage_error(exc)
            if error is None or error is exc:
                raise
            raise error from exc

    def reindex(self, ticket_ids: set[int] | list[int]) -> None:
        search_index.reindex(self.backend, self.db, ticket_ids)

    def stream(self, query: Any) -> Iterator[tuple[Any, ...]]:
        """Iterate a peewee query's rows with constant memory, however many there are."""
        sql, params = query.sql()
        return self.backend.stream(self.db, sql, params)

    def id_array(self, query: Any) -> np.ndarray:
        """The ids an ordered `SELECT id ...` query returns, as an int64 array, in order."""
        sql, params = query.sql()
        return self.backend.id_array(self.db, sql, params)

    def data_version(self) -> int:
        """Moves when another connection commits anything (cheap; poll this first)."""
        return self.backend.data_version(self.db)

    def change_seq(self) -> int:
        """Moves when a write other windows should show is committed (not for drafts)."""
        return self.backend.change_seq(self.db)

    def integrity_problems(self) -> list[str]:
        return self.backend.integrity_problems(self.db)

    def snapshot_to(self, target: Path) -> None:
        self.backend.snapshot_to(self.db, target)

    def thread_connection(self) -> Any:
        """The calling thread's driver connection, opened if needed (for `interrupt`)."""
        return self.db.connection()

    def interrupt(self, raw: Any) -> None:
        """Abort the query another thread runs on `raw`; it fails with an interruption error."""
        self.backend.interrupt_connection(raw)

    def close_thread(self) -> None:
        """Close the calling thread's connections (worker threads call this before ending).

        With two desks open in one process (two windows in a test), the models send a thread's
        queries to whichever desk is bound at the time, so a worker may hold a connection to the
        other desk too. It is closed here as well: left to the thread's teardown, it crashes."""
        for db in (self.db, *(d for d in _OPEN if d is not self.db)):
            if not db.is_closed():
                db.close()

    def close(self) -> None:
        """Close this thread's connection. The models keep pointing here until another desk is
        opened: with two windows on one desk in one process, closing one must not leave the
        other's plain reads without a database (peewee reconnects on demand)."""
        if not self.db.is_closed():
            self.db.close()
        if self.lock is not None:
            self.lock.release()


def backend_for(url: str | None, *, password: str | None = None,
                mounts_file: Path | None = None) -> tuple[str, Backend]:
    url = url.strip() if url else default_url()
    if is_postgres(url):
        return url, PostgresBackend(url, password)
    return url, SqliteBackend(sqlite_path(url), mounts_file=mounts_file)


def _connect(db: Any, backend: Backend) -> None:
    """The first connection. A server that cannot be reached says where and why ("Cannot
    connect to postgresql://ann:***@db/desk: Connection refused"), not that a connection which
    never existed "was lost"."""
    try:
        db.connect()
    except Exception as exc:
        if isinstance(backend, SqliteBackend) or type(exc).__name__ != "OperationalError":
            raise
        reason = " ".join(str(exc).split())
        raise StorageError(f"Cannot connect to {backend.location}: {reason}") from exc


def open_database(url: str | None = None, *, password: str | None = None,
                  mounts_file: Path | None = None,
                  migrate_to: int = migrations.LATEST) -> Store:
    """Open (creating if needed) the desk at `url` and bring its schema up to date.

    The returned store is also where the models point: one desk is open per process.
    """
    url, backend = backend_for(url, password=password, mounts_file=mounts_file)
    if isinstance(backend, SqliteBackend) and backend.path.is_file():
        damage.check(backend.path)  # before anything opens it, so nothing is written to it
    backend.prepare()
    lock = DeskLock(backend.path) if isinstance(backend, SqliteBackend) else None
    if lock is not None:
        lock.acquire()
    db = backend.make_database()
    try:
        _connect(db, backend)
        backend.after_connect(db)
        migrations.migrate(db, backend.dialect, lambda: backend.write_lock(db), migrate_to)
    except Exception as exc:
        if not db.is_closed():
            db.close()
        if lock is not None:
            lock.release()
        error = (damage.as_damage(backend.path, exc) if isinstance(backend, SqliteBackend)
                 else None) or storage_error(exc)
        if error is None or error is exc:
            raise
        raise error from exc
    database_proxy.initialize(db)
    store = Store(url, backend, db)
    store.lock = lock
    return store
