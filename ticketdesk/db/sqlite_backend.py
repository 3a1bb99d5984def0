"""SQLite through APSW: the one place that knows SQLite.

Rules (ticketdesk/ARCHITECTURE.md, "Storage rules"): WAL, foreign keys on, a busy timeout, every
write in BEGIN IMMEDIATE, synchronous=FULL (a saved change survives a power cut), SQLite >= 3.51.3
(APSW bundles it), the file and its folder private to the user, and no desk on a network share.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import apsw
import numpy as np
from peewee import SQL, NodeList, fn
from playhouse.apsw_ext import APSWDatabase

from ticketdesk.db.dialect import SQLITE
from ticketdesk.db.files import fsync_dir, private_dir, private_file
from ticketdesk.db.network import network_share_kind
from ticketdesk.domain.errors import StorageError
from ticketdesk.domain.search import SearchQuery, document

MIN_SQLITE = (3, 51, 3)
BUSY_SECONDS = 10.0
PRAGMAS = (
    ("journal_mode", "wal"),
    ("synchronous", "full"),
    ("foreign_keys", "on"),
    ("cache_size", "-32768"),  # 32 MB per connection
    ("journal_size_limit", str(64 * 1024 * 1024)),
)
# newest_search_ids keeps the plain query when the newest matches are sparser than one ticket
# in this many: the range it probes grows with the sparsity (an index scan, ~1 ms per 10,000
# tickets), the plain query's sort with the number of matches (about limit * N / span). At
# 1M tickets they cost the same near a span of 50,000.
SPARSE_SPAN = 250
PREFIX_TERMS = 64
"""A word still being typed ("gett") is looked up as the OR of the words in the index that start
with it, when there are at most this many (see `_newest_match`)."""
SEARCH_COLUMNS = ("ref", "subject", "body", "talk", "notes")


def sqlite_version() -> tuple[int, ...]:
    return tuple(int(part) for part in apsw.sqlitelibversion().split("."))


class SqliteBackend:
    dialect = SQLITE

    def __init__(self, path: Path, *, mounts_file: Path | None = None) -> None:
        self.path = path.expanduser().absolute()
        self._mounts_file = mounts_file

    @property
    def location(self) -> str:
        return str(self.path)

    def describe(self) -> str:
        return f"SQLite {apsw.sqlitelibversion()} (APSW {apsw.apswversion()})"

    def prepare(self) -> None:
        """Checks before the first connection; creates the file privately if it is new."""
        if sqlite_version() < MIN_SQLITE:
            raise StorageError(
                f"SQLite {apsw.sqlitelibversion()} is too old (it can corrupt a WAL database); "
                "ticketdesk needs 3.51.3 or newer. Reinstall ticketdesk to get a current APSW."
            )
        if self.path.is_dir():
            raise StorageError(f"{self.path} is a folder; give the path of a database file.")
        folder = self.path.parent
        kind = network_share_kind(folder if folder.exists() else Path(os.path.dirname(folder)),
                                  self._mounts_file)
        if kind:
            raise StorageError(
                f"{folder} is on a network share ({kind}). SQLite cannot lock files safely there, "
                "so two computers could corrupt the desk. Keep the file on a local disk, or share "
                "the desk through a PostgreSQL server: ticketdesk --db postgresql://user@host/desk"
            )
        if self.path.is_file() and self.path.stat().st_size:
            self._refuse_foreign()
        try:
            private_dir(folder)
            private_file(self.path)
        except OSError as exc:
            raise StorageError(f"Cannot create the database at {self.path}: {exc.strerror}.") \
                from exc

    def _refuse_foreign(self) -> None:
        """Look before the first connection switches the file to WAL mode, so that another
        program's database is refused untouched (migrations check again, for PostgreSQL)."""
        from ticketdesk.db.migrations import foreign_error

        try:
            conn = apsw.Connection(str(self.path), flags=apsw.SQLITE_OPEN_READONLY)
            try:
                tables = [name for (name,) in
                          conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            finally:
                conn.close()
        except apsw.Error:
            return  # not a database, or damaged: the real connection says which
        error = foreign_error(tables)
        if error is not None:
            raise error

    def make_database(self, *, exclusive: bool = False) -> Any:
        """The peewee database. `exclusive` (for reading a desk on a full disk, see
        store.open_database) keeps the file locked for this connection alone, which lets SQLite
        keep the WAL index in memory instead of the -shm file it could not grow there."""
        pragmas = (("locking_mode", "exclusive"), *PRAGMAS) if exclusive else PRAGMAS
        return APSWDatabase(str(self.path), pragmas=pragmas, timeout=BUSY_SECONDS,
                            lock_type="IMMEDIATE")

    def after_connect(self, db: Any) -> None:
        mode = db.execute_sql("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StorageError(
                f"The file system holding {self.path} does not support SQLite's WAL mode "
                f"(it stayed in {mode!r}). Keep the desk on a local disk."
            )

    def write_lock(self, db: Any) -> AbstractContextManager[Any]:
        lock: AbstractContextManager[Any] = db.atomic()
        return lock  # BEGIN IMMEDIATE: the lock is taken up front, never mid-transaction

    def interrupt_connection(self, raw: Any) -> None:
        """Abort whatever `raw` (a connection another thread uses) is running; thread-safe."""
        raw.interrupt()

    @staticmethod
    def was_interrupted(exc: BaseException) -> bool:
        """Whether `exc` (or what it wraps) is SQLite's "interrupted" (`interrupt_connection`)."""
        seen: BaseException | None = exc
        while seen is not None:
            if type(seen).__name__ == "InterruptError":
                return True
            seen = seen.__cause__ or seen.__context__
        return False

    # -- change detection ---------------------------------------------------------------------

    def data_version(self, db: Any) -> int:
        """Changes when another connection commits (PRAGMA data_version); cheap to poll."""
        return int(db.execute_sql("PRAGMA data_version").fetchone()[0])

    def rows_changed(self, db: Any) -> int:
        """Rows inserted, updated or deleted on this connection so far (sqlite3_total_changes)."""
        return int(db.connection().total_changes())

    def count_change(self, db: Any) -> None:
        """Count a visible change, inside the write transaction (read by `change_seq`)."""
        db.execute_sql(
            "INSERT INTO desk_meta (key, value) VALUES ('change_seq', '1') ON CONFLICT (key) "
            "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)")

    def change_seq(self, db: Any) -> int:
        row = db.execute_sql("SELECT value FROM desk_meta WHERE key = 'change_seq'").fetchone()
        return int(row[0]) if row else 0

    def stream(self, db: Any, sql: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
        """Rows one at a time; APSW steps the statement lazily, so memory stays constant."""
        yield from db.execute_sql(sql, params)

    def id_array(self, db: Any, sql: str, params: Sequence[Any]) -> np.ndarray:
        """The first column of an ordered id query as int64, built inside SQLite: each id as 16
        hex digits, concatenated and turned into 8-byte big-endian binary by `unhex`, then read
        by numpy without a copy. At a million ids: 144 ms against 630 for a row loop, and the
        thread holds Python's GIL for under 10 ms of it, so the GUI thread stays free."""
        row = db.execute_sql(
            f"SELECT unhex(group_concat(printf('%016x', id), '')) FROM ({sql})", params).fetchone()
        data = row[0] if row and row[0] else b""
        return np.frombuffer(data, dtype=">i8").astype(np.int64)

    # -- search -------------------------------------------------------------------------------

    @staticmethod
    def iso_utc(column: Any) -> Any:
        """An epoch-seconds column as ISO 8601 UTC text (`2026-03-31T14:05:00Z`), or NULL."""
        return fn.strftime("%Y-%m-%dT%H:%M:%SZ", column, "unixepoch")

    @staticmethod
    def text_sort_key(column: Any) -> Any:
        """How text columns sort (served by the lower(...) indexes of migration 1)."""
        return fn.lower(column)

    @staticmethod
    def number_key(value: Any) -> Any:
        """A custom number field's stored text as a number (issue 19)."""
        return NodeList((SQL("CAST("), value, SQL(" AS REAL)")), glue="")

    def newest_search_ids(self, db: Any, query: SearchQuery, limit: int) -> list[int] | None:
        """The `limit` newest tickets matching `query` (by created_at, then id, descending), fast
        when the words are common; None when the plain query is the better plan.

        A search for a common word ("refund" in a third of a million tickets) spends its time
        sorting every match by date: 0.6 s. FTS5 hands out matches by rowid, newest id first,
        and stops when asked. Ticket ids follow creation time except for imported tickets, so:
        take the `limit` highest-id matches; add any match created since the oldest of them
        that has a lower id (an index range, each probed in the index by rowid); sort that small
        set. Exact whatever the ids, 12–40 ms instead of 0.1–0.6 s at a million tickets. The
        range to probe is as long as the matches are sparse, so sparse words (few matches, a
        cheap plain query) keep the plain query.
        """
        match = self._newest_match(db, query)
        newest = [row[0] for row in db.execute_sql(
            "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (match, limit))]
        if len(newest) < limit:
            return None  # few matches: the plain query sorts them in no time
        lowest = min(newest)
        if (max(newest) - lowest + 1) > SPARSE_SPAN * limit:
            return None
        listed = ",".join(map(str, newest))
        oldest = db.execute_sql(
            f"SELECT min(created_at) FROM ticket WHERE id IN ({listed})").fetchone()[0]
        late = [row[0] for row in db.execute_sql(
            "SELECT t.id FROM ticket AS t WHERE t.created_at >= ? AND t.id < ? AND EXISTS "
            "(SELECT 1 FROM ticket_fts AS f WHERE f.ticket_fts MATCH ? AND f.rowid = t.id)",
            (oldest, lowest, match))]
        listed = ",".join(map(str, newest + late))
        return [row[0] for row in db.execute_sql(
            f"SELECT id FROM ticket WHERE id IN ({listed}) "
            "ORDER BY created_at DESC, id DESC LIMIT ?", (limit,))]

    def _newest_match(self, db: Any, query: SearchQuery) -> str:
        """The MATCH text for the newest matches, with the last word's prefix spelled out.

        A prefix query ("getting"*, the word the user may still be typing) makes FTS5 read and
        merge the whole doclist of every word with that prefix before it can hand out the
        newest match: 60 ms for a common word at a million tickets. The same matches, asked as
        ("getting" OR "gettings"), stream newest first and stop at the LIMIT: under 1 ms, plus
        a few ms to list the words from the index's vocabulary (an fts5vocab table in the
        connection's temp schema; nothing is written to the desk). A short prefix that starts
        too many words keeps the prefix query."""
        plain = query.fts5()
        last = query.phrases[-1] if query.phrases else ()
        if not query.prefix_last or len(last) != 1 or not last[0] or last[0][-1] == "\U0010ffff":
            return plain
        word = last[0]
        db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.ticket_fts_words "
                       "USING fts5vocab(main, ticket_fts, row)")
        words = [row[0] for row in db.execute_sql(
            "SELECT term FROM temp.ticket_fts_words WHERE term >= ? AND term < ? LIMIT ?",
            (word, word[:-1] + chr(ord(word[-1]) + 1), PREFIX_TERMS + 1))]
        if not words or len(words) > PREFIX_TERMS or any('"' in w for w in words):
            return plain
        spelled = "(" + " OR ".join(f'"{w}"' for w in words) + ")"
        return " AND ".join([*('"' + " ".join(p) + '"' for p in query.phrases[:-1]), spelled])

    def search_ids_sql(self, query: SearchQuery) -> tuple[str, list[Any]]:
        return "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?", [query.fts5()]

    def replace_search_docs(self, db: Any, docs: Sequence[tuple[int, tuple[str, ...]]]) -> None:
        """Docs are (ticket_id, (ref, subject, body, talk, notes)) already folded."""
        if not docs:
            return
        marks = ",".join("?" * len(docs))
        db.execute_sql(f"DELETE FROM ticket_fts WHERE rowid IN ({marks})",
                       [ticket_id for ticket_id, _ in docs])
        cursor = db.cursor()
        cursor.executemany(
            "INSERT INTO ticket_fts (rowid, ref, subject, body, talk, notes) VALUES (?,?,?,?,?,?)",
            [(ticket_id, *cols) for ticket_id, cols in docs],
        )

    def rebuild_search(self, db: Any, ticket_ids: Iterable[int] | None = None) -> None:
        """Rebuild documents in SQL (demo, repair); `td_fold(text, part)` folds and bounds
        like search_index.ticket_document."""
        from ticketdesk.db.search_index import bounded  # avoid an import cycle

        conn = db.connection()
        conn.create_scalar_function("td_fold", lambda s, part: bounded(document(s), part)
                                    if s else "", 2, deterministic=True)
        if ticket_ids is None:
            db.execute_sql("DELETE FROM ticket_fts")
            where = ""
        else:
            where = "WHERE t.id IN (SELECT value FROM json_each(?))"
        params = [] if ticket_ids is None else [f"[{','.join(map(str, ticket_ids))}]"]
        db.execute_sql(
            f"""INSERT INTO ticket_fts (rowid, ref, subject, body, talk, notes)
            SELECT t.id,
                   td_fold(printf('TKT-%06d', t.id) || ' ' || coalesce(c.name, '') || ' '
                           || coalesce(c.email, '') || ' ' || coalesce(c.company, ''), 0),
                   td_fold(t.subject, 1), td_fold(t.description, 2),
                   td_fold((SELECT group_concat(m.body, ' ') FROM message m
                            WHERE m.ticket_id = t.id), 3),
                   td_fold(concat_ws(' ', (SELECT group_concat(n.body, ' ') FROM note n
                                           WHERE n.ticket_id = t.id), nullif(t.resolution, '')),
                           4)
            FROM ticket t LEFT JOIN customer c ON c.id = t.customer_id {where}""",
            params,
        )

    # -- maintenance --------------------------------------------------------------------------

    def integrity_problems(self, db: Any) -> list[str]:
        problems = [row[0] for row in db.execute_sql("PRAGMA integrity_check").fetchall()
                    if row[0] != "ok"]
        problems += [f"row {rowid} of {table} points to a missing {parent}"
                     for table, rowid, parent, _ in
                     db.execute_sql("PRAGMA foreign_key_check").fetchall()]
        return problems

    def snapshot_to(self, db: Any, target: Path) -> None:
        """Consistent copy of the desk at `target` (which must not exist): VACUUM INTO a private
        temporary file beside it, check that copy, make it durable, then rename into place."""
        private_dir(target.parent)
        tmp = target.with_name(f".{target.name}.partial")
        tmp.unlink(missing_ok=True)
        private_file(tmp)
        try:
            db.execute_sql("VACUUM INTO ?", (str(tmp),))
            check = apsw.Connection(str(tmp), flags=apsw.SQLITE_OPEN_READONLY)
            try:
                result = check.execute("PRAGMA integrity_check").fetchall()
            finally:
                check.close()
            if result != [("ok",)]:
                raise StorageError(f"The backup copy failed its integrity check: {result[:3]}")
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
            fsync_dir(target.parent)
        finally:
            tmp.unlink(missing_ok=True)
