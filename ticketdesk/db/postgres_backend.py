"""PostgreSQL through psycopg 3: the one place that knows PostgreSQL.

A team desk lives on a server that can go away: a restart, a network cut, an administrator
ending sessions. `TeamDatabase` turns a lost connection into a `StorageError` the user can read,
throws the dead connection away so the next use opens a fresh one, and never lets half a
transaction through (the server discards an uncommitted transaction with its connection).
`ConnectionHealth` is what the change listener (`postgres_notify`) learned about the server; while
it says the server is unreachable, new connections are refused at once instead of freezing the
window for the connect timeout.
"""

from __future__ import annotations

import functools
import queue
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import numpy as np
from peewee import SQL, NodeList, PostgresqlDatabase, fn

from ticketdesk.db.dialect import POSTGRES
from ticketdesk.db.drivers import attach_psycopg
from ticketdesk.db.url import redact
from ticketdesk.domain.errors import StorageError, ValidationError
from ticketdesk.domain.search import SearchQuery

# Any 32-bit constant works; it names "ticketdesk desk write lock" among advisory locks (the
# second key is the desk's schema).
MIGRATION_LOCK = 0x71C4E7D5
CONNECT_TIMEOUT = 5
# A dead server or a cut cable is noticed in about 20 s instead of the kernel's hours.
TCP_OPTIONS = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
               "keepalives_count": 2, "tcp_user_timeout": 20_000}
_WEIGHTS = ("A", "A", "B", "C", "C")  # ref, subject, body, talk, notes
_REBUILD_BATCH = 5000
WRITE_WAIT_SECONDS = 10.0  # as SqliteBackend's BUSY_SECONDS

LOST = ("The connection to the database server was lost. Check the network; ticketdesk "
        "reconnects on its own. Nothing was saved.")
LOST_AT_COMMIT = ("The connection to the database server was lost while saving, so ticketdesk "
                  "cannot tell whether the change was saved: it shows in the list once the "
                  "connection is back if it was. Your text is kept.")
OFFLINE = ("ticketdesk is not connected to the database server and is trying to reconnect. "
           "Nothing was saved; try again when the banner is gone.")
# SQLSTATEs meaning "this session is gone": connection exceptions (class 08), the server shutting
# down or ending the session (57P01..57P03), and an idle session timed out (57P05, PG 17).
_LOST_STATES = ("57P01", "57P02", "57P03", "57P05")


def parse_postgres_url(url: str) -> dict[str, Any]:
    """libpq's connection keywords from a postgresql:// URL. A URL of any shape that cannot
    serve is refused with a ValidationError that shows it without its password (`redact`)."""
    shown = redact(url)
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        if "IPv6" in str(exc):
            raise ValidationError(
                f"The server address in {shown!r} opens a bracket that is not closed; write an "
                "IPv6 address as postgresql://user@[::1]:5432/dbname.") from None
        raise ValidationError(f"{shown!r} is not a valid PostgreSQL URL.") from None
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValidationError(f"{shown!r} is not a postgresql:// URL.")
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise ValidationError(
            f"The PostgreSQL URL {shown!r} names no database; write postgresql://user@host/dbname."
        )
    params: dict[str, Any] = {"database": dbname}
    if parts.hostname:
        params["host"] = parts.hostname
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(
            f"The port in {shown!r} is not a number from 1 to 65535.") from None
    if port:
        params["port"] = port
    if parts.username:
        params["user"] = unquote(parts.username)
    if parts.password:
        params["password"] = unquote(parts.password)
    # libpq options such as sslmode=require or options=-csearch_path=desk pass straight through.
    options = parse_qsl(parts.query, keep_blank_values=True)
    known = _libpq_keywords()
    unknown = sorted({key for key, _ in options} - known) if known else []
    if unknown:
        raise ValidationError(
            f"{shown!r} has an option libpq does not know: {', '.join(unknown)}. The options "
            "after ? are libpq's connection settings (sslmode, connect_timeout, options...).")
    params.update(options)
    return params


