"""Writing a demo desk into SQLite fast, in one transaction.

The whole demo is one `BEGIN IMMEDIATE` transaction on the store's own APSW connection, so a
cancel, a crash or a full disk leaves the desk exactly as it was. Inside it: the secondary
indexes of the tables being filled are dropped and recreated afterwards from their own stored SQL
(sorting once is far cheaper than millions of random B-tree inserts, and the schema comes back
identical; partial indexes stay, see `_partial`); rows go in with `executemany`, as multi-row
INSERTs of `rows.GROUP` rows (see `ChunkRows.batched`); a large page cache keeps the pages in
memory.

A large demo on a desk nobody else has open also leaves WAL mode for the load: in WAL every page
is written twice (to the WAL, then by the checkpoint into the file), gigabytes at a million
tickets, while a rollback journal only has to save the few pages the fresh desk already had (new
pages past the old end of the file need no copy). A crash mid-load still rolls back: the next open
finds the hot journal. After the commit the desk goes back to WAL, the mode the storage rules
require (ticketdesk/ARCHITECTURE.md). If another connection has the desk open the switch is refused
at once and the load stays in WAL, where that connection keeps reading the old state until the
commit; automatic checkpoints then wait until the end, when the WAL is checkpointed and truncated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import apsw

from ticketdesk.db.sqlite_backend import BUSY_SECONDS
from ticketdesk.db.store import Store
from ticketdesk.services.customer_addresses import ADOPT_BULK_CUSTOMERS
from ticketdesk.services.demo.plan import DeskPlan, DeskState
from ticketdesk.services.demo.progress import Reporter, cancelled
from ticketdesk.services.demo.rows import ATTACHMENT_KINDS, GROUP, MESSAGE_KINDS, ChunkRows

TABLES = ("agent", "customer", "customer_tag", "tag", "ticket", "message", "note", "attachment")
# Indexes of the bulk-filled tables; the small tables keep theirs (agent names stay unique).
BULK_TABLES = ("customer", "customer_tag_link", "ticket", "ticket_tag", "ticket_assignee",
               "message", "note", "attachment", "activity")
CACHE_KIB_PER_TICKET = 1
FTS_BULK = {"automerge": 16, "hashsize": 16 * 1024 * 1024}
FTS_DEFAULT = {"automerge": 4, "hashsize": 1024 * 1024}
_PROGRESS_STEPS = 20000
ROLLBACK_JOURNAL_FROM = 50_000
"""Demos of at least this many tickets load with a rollback journal when they can."""


class SqliteBulk:
    batched = True  # multi-row INSERTs, see rows.GROUP

    def __init__(self, store: Store, progress: Reporter) -> None:
        self.db = store.db
        self.progress = progress
        self.conn: Any = None
        self._indexes: list[tuple[str, str]] = []
        self._saved_pragmas: dict[str, Any] = {}
        self._offsets = {"message": 0, "note": 0, "attachment": 0}
        self.rollback_journal = False

    # -- transaction --------------------------------------------------------------------------

    def begin(self, tickets: int) -> None:
        """Take the write lock; nothing is written before `desk_state` confirms a fresh desk."""
        if self.db.in_transaction():
            raise RuntimeError("generate() must not run inside another transaction")
        self.db.connect(reuse_if_open=True)
        self.conn = self.db.connection()
        if tickets >= ROLLBACK_JOURNAL_FROM:
            self.rollback_journal = self._leave_wal()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._back_to_wal()
            raise

    def _leave_wal(self) -> bool:
        """Switch to a rollback journal if no other connection has the desk open (without
        waiting: a busy desk just keeps WAL)."""
        self.conn.set_busy_timeout(0)
        try:
            mode = self._scalar("PRAGMA journal_mode = DELETE")
        except (apsw.BusyError, apsw.LockedError):
            return False
        finally:
            self.conn.set_busy_timeout(int(BUSY_SECONDS * 1000))
        return str(mode).lower() == "delete"

    def _back_to_wal(self) -> None:
        if self.rollback_journal:
            self._scalar("PRAGMA journal_mode = WAL")
            self.rollback_journal = False

    def desk_state(self) -> DeskState:
        run = self._scalar
        last_ids = {
            table: max(run("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = ?",
                           (table,)),
                       run(f"SELECT coalesce(max(id), 0) FROM {table}"))
            for table in TABLES
        }
        for table, _ in self._offsets.items():
            self._offsets[table] = last_ids[table]
        return DeskState(
            last_ids=last_ids,
            agent_names=frozenset(r[0] for r in self.conn.execute("SELECT name FROM agent")),
            external_ids=frozenset(r[0] for r in self.conn.execute(
                "SELECT external_id FROM customer WHERE external_id IS NOT NULL")),
            tags=dict(self.conn.execute("SELECT name, id FROM tag")),
            customer_tags=dict(self.conn.execute("SELECT name, id FROM customer_tag")),
        )

    def has_tickets(self) -> bool:
        return bool(self._scalar("SELECT EXISTS (SELECT 1 FROM ticket)"))

    def prepare(self, tickets: int) -> None:
        """Bulk-load settings and dropped indexes, all undone by rollback or by `finish`."""
        for name in ("cache_size", "wal_autocheckpoint", "threads"):
            self._saved_pragmas[name] = self._scalar(f"PRAGMA {name}")
        cache_kib = min(1024 * 1024, max(64 * 1024, tickets * CACHE_KIB_PER_TICKET))
        self._run(f"PRAGMA cache_size = -{cache_kib}")
        self._run("PRAGMA wal_autocheckpoint = 0")
        self._run("PRAGMA threads = 2")
        marks = ",".join("?" * len(BULK_TABLES))
        self._indexes = [(name, sql) for name, sql in self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY name", BULK_TABLES)
            if not _partial(sql)]
        for name, _ in self._indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        self._fts_config(FTS_BULK)

    def _fts_config(self, values: dict[str, int]) -> None:
        for key, value in values.items():
            self.conn.execute("INSERT INTO ticket_fts (ticket_fts, rank) VALUES (?, ?)",
                              (key, value))

    def abort(self) -> None:
        if self.conn is None:
            return
        if not self.conn.getautocommit():
            self.conn.execute("ROLLBACK")
        self._back_to_wal()
        self._restore_pragmas()

    def _restore_pragmas(self) -> None:
        for name, value in self._saved_pragmas.items():
            self._run(f"PRAGMA {name} = {int(value)}")
        self._saved_pragmas.clear()

    def _run(self, sql: str) -> None:
        """Run to completion (a PRAGMA that answers would otherwise stay pending)."""
        self.conn.execute(sql).fetchall()

    def _scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    # -- rows ---------------------------------------------------------------------------------

    def write_people(self, plan: DeskPlan) -> None:
        c = self.conn
        c.executemany("INSERT INTO agent (id, name, email, active, created_at) VALUES (?,?,?,?,?)",
                      [(a.id, a.name, a.email, int(a.active), a.hired_at) for a in plan.agents])
        c.executemany("INSERT INTO tag (id, name) VALUES (?, ?)", plan.new_tags)
        c.executemany("INSERT INTO customer_tag (id, name) VALUES (?, ?)", plan.new_customer_tags)
        p = plan.customers
        c.executemany(
            "INSERT INTO customer (id, name, email, phone, company, external_id, created_at, "
            "version) VALUES (?,?,?,?,?,?,?,1)",
            zip(p.ids, p.names, p.emails, p.phones, p.companies, p.external_ids, p.created_at,
                strict=True))
        c.executemany("INSERT INTO customer_tag_link (customer_id, tag_id) VALUES (?, ?)",
                      [(cid, plan.customer_tag_ids[tag])
                       for cid, tags in zip(p.ids, p.tags, strict=True) for tag in tags])
        for statement in ADOPT_BULK_CUSTOMERS:  # organisations, address rows (migration 20)
            c.execute(statement)

    def write_chunk(self, rows: ChunkRows) -> None:
        offsets = {"@M": self._offsets["message"], "@N": self._offsets["note"],
                   "@A": self._offsets["attachment"]}
        for statement in _STATEMENTS:
            groups = rows.groups.get(statement.rows, [])
            rest = getattr(rows, statement.rows)
            if statement.offsets:
                extra = tuple(offsets[mark] for mark in statement.offsets)
                groups = [group + extra for group in groups]
                rest = [row + extra for row in rest]
            if groups:
                self.conn.executemany(statement.grouped, groups)
            if rest:
                self.conn.executemany(statement.single, rest)
        self._offsets["message"] += rows.count("messages")
        self._offsets["note"] += rows.count("notes")
        self._offsets["attachment"] += rows.count("attachments")

    # -- the end ------------------------------------------------------------------------------

    def finish(self, done: int, units: int) -> None:
        """Recreate the indexes, commit, checkpoint: `units` of progress after `done`."""
        progress = self.progress
        self.conn.set_progress_handler(progress.should_interrupt, _PROGRESS_STEPS)
        try:
            for i, (name, sql) in enumerate(self._indexes):
                progress.update(done + units * i // (2 * len(self._indexes)),
                                f"Indexing ({name})", force=True)
                self.conn.execute(sql)
            # One segment per level left by the bulk build's automerge 16 would otherwise be
            # merged by the first ordinary write after it, at automerge 4: 10-25 s for one save
            # on a million-ticket desk. Merged here, once, while the user watches the progress.
            progress.update(done + units // 2 - 1, "Indexing (search)", force=True)
            self.conn.execute("INSERT INTO ticket_fts (ticket_fts) VALUES ('optimize')")
            self._fts_config(FTS_DEFAULT)
        except Exception as exc:
            if progress.cancelled:
                raise cancelled() from exc
            raise
        finally:
            self.conn.set_progress_handler(None)
        progress.update(done + units // 2, "Saving to disk (can no longer be cancelled)",
                        force=True)
        progress.uncancellable(lambda: self.conn.execute("COMMIT"),
                               "Saving to disk (can no longer be cancelled)")
        if self.rollback_journal:
            progress.update(done + units * 3 // 4, "Back to WAL mode", force=True)
            progress.uncancellable(self._back_to_wal, "Back to WAL mode")
        else:
            progress.update(done + units * 3 // 4, "Checkpointing the database", force=True)
            progress.uncancellable(
                lambda: self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall(),
                "Checkpointing the database")
        self._restore_pragmas()


def _partial(sql: str) -> bool:
    """A partial index (CREATE INDEX ... WHERE ...) holds few of its table's rows: keeping it
    up to date row by row costs less than building it, which reads the whole table."""
    return re.search(r"\)\s*WHERE\s", sql, re.IGNORECASE) is not None


@dataclass(frozen=True)
class _Insert:
    """One table's INSERT, for one row and for a group of GROUP rows. The SQL never changes
    between chunks (so SQLite parses it once): the id offsets of messages, notes and attachments
    are bound as the last three parameters, after the rows' own values."""

    rows: str
    """The ChunkRows field holding the rows."""
    single: str
    grouped: str
    offsets: tuple[str, ...]
    """The offsets it uses (@M, @N, @A), bound in this order after the rows' values."""

    @classmethod
    def of(cls, table: str, rows: str, columns: str, values: str) -> _Insert:
        """`values` is one row's VALUES term: ?1..?k its own values, @M, @N, @A the message,
        note and attachment id offsets."""
        width = max(int(k) for k in re.findall(r"\?(\d+)", values))
        head = f"INSERT INTO {table} ({columns}) VALUES "

        offsets = tuple(mark for mark in ("@M", "@N", "@A") if mark in values)

        def statement(count: int) -> str:
            terms = ",".join(_renumber(values, i * width) for i in range(count))
            for i, mark in enumerate(offsets, start=count * width + 1):
                terms = terms.replace(mark, f"?{i}")
            return head + terms

        return cls(rows, statement(1), statement(GROUP), offsets)


