"""Writing a demo desk into PostgreSQL with COPY, in one transaction.

Rows stream in through psycopg's COPY (an order of magnitude faster than INSERTs); secondary
indexes of the filled tables are dropped first and rebuilt from their own definitions at the end,
inside the same transaction, so the schema comes back identical and a cancel rolls everything
back. Search documents are copied into a temporary table and turned into `ticket_search`
tsvectors by the server with the very expression `PostgresBackend.replace_search_docs` uses.
Sequences are moved past the demo's ids, so the next ticket created gets the next number.
Concurrent writers wait: the ticket table is locked against other inserts until the commit.

The change-notification triggers (`ticketdesk_notify_*`, migration 5) capture every row of every
statement to announce it, which doubles the cost of a load that only needs one announcement:
they are switched off for all but the last two chunks, whose statements (over 100 rows each)
make the triggers themselves announce "everything changed" at the commit, as for any bulk write.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from typing import Any

from ticketdesk.db.store import Store
from ticketdesk.services.customer_addresses import ADOPT_BULK_CUSTOMERS
from ticketdesk.services.demo.chunk import chunk_count
from ticketdesk.services.demo.plan import DeskPlan, DeskState
from ticketdesk.services.demo.progress import Reporter, cancelled
from ticketdesk.services.demo.rows import ATTACHMENT_KINDS, MESSAGE_KINDS, ChunkRows

TABLES = ("agent", "customer", "customer_tag", "tag", "ticket", "message", "note", "attachment")
BULK_TABLES = ("customer", "customer_tag_link", "ticket", "ticket_tag", "ticket_assignee",
               "message", "note", "attachment", "activity", "ticket_search")
_WEIGHTS = ("A", "A", "B", "C", "C")  # as PostgresBackend: ref, subject, body, talk, notes
SEARCH_VECTOR = " || ".join(f"setweight(to_tsvector('simple', {column}), '{weight}')"
                            for column, weight in zip(("ref", "subject", "body", "talk", "notes"),
                                                      _WEIGHTS, strict=True))


class PostgresBulk:
    batched = False  # COPY takes rows one by one

    def __init__(self, store: Store, progress: Reporter) -> None:
        self.db = store.db
        self.progress = progress
        self.conn: Any = None
        self._stack = ExitStack()
        self._indexes: list[tuple[str, str]] = []
        self._quiet: list[tuple[str, str]] = []
        self._loud_from = 0
        self._offsets = {"message": 0, "note": 0, "attachment": 0}

    def begin(self, tickets: int) -> None:
        if self.db.in_transaction():
            raise RuntimeError("generate() must not run inside another transaction")
        self._stack.enter_context(self.db.atomic())
        self.conn = self.db.connection()
        self._execute("LOCK TABLE ticket IN SHARE ROW EXCLUSIVE MODE")

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []

    def desk_state(self) -> DeskState:
        last_ids = {}
        for table in TABLES:
            (sequence,), = self._execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,))
            (value, called), = self._execute(f"SELECT last_value, is_called FROM {sequence}")
            (top,), = self._execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            last_ids[table] = max(int(value) if called else int(value) - 1, int(top))
        for table in self._offsets:
            self._offsets[table] = last_ids[table]
        return DeskState(
            last_ids=last_ids,
            agent_names=frozenset(r[0] for r in self._execute("SELECT name FROM agent")),
            external_ids=frozenset(r[0] for r in self._execute(
                "SELECT external_id FROM customer WHERE external_id IS NOT NULL")),
            tags={str(r[0]): int(r[1]) for r in self._execute("SELECT name, id FROM tag")},
            customer_tags={str(r[0]): int(r[1])
                           for r in self._execute("SELECT name, id FROM customer_tag")},
        )

    def has_tickets(self) -> bool:
        return bool(self._execute("SELECT EXISTS (SELECT 1 FROM ticket)")[0][0])

    def prepare(self, tickets: int) -> None:
        """Drop the secondary indexes (not those behind keys, nor partial ones, which hold few
        rows), quiet the notification triggers, and make the documents' table."""
        self._indexes = [(name, sql) for name, sql in self._execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s) "
            "AND x.indpred IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY i.relname", (list(BULK_TABLES),))]
        for name, _ in self._indexes:
            self._execute(f'DROP INDEX "{name}"')
        self._loud_from = chunk_count(tickets) - 2
        if self._loud_from > 0:
            self._quiet = [(str(table), str(name)) for table, name in self._execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' "
                "AND c.relnamespace = current_schema()::regnamespace "
                "AND p.proname LIKE 'ticketdesk\\_notify%%' ORDER BY 1, 2")]
            self._switch_triggers("DISABLE")
        self._execute("CREATE TEMPORARY TABLE demo_search_docs (ticket_id BIGINT, ref TEXT, "
                      "subject TEXT, body TEXT, talk TEXT, notes TEXT) ON COMMIT DROP")

    def _switch_triggers(self, how: str) -> None:
        for table, name in self._quiet:
            self._execute(f'ALTER TABLE "{table}" {how} TRIGGER "{name}"')
        if how == "ENABLE":
            self._quiet = []

    def abort(self) -> None:
        """Roll back: leaving peewee's transaction with an exception is what rolls it back."""
        kind, error, trace = sys.exc_info()
        if kind is None:
            error = cancelled()
            kind = type(error)
        self._stack.__exit__(kind, error, trace)

    def _copy(self, table: str, columns: str, rows: Any) -> None:
        with self.conn.cursor() as cursor, cursor.copy(
                f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def write_people(self, plan: DeskPlan) -> None:
        self._copy("agent", "id, name, email, active, created_at",
                   [(a.id, a.name, a.email, a.active, a.hired_at) for a in plan.agents])
        self._copy("tag", "id, name", plan.new_tags)
        self._copy("customer_tag", "id, name", plan.new_customer_tags)
        p = plan.customers
        self._copy("customer", "id, name, email, phone, company, external_id, created_at, version",
                   ((*row, 1) for row in zip(p.ids, p.names, p.emails, p.phones, p.companies,
                                             p.external_ids, p.created_at, strict=True)))
        self._copy("customer_tag_link", "customer_id, tag_id",
                   [(cid, plan.customer_tag_ids[tag])
                    for cid, tags in zip(p.ids, p.tags, strict=True) for tag in tags])
        for statement in ADOPT_BULK_CUSTOMERS:  # organisations, address rows (migration 20)
            self._execute(statement)

    def write_chunk(self, rows: ChunkRows) -> None:
        if rows.index >= self._loud_from and self._quiet:
            self._switch_triggers("ENABLE")
        m, n, a = (self._offsets[k] for k in ("message", "note", "attachment"))
        self._copy("ticket", "id, subject, description, status, priority, category, customer_id, "
                   "created_at, updated_at, first_response_at, resolved_at, closed_at, version",
                   rows.tickets)
        self._copy("ticket_tag", "ticket_id, tag_id", rows.ticket_tags)
        self._copy("ticket_assignee", "ticket_id, agent_id", rows.assignees)
        self._copy("message", "id, ticket_id, incoming, agent_id, body, created_at",
                   ((r[0] + m, *r[1:]) for r in rows.messages))
        self._copy("note", "id, ticket_id, author_id, body, created_at, updated_at, version",
                   ((r[0] + n, *r[1:]) for r in rows.notes))
        self._copy("attachment", "id, ticket_id, message_id, name, mime, size, sha256, "
                   "created_at, agent_id",
                   ((r[0] + a, r[1], None if r[2] is None else r[2] + m, *r[3:])
                    for r in rows.attachments))
        self._copy("attachment_content", "attachment_id, data",
                   ((r[0] + a, r[1]) for r in rows.contents))
        offset = {**dict.fromkeys(MESSAGE_KINDS, m), **dict.fromkeys(ATTACHMENT_KINDS, a)}
        self._copy("activity", "ticket_id, agent_id, at, kind, old, new, ref_id, ticket_version",
                   ((*r[:6], None if r[6] is None else r[6] + offset.get(r[3], n), r[7])
                    for r in rows.activity))
        self._copy("demo_search_docs", "ticket_id, ref, subject, body, talk, notes", rows.search)
        self._offsets["message"] += rows.count("messages")
        self._offsets["note"] += rows.count("notes")
        self._offsets["attachment"] += rows.count("attachments")

    def finish(self, done: int, units: int) -> None:
        self._switch_triggers("ENABLE")
        progress = self.progress
        steps = [("Building the search index",
                  f"INSERT INTO ticket_search (ticket_id, doc) SELECT ticket_id, {SEARCH_VECTOR} "
                  "FROM demo_search_docs")]
        steps += [(f"Indexing ({name})", sql) for name, sql in self._indexes]
        steps += [("Moving id sequences",
                   f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                   f"FROM {table} HAVING max(id) IS NOT NULL") for table in TABLES]
        for i, (phase, sql) in enumerate(steps):
            progress.update(done + units * i // (len(steps) + 1), phase, force=True)
            progress.cancellable(lambda sql=sql: self._execute(sql), self.conn.cancel)  # type: ignore[misc]
        progress.update(done + units * len(steps) // (len(steps) + 1),
                        "Saving (can no longer be cancelled)", force=True)
        self._stack.close()  # commit
        for table in BULK_TABLES:
            self.db.execute_sql(f"ANALYZE {table}")