@functools.cache
def _libpq_keywords() -> frozenset[str]:
    """The connection settings the installed libpq knows; empty (no check) without psycopg,
    whose absence opening reports with what to install."""
    try:
        from psycopg import pq
    except ImportError:
        return frozenset()
    return frozenset(o.keyword.decode() for o in pq.Conninfo.get_defaults())


QUERY_CANCELED = "57014"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        yield item
        todo.extend([item.__cause__, item.__context__])
        todo.extend(a for a in item.args if isinstance(a, BaseException))


def is_connection_loss(exc: BaseException) -> bool:
    """Whether `exc` (or what it wraps) says the session with the server is gone, as opposed to
    a refused statement (constraint, cancel, syntax) on a healthy connection."""
    for cause in _causes(exc):
        if not type(cause).__module__.startswith("psycopg"):
            continue
        sqlstate = getattr(cause, "sqlstate", None) or ""
        if sqlstate.startswith("08") or sqlstate in _LOST_STATES:
            return True
        if not sqlstate and type(cause).__name__ in ("OperationalError", "InterfaceError"):
            text = str(cause).lower()
            if "closed" in text or "connection" in text or "server" in text:
                return True
    return False


class ConnectionHealth:
    """Whether the server is reachable, as the change listener last found it (thread-safe).

    Only the listener marks the server down or up; the database consults it before opening a
    connection, so a window never hangs on a server it already knows to be gone.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down = False
        self.reason = ""

    @property
    def down(self) -> bool:
        with self._lock:
            return self._down

    def mark_down(self, reason: str) -> None:
        with self._lock:
            self._down = True
            self.reason = reason

    def mark_up(self) -> None:
        with self._lock:
            self._down = False
            self.reason = ""


class TeamDatabase(PostgresqlDatabase):  # type: ignore[misc]
    """peewee's PostgresqlDatabase, made to survive the server going away (see module doc).

    - A statement that finds its connection gone raises StorageError(LOST); the connection is
      replaced on the next use outside a transaction. A plain read outside a transaction (a
      list page, a ticket) is retried once on a fresh connection, so a server restart or an
      ended session costs the user nothing.
    - A transaction whose connection died is rolled back by the server; the local rollback is
      then a no-op instead of a second error.
    - While `health` says the server is down, connecting fails at once with StorageError(OFFLINE).
    """

    def init(self, database: Any, health: ConnectionHealth | None = None,
             **kwargs: Any) -> None:
        self.health = health or ConnectionHealth()
        super().init(database, **kwargs)

    def _connect(self) -> Any:
        if self.health.down:
            raise StorageError(OFFLINE)
        return super()._connect()

    def _initialize_connection(self, conn: Any) -> None:
        """No JIT compilation for this desk's queries: they are short, or (analytics) pay
        100-800 ms of compiling for nothing at a million tickets."""
        conn.execute("SET jit = off")

    def _dead(self) -> bool:
        conn = self._state.conn
        return conn is not None and bool(conn.closed or conn.broken)

    def _drop_dead(self) -> None:
        """Forget this thread's dead connection so the next use opens a new one."""
        if self._dead() and not self.in_transaction():
            try:
                self._state.conn.close()
            finally:
                self._state.reset()

    def _check_alive(self) -> None:
        if self._dead():
            if self.in_transaction():
                raise StorageError(LOST)
            self._drop_dead()

    def cursor(self, named_cursor: Any = None) -> Any:
        self._check_alive()
        return super().cursor(named_cursor)

    def connection(self) -> Any:
        self._check_alive()
        return super().connection()

    def _execute_cursor(self, sql: str, params: Any, **options: Any) -> Any:
        try:
            return super()._execute_cursor(sql, params, **options)
        except StorageError:
            raise
        except Exception as exc:
            if not is_connection_loss(exc):
                raise
            if not self.in_transaction() and _is_plain_read(sql):
                self._drop_dead()
                try:
                    return super()._execute_cursor(sql, params, **options)
                except Exception as again:
                    if isinstance(again, StorageError) or not is_connection_loss(again):
                        raise
                    self._drop_dead()
                    raise StorageError(LOST) from again
            self._drop_dead()
            raise StorageError(LOST) from exc

    def begin(self, isolation_level: Any = None) -> None:
        """BEGIN on a connection found dead is retried once on a fresh one: nothing was sent."""
        try:
            super().begin(isolation_level)
        except StorageError:
            raise
        except Exception as exc:
            if not is_connection_loss(exc) or self.in_transaction():
                raise
            self._drop_dead()
            try:
                super().begin(isolation_level)
            except Exception as again:
                if isinstance(again, StorageError) or not is_connection_loss(again):
                    raise
                self._drop_dead()
                raise StorageError(LOST) from again

    def commit(self) -> None:
        try:
            super().commit()
        except Exception as exc:
            if not is_connection_loss(exc):
                raise
            raise StorageError(LOST_AT_COMMIT) from exc

    def rollback(self) -> None:
        if self._dead():
            return  # the server dropped the transaction together with the connection
        try:
            super().rollback()
        except Exception as exc:
            if not is_connection_loss(exc):
                raise


