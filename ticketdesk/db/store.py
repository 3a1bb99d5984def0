"""Opening a desk: `open_database(url)` picks the backend, checks, connects and migrates.

peewee keeps one connection per thread; each thread that queries opens its own on first use and
must call `store.close_thread()` before it ends (a connection left open at exit crashes the
interpreter's shutdown; ticketdesk/ARCHITECTURE.md, "Threading").
"""

from __future__ import annotations

import random
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ticketdesk.db import damage, migrations, search_index, sqlite_files
from ticketdesk.db.desk_lock import DeskLock
from ticketdesk.db.errors import causes, permission_denied, storage_error
from ticketdesk.db.files import disk_error, disk_full, full_disk_error
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
    notice: str | None = None
    """What was done to the desk's files before it opened (a killed restore finished), to tell
    the user; None usually."""

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
            error = storage_error(exc, writing=False)
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

    def was_interrupted(self, exc: BaseException) -> bool:
        """Whether `exc` is a query failing because `interrupt` aborted it."""
        return bool(self.backend.was_interrupted(exc))

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
        if isinstance(backend, SqliteBackend) or isinstance(exc, StorageError) or not any(
                type(c).__module__.startswith("psycopg") for c in causes(exc)):
            raise
        reason = " ".join(str(exc).split())
        raise StorageError(f"Cannot connect to {backend.location}: {reason}") from exc


def _connect_waiting(db: Any, backend: Backend) -> None:
    """The first connection, waiting while other processes hold the file for its conversion.

    A new desk file starts in rollback-journal mode; each process opening it switches it to WAL
    (`PRAGMA journal_mode=wal`, one of the connection's pragmas), which needs the file alone.
    When two processes do that at the same moment each holds the shared lock the other must see
    released: SQLite sees the deadlock and fails one of them at once with "database is locked",
    without waiting out the busy timeout (three windows started together on a new desk failed
    one in about six times). The loser closes, waits a moment and connects again: by then the
    file is in WAL mode, where opening takes no exclusive lock.
    """
    deadline = time.monotonic() + migrations.MIGRATION_PATIENCE_S
    while True:
        try:
            _connect(db, backend)
            backend.after_connect(db)
            return
        except Exception as exc:
            if not migrations.busy(exc) or time.monotonic() >= deadline:
                raise
            if not db.is_closed():
                db.close()
            time.sleep(random.uniform(0.01, 0.05))


def _before_sqlite_open(path: Path, create: bool) -> str | None:
    """Tidy up after killed runs (sqlite_files.prepare_to_open), refuse a missing file unless
    creating was asked for, and check for damage before anything opens the file, so nothing is
    written to it. A full or read-only disk is said in words."""
    try:
        notice = sqlite_files.prepare_to_open(path)
        if not create and not path.exists():
            raise sqlite_files.NoDeskError(path)
        if path.is_file():
            damage.check(path)
    except OSError as exc:
        error = disk_error(exc, path.parent)
        if error is None:
            raise
        raise error from exc
    return notice


def _start(db: Any, backend: Backend, migrate_to: int) -> None:
    _connect_waiting(db, backend)
    try:
        migrations.migrate(db, backend.dialect, lambda: backend.write_lock(db), migrate_to)
    except Exception as exc:
        denied = _migration_denied(backend, exc)
        if denied is None:
            raise
        raise denied from exc


def _full(backend: Backend) -> bool:
    return isinstance(backend, SqliteBackend) and disk_full(backend.path.parent)


_DISK_FAULTS = frozenset({"IOError", "FullError", "CantOpenError"})


def _disk_fault(exc: BaseException) -> bool:
    """Whether SQLite failed to write or create a file (not: the desk is damaged)."""
    todo: list[BaseException | None] = [exc]
    seen: list[BaseException] = []
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        if type(item).__name__ in _DISK_FAULTS:
            return True
        todo += [item.__cause__, item.__context__,
                 *(a for a in item.args if isinstance(a, BaseException))]
    return False


def _migration_denied(backend: Backend, exc: BaseException) -> StorageError | None:
    """The desk's tables must be created or updated, and the server does not let this role
    (no CREATE on the schema, PostgreSQL 15's default for the public schema)."""
    denied = permission_denied(exc)
    if denied is None:
        return None
    return StorageError(
        f"{backend.location} needs its tables created or brought up to date for this version "
        f"of ticketdesk, and this database user may not do that ({denied}). Open it once as "
        "the owner of its schema, or ask whoever administers the server to grant CREATE on "
        "it. Nothing was changed.")


def open_database(url: str | None = None, *, password: str | None = None,
                  mounts_file: Path | None = None,
                  migrate_to: int = migrations.LATEST, create: bool = True,
                  for_reading: bool = False) -> Store:
    """Open the desk at `url` and bring its schema up to date; a SQLite file that does not exist
    is created only if `create` (else NoDeskError: the entry points decide when creating a desk
    is what the user asked for, see app.py and cli.py).

    A SQLite desk on a full disk cannot be opened as usual (SQLite must grow its -shm index
    beside it); `for_reading` callers (an export, a check, a backup written to another disk)
    then open it in exclusive locking mode, which keeps that index in memory: they work, and
    other processes wait for them. Anything else on a full disk is a StorageError saying so.

    The returned store is also where the models point: one desk is open per process.
    """
    url, backend = backend_for(url, password=password, mounts_file=mounts_file)
    notice = None
    if isinstance(backend, SqliteBackend):
        notice = _before_sqlite_open(backend.path, create)
    backend.prepare()
    lock = DeskLock(backend.path) if isinstance(backend, SqliteBackend) else None
    if lock is not None:
        lock.acquire()
    db = backend.make_database()
    try:
        try:
            _start(db, backend, migrate_to)
        except Exception:
            if not (for_reading and isinstance(backend, SqliteBackend) and _full(backend)):
                raise
            if not db.is_closed():
                db.close()
            db = backend.make_database(exclusive=True)
            _start(db, backend, migrate_to)
    except Exception as exc:
        if not db.is_closed():
            db.close()
        if lock is not None:
            lock.release()
        error = (damage.as_damage(backend.path, exc) if isinstance(backend, SqliteBackend)
                 else None) or (exc if isinstance(exc, StorageError) else storage_error(exc))
        if isinstance(backend, SqliteBackend) and _disk_fault(exc) and _full(backend):
            error = full_disk_error(backend.path.parent)  # SQLite's bare "disk I/O error"
        if error is None or error is exc:
            raise
        raise error from exc
    database_proxy.initialize(db)
    store = Store(url, backend, db)
    store.lock = lock
    store.notice = notice
    return store
