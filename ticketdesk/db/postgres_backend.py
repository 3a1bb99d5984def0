"""PostgreSQL through psycopg 3: the one place that knows PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import numpy as np
from peewee import PostgresqlDatabase

from ticketdesk.db.dialect import POSTGRES
from ticketdesk.domain.errors import StorageError, ValidationError
from ticketdesk.domain.search import SearchQuery

# Any constant works; it names "ticketdesk schema migration" among advisory locks.
MIGRATION_LOCK = 0x71C4E7D5
CONNECT_TIMEOUT = 5
_WEIGHTS = ("A", "A", "B", "C", "C")  # ref, subject, body, talk, notes


def parse_postgres_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValidationError(f"{url!r} is not a postgresql:// URL.")
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise ValidationError(
            f"The PostgreSQL URL {url!r} names no database; write postgresql://user@host/dbname."
        )
    params: dict[str, Any] = {"database": dbname}
    if parts.hostname:
        params["host"] = parts.hostname
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(f"The port in {url!r} is not a number.") from None
    if port:
        params["port"] = port
    if parts.username:
        params["user"] = unquote(parts.username)
    if parts.password:
        params["password"] = unquote(parts.password)
    # libpq options such as sslmode=require or options=-csearch_path=desk pass straight through.
    params.update(parse_qsl(parts.query))
    return params


def redact(url: str) -> str:
    """The URL without its password, for titles, logs and messages: libpq also takes one as
    a query option (`?password=...`), so that is hidden too."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc
    if parts.password:
        netloc = netloc.replace(f":{parts.password}@", ":***@")
    query = "&".join("password=***" if item.split("=", 1)[0] == "password" else item
                     for item in parts.query.split("&")) if parts.query else ""
    return parts._replace(netloc=netloc, query=query).geturl()


class PostgresBackend:
    dialect = POSTGRES

    def __init__(self, url: str, password: str | None = None) -> None:
        self.url = url
        self.params = parse_postgres_url(url)
        if password and "password" not in self.params:
            self.params["password"] = password

    @property
    def location(self) -> str:
        return redact(self.url)

    def describe(self) -> str:
        return "PostgreSQL (psycopg 3)"

    def prepare(self) -> None:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise StorageError(
                "PostgreSQL support is not installed. Install it with: "
                "pip install 'ticketdesk[postgres]'"
            ) from None

    def make_database(self) -> Any:
        params = dict(self.params)
        name = params.pop("database")
        return PostgresqlDatabase(name, prefer_psycopg3=True, connect_timeout=CONNECT_TIMEOUT,
                                  application_name="ticketdesk", **params)

    def after_connect(self, db: Any) -> None:
        """Nothing to verify: the server owns durability and locking."""

    @contextmanager
    def write_lock(self, db: Any) -> Any:
        """A transaction holding the desk-wide advisory lock (used for migrations)."""
        with db.atomic() as txn:
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            yield txn

    def interrupt_connection(self, raw: Any) -> None:
        """Ask the server to cancel what `raw` (another thread's connection) is running."""
        raw.cancel()

    def data_version(self, db: Any) -> int:
        """Grows with every ticket change (each writes an activity row)."""
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
        """The first column of an ordered id query as int64."""
        cursor = db.execute_sql(sql, params)
        return np.fromiter((row[0] for row in cursor), dtype=np.int64)

    # -- search -------------------------------------------------------------------------------

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
        from ticketdesk.db.search_index import documents_for  # avoid an import cycle

        if ticket_ids is None:
            db.execute_sql("DELETE FROM ticket_search")
            ids = [row[0] for row in db.execute_sql("SELECT id FROM ticket ORDER BY id")]
        else:
            ids = list(ticket_ids)
        for start in range(0, len(ids), 2000):
            self.replace_search_docs(db, documents_for(ids[start:start + 2000]))

    # -- maintenance --------------------------------------------------------------------------

    def integrity_problems(self, db: Any) -> list[str]:
        """The server guarantees page integrity and foreign keys; check the search index."""
        row = db.execute_sql(
            "SELECT count(*) FROM ticket t LEFT JOIN ticket_search s ON s.ticket_id = t.id "
            "WHERE s.ticket_id IS NULL").fetchone()
        return [f"{row[0]} tickets are missing from the search index"] if row[0] else []

    def snapshot_to(self, db: Any, target: Path) -> None:
        raise StorageError(
            "A PostgreSQL desk is backed up on the server (pg_dump); "
            "`ticketdesk backup` copies SQLite desks."
        )