def _is_plain_read(sql: str) -> bool:
    head = sql.lstrip().upper()
    return head.startswith("SELECT") and " FOR UPDATE" not in head and "NEXTVAL" not in head


class PostgresBackend:
    dialect = POSTGRES

    def __init__(self, url: str, password: str | None = None) -> None:
        self.url = url
        self.params = parse_postgres_url(url)
        if password and "password" not in self.params:
            self.params["password"] = password
        self.health = ConnectionHealth()
        self.write_wait_seconds = WRITE_WAIT_SECONDS
        # Every connection of this desk carries this name; the change notifications the server
        # sends name the writer's, so a window can skip the echo of its own changes.
        self.origin = f"ticketdesk {uuid.uuid4().hex[:12]}"
        _start_canceller()  # now, while nobody waits: not on a window's first cancel

    @property
    def location(self) -> str:
        return redact(self.url)

    def describe(self) -> str:
        return "PostgreSQL (psycopg 3)"

    def prepare(self) -> None:
        try:
            attach_psycopg()
        except ImportError:
            raise StorageError(
                "PostgreSQL support is not installed. Install it with: "
                "pip install 'ticketdesk[postgres]'"
            ) from None

    def connect_params(self) -> dict[str, Any]:
        """libpq keywords for a connection of this desk (psycopg.connect(**params))."""
        params: dict[str, Any] = {**TCP_OPTIONS, "connect_timeout": CONNECT_TIMEOUT}
        params.update(self.params)
        params["dbname"] = params.pop("database")
        params["application_name"] = self.origin
        return params

    def connect_raw(self, *, autocommit: bool = True) -> Any:
        """A psycopg connection of its own (the change listener, bulk COPY)."""
        import psycopg

        return psycopg.connect(autocommit=autocommit, **self.connect_params())

    def make_database(self) -> Any:
        params = self.connect_params()
        name = params.pop("dbname")
        return TeamDatabase(name, prefer_psycopg3=True, health=self.health, **params)

    def after_connect(self, db: Any) -> None:
        """Nothing to verify: the server owns durability and locking."""

    @contextmanager
    def write_lock(self, db: Any) -> Any:
        """A transaction holding this desk's advisory write lock: writers of one desk take turns,
        as on SQLite, so migrations and check-then-write steps never interleave. The lock is
        keyed by the desk's schema, so desks in other schemas of the same database (another
        team, a test run) are never held up. Like SQLite's busy timeout, a write waits at most
        `write_wait_seconds` for its turn or for any row lock (a long import on another
        desktop), then fails with a StorageError instead of freezing the window."""
        with db.atomic() as txn:
            db.execute_sql("SELECT set_config('lock_timeout', %s, true), "
                           "pg_advisory_xact_lock(%s, hashtext(current_schema()))",
                           (f"{int(self.write_wait_seconds * 1000)}ms", MIGRATION_LOCK))
            yield txn

    def rows_changed(self, db: Any) -> int:
        return 0

    def count_change(self, db: Any) -> None:
        """Nothing to count: other desktops hear of changes through LISTEN/NOTIFY."""

    def change_seq(self, db: Any) -> int:
        return self.data_version(db)

    @staticmethod
    def was_interrupted(exc: BaseException) -> bool:
        """Whether `exc` (or what it wraps) is the server's "canceling statement due to user
        request" (`interrupt_connection`)."""
        return any(getattr(c, "sqlstate", None) == QUERY_CANCELED for c in _causes(exc))

    def interrupt_connection(self, raw: Any) -> None:
        """Ask the server to cancel what `raw` (another thread's connection) is running.

        The request travels over a connection of its own to the server (a TCP connect and a
        cancel packet: a round trip or more), so it is handed to the process's cancelling
        thread and this returns at once: the caller is often the GUI thread (a newer query
        superseding an older one, ui/worker.QueryRunner.submit), which waited 116-133 ms here
        behind a network adding 50 ms a round trip (tests/bench/bench_bulk.py --pg … --rtt
        50)."""
        if raw.closed or raw.broken:
            return  # nothing runs on a dead connection; its thread gets a new one
        _CANCELS.put(raw)  # never blocks: starting a thread here would wait for the GIL
        _start_canceller()

    def data_version(self, db: Any) -> int:
        """Grows with every ticket change (each writes an activity row). Windows on a
        PostgreSQL desk are told of changes by LISTEN/NOTIFY instead (`postgres_notify`)."""
        row = db.execute_sql("SELECT coalesce(max(id), 0) FROM activity").fetchone()
        return int(row[0])

    def stream(self, db: Any, sql: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
        """Rows through a server-side cursor, so a million-row export never sits in memory."""
        with db.atomic():
            cursor = db.connection().cursor(name="ticketdesk_stream")
            try:
                cursor.itersize = 5000
                cursor.execute(sql, params)
                yield from cursor
            finally:
                cursor.close()

    def id_array(self, db: Any, sql: str, params: Sequence[Any]) -> np.ndarray:
        """The first column of an ordered id query as int64, built on the server: every id's
        8 bytes in one bytea, decoded by numpy in C, instead of Python making a million row
        tuples (as SqliteBackend does with hex). The aggregate reads its ordered subquery in
        order (PostgreSQL documents it; the parity tests compare with SQLite's order)."""
        row = db.execute_sql(
            f"SELECT string_agg(int8send(ids.id), ''::bytea) FROM ({sql}) AS ids",
            params).fetchone()
        data = bytes(row[0]) if row and row[0] is not None else b""
        return np.frombuffer(data, dtype=">i8").astype(np.int64)

    # -- search -------------------------------------------------------------------------------

    @staticmethod
    def iso_utc(column: Any) -> Any:
        """An epoch-seconds column as ISO 8601 UTC text (`2026-03-31T14:05:00Z`), or NULL."""
        return fn.to_char(fn.timezone("UTC", fn.to_timestamp(column)),
                          'YYYY-MM-DD"T"HH24:MI:SS"Z"')

    @staticmethod
    def text_sort_key(column: Any) -> Any:
        """Text sorts as on SQLite, whatever the server's locale: lower() under the "C"
        collation folds ASCII letters only (as SQLite's lower() does) and compares code points
        (as SQLite's BINARY does). Served by migration 5's ticket_subject_sort index; ten times
        cheaper per row than translate()."""
        return fn.lower(NodeList((column, SQL('COLLATE "C"'))))

    @staticmethod
    def number_key(value: Any) -> Any:
        """A custom number field's stored text as a number (issue 19). Only a number's stored
        form is cast (any other text is NULL), so no row of another field can fail the query
        whatever order the server tests its conditions in."""
        return NodeList((SQL("CASE WHEN"), value, SQL("~ '^-?[0-9]+(\\.[0-9]+)?$' THEN CAST("),
                         value, SQL("AS numeric) END")))

    def newest_search_ids(self, db: Any, query: SearchQuery, limit: int) -> list[int] | None:
        """None: the GIN index serves the plain query well even for common words."""
        return None

    def search_ids_sql(self, query: SearchQuery) -> tuple[str, list[Any]]:
        return ("SELECT ticket_id FROM ticket_search WHERE doc @@ to_tsquery('simple', %s)",
                [query.tsquery()])

    def replace_search_docs(self, db: Any, docs: Sequence[tuple[int, tuple[str, ...]]]) -> None:
        if not docs:
            return
        vector = " || ".join(f"setweight(to_tsvector('simple', %s), '{w}')" for w in _WEIGHTS)
        cursor = db.cursor()
        cursor.executemany(
            f"INSERT INTO ticket_search (ticket_id, doc) VALUES (%s, {vector}) "
            "ON CONFLICT (ticket_id) DO UPDATE SET doc = EXCLUDED.doc",
            [(ticket_id, *cols) for ticket_id, cols in docs],
        )

    def rebuild_search(self, db: Any, ticket_ids: Iterable[int] | None = None) -> None:
        """Rebuild documents (demo data, migration, repair) without the models: texts are read
        a batch of ids at a time, folded in Python (the one tokeniser), sent with COPY and
        turned into vectors on the server in one INSERT per batch. Folding the next batch (on
        a helper thread) overlaps the server's work on this one: at a million tickets each
        side takes minutes."""
        from concurrent.futures import Future, ThreadPoolExecutor

        vector = " || ".join(f"setweight(to_tsvector('simple', {c}), '{w}')" for c, w in
                             zip(("ref", "subject", "body", "talk", "notes"), _WEIGHTS,
                                 strict=True))

        def send(docs: list[tuple[int, tuple[str, ...]]]) -> None:
            db.execute_sql("TRUNCATE td_search_docs")
            with db.cursor().copy("COPY td_search_docs FROM STDIN") as copy:
                for ticket_id, cols in docs:
                    copy.write_row((ticket_id, *cols))
            db.execute_sql(f"INSERT INTO ticket_search (ticket_id, doc) SELECT ticket_id, "
                           f"{vector} FROM td_search_docs "
                           "ON CONFLICT (ticket_id) DO UPDATE SET doc = EXCLUDED.doc")

        with db.atomic(), ThreadPoolExecutor(1, thread_name_prefix="fold") as folder:
            if ticket_ids is None:
                db.execute_sql("DELETE FROM ticket_search")
            db.execute_sql("CREATE TEMP TABLE IF NOT EXISTS td_search_docs (ticket_id BIGINT, "
                           "ref TEXT, subject TEXT, body TEXT, talk TEXT, notes TEXT) "
                           "ON COMMIT DROP")
            pending: Future[list[tuple[int, tuple[str, ...]]]] | None = None
            for batch in _id_batches(db, ticket_ids):
                texts = _texts(db, batch)
                folding = folder.submit(_fold, texts)
                if pending is not None:
                    send(pending.result())
                pending = folding
            if pending is not None:
                send(pending.result())

    # -- change notification ------------------------------------------------------------------

    def channel(self, conn: Any) -> str:
        """The NOTIFY channel of the desk `conn` is on: one per schema, named by its oid (a
        schema name may be longer than a channel name can be)."""
        row = conn.execute("SELECT oid FROM pg_namespace WHERE nspname = current_schema()"
                           ).fetchone()
        if row is None:
            raise StorageError("The desk's schema does not exist on the server (any more).")
        return f"ticketdesk_{row[0]}"

    # -- maintenance --------------------------------------------------------------------------

    def integrity_problems(self, db: Any) -> list[str]:
        """The server guarantees page integrity and foreign keys; check the search index."""
        row = db.execute_sql(
            "SELECT count(*) FROM ticket t LEFT JOIN ticket_search s ON s.ticket_id = t.id "
            "WHERE s.ticket_id IS NULL").fetchone()
        return [f"{row[0]} tickets are missing from the search index"] if row[0] else []

    def snapshot_to(self, db: Any, target: Path) -> None:
        raise StorageError(
            "A PostgreSQL desk is backed up on the server (pg_dump), or copied to a SQLite file "
            "with `ticketdesk migrate --from postgresql://… --to sqlite:///backup.sqlite`; "
            "`ticketdesk backup` copies SQLite desks."
        )


def _id_batches(db: Any, ticket_ids: Iterable[int] | None) -> Iterator[list[int]]:
    if ticket_ids is not None:
        ids = sorted(set(ticket_ids))
        for start in range(0, len(ids), _REBUILD_BATCH):
            yield ids[start:start + _REBUILD_BATCH]
        return
    last = 0
    while True:
        batch = [row[0] for row in db.execute_sql(
            "SELECT id FROM ticket WHERE id > %s ORDER BY id LIMIT %s", (last, _REBUILD_BATCH))]
        if not batch:
            return
        yield batch
        last = batch[-1]


_Texts = list[tuple[Any, ...]]


def _texts(db: Any, ids: list[int]) -> _Texts:
    """Each ticket's texts, as ticket_document takes them (read on the caller's connection)."""
    talk: dict[int, list[str]] = {}
    for tid, body in db.execute_sql(
            "SELECT ticket_id, body FROM message WHERE ticket_id = ANY(%s) "
            "ORDER BY ticket_id, id", (ids,)):
        talk.setdefault(tid, []).append(body)
    notes: dict[int, list[str]] = {}
    for tid, body in db.execute_sql(
            "SELECT ticket_id, body FROM note WHERE ticket_id = ANY(%s) ORDER BY ticket_id, id",
            (ids,)):
        notes.setdefault(tid, []).append(body)
    rows = db.execute_sql(
        "SELECT t.id, t.subject, t.description, c.name, c.email, c.company, t.resolution "
        "FROM ticket t LEFT JOIN customer c ON c.id = t.customer_id WHERE t.id = ANY(%s) "
        "ORDER BY t.id", (ids,))
    # The resolution is searched with the notes, after them (search_index.documents_for).
    return [(*row[:6], talk.get(row[0], ()), [*notes.get(row[0], ()), *([row[6]] if row[6]
                                                                          else [])])
            for row in rows]


def _fold(texts: _Texts) -> list[tuple[int, tuple[str, ...]]]:
    from ticketdesk.db.search_index import ticket_document  # avoid an import cycle

    return [ticket_document(*row) for row in texts]


_CANCELS: queue.SimpleQueue[Any] = queue.SimpleQueue()
_canceller: list[threading.Thread] = []
_canceller_lock = threading.Lock()


def _start_canceller() -> None:
    """The process's one thread that sends cancels (`interrupt_connection`), started once."""
    if _canceller:
        return
    with _canceller_lock:
        if not _canceller:
            thread = threading.Thread(target=_send_cancels, daemon=True, name="pg-cancel")
            thread.start()
            _canceller.append(thread)


def _send_cancels() -> None:
    while True:
        _cancel(_CANCELS.get())


CANCEL_TIMEOUT_S = 10.0


def _cancel(raw: Any) -> None:
    """Cancel what `raw` runs, on the cancelling thread (PostgresBackend.interrupt_connection);
    a cancel that cannot reach the server changes nothing: the query then simply runs on.

    `cancel_safe` (libpq 17's cancel API, which psycopg's own libpq has) waits for the server
    with Python's lock let go; the older `cancel` (PQcancel) holds the lock for its whole round
    trip, and every thread of the window stopped with it: 120 ms stalls of the GUI thread
    behind a 50 ms network, while it was not even the thread asking."""
    with suppress(Exception):  # nothing to tell anyone: the old query's answer is dropped
        safe = getattr(raw, "cancel_safe", None)
        if safe is not None:
            safe(timeout=CANCEL_TIMEOUT_S)
        else:
            raw.cancel()