def _numbered(count: int, first: str = "") -> str:
    marks = [f"?{i}" for i in range(1, count + 1)]
    if first:
        marks[0] = f"?1 {first}"
    return "(" + ", ".join(marks) + ")"


def _renumber(values: str, shift: int) -> str:
    """A VALUES term for a later row of a group: ?k becomes ?(k + shift)."""
    if not shift:
        return values
    return re.sub(r"\?(\d+)", lambda match: f"?{int(match.group(1)) + shift}", values)


_MESSAGE_KINDS = ",".join(f"'{k}'" for k in MESSAGE_KINDS)
_ATTACHMENT_KINDS = ",".join(f"'{k}'" for k in ATTACHMENT_KINDS)
_STATEMENTS = (  # in insertion order: parents before children
    _Insert.of("ticket", "tickets", "id, subject, description, status, priority, category, "
               "customer_id, created_at, updated_at, first_response_at, resolved_at, closed_at, "
               "version", _numbered(13)),
    _Insert.of("ticket_tag", "ticket_tags", "ticket_id, tag_id", _numbered(2)),
    _Insert.of("ticket_assignee", "assignees", "ticket_id, agent_id", _numbered(2)),
    _Insert.of("message", "messages", "id, ticket_id, incoming, agent_id, body, created_at",
               _numbered(6, "+ @M")),
    _Insert.of("note", "notes", "id, ticket_id, author_id, body, created_at, updated_at, "
               "version", _numbered(7, "+ @N")),
    _Insert.of("attachment", "attachments", "id, ticket_id, message_id, name, mime, size, "
               "sha256, created_at, agent_id", "(?1 + @A, ?2, ?3 + @M, ?4, ?5, ?6, ?7, ?8, ?9)"),
    _Insert.of("attachment_content", "contents", "attachment_id, data", "(?1 + @A, ?2)"),
    _Insert.of("activity", "activity", "ticket_id, agent_id, at, kind, old, new, ref_id, "
               "ticket_version", f"(?1, ?2, ?3, ?4, ?5, ?6, ?7 + CASE WHEN ?4 IN "
               f"({_MESSAGE_KINDS}) THEN @M WHEN ?4 IN ({_ATTACHMENT_KINDS}) THEN @A "
               "ELSE @N END, ?8)"),
    _Insert.of("ticket_fts", "search", "rowid, ref, subject, body, talk, notes", _numbered(6)),
)
