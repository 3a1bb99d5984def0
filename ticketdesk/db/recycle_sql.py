"""What the recycle bin and erasure need that differs between the engines (services/recycle_bin.py,
services/erasure.py): the search index rows of tickets that left, keeping the original authors
while restoring, a deleted note's text in activity, and making erased bytes unreadable; and the
bin's raw row reads and writes (driver cursors: peewee's row objects and SQL building cost
more than the queries at 10,000 tickets), with the conflicts a restore can meet."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from peewee import IntegrityError, Model

from ticketdesk.db.errors import causes

CHUNK = 500


def rows_of(model: type[Model], field: str, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The rows of `model` whose `field` is one of `ids`, as {field name: stored value}; read
    with the driver's cursor (peewee's row objects cost more than the query at 10,000 tickets)."""
    fields = [f for f in model._meta.sorted_fields if f.name != "data"]
    sql, params = model.select(*fields).where(getattr(model, field).in_(list(ids))).sql()
    names = [f.name for f in fields]
    return [dict(zip(names, row, strict=True))
            for row in model._meta.database.execute_sql(sql, params).fetchall()]


def bulk_insert(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows of {field name: value} with one prepared statement (executemany): peewee's
    insert_many spends seconds building SQL for 10,000 tickets' rows."""
    if not rows:
        return
    db = model._meta.database
    fields = [model._meta.fields[name] for name in rows[0]]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    marks = ", ".join([db.param] * len(fields))
    values = [tuple(f.db_value(row[f.name]) for f in fields) for row in rows]
    db.cursor().executemany(
        f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})', values)


def forget_search_docs(store: Any, ticket_ids: Sequence[int]) -> None:
    """Drop the search documents of tickets that are no longer on the desk. SQLite's index is a
    contentless FTS5 table no foreign key reaches, so its rows go explicitly; PostgreSQL's
    `ticket_search` follows the ticket by ON DELETE CASCADE, and this is then a no-op."""
    table, column = ("ticket_fts", "rowid") if store.is_sqlite else ("ticket_search", "ticket_id")
    mark = "?" if store.is_sqlite else "%s"
    ids = list(ticket_ids)
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        marks = ",".join([mark] * len(part))
        store.db.execute_sql(f"DELETE FROM {table} WHERE {column} IN ({marks})", part)


def keep_original_authors(store: Any) -> None:
    """Within this write transaction, let a signed-in admin insert rows with the authors they
    had (a restore): migration 22 makes the stamping triggers skip an admin who set this. The
    server still stamps every non-admin. SQLite has no triggers to tell."""
    if not store.is_sqlite:
        store.db.execute_sql("SET LOCAL ticketdesk.restoring = 'on'")


def forget_note_text(store: Any, ticket_id: int, note_id: int) -> None:
    """The activity rows of a deleted note keep who and when but no longer its text. On
    PostgreSQL, `activity` is append-only for agents; migration 22's function does this one
    update, and only for a note that no longer exists."""
    if store.is_sqlite:
        store.db.execute_sql(
            "UPDATE activity SET old = NULL, new = NULL WHERE ticket_id = ? AND ref_id = ? AND "
            "kind IN ('note_added', 'note_edited', 'note_deleted') "
            "AND NOT EXISTS (SELECT 1 FROM note WHERE id = ?)", (ticket_id, note_id, note_id))
    else:
        store.db.execute_sql("SELECT ticketdesk_forget_note(%s, %s)", (ticket_id, note_id))


def erase_drafts(store: Any, ticket_ids: Sequence[int]) -> None:
    """Discard every agent's unsent drafts on these tickets (erasure). On PostgreSQL row
    security hides other agents' drafts even from an admin; migration 22's function does it."""
    ids = list(ticket_ids)
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        if store.is_sqlite:
            store.db.execute_sql(
                f"DELETE FROM draft WHERE ticket_id IN ({','.join('?' * len(part))})", part)
        else:
            store.db.execute_sql("SELECT ticketdesk_erase_drafts(%s)", (part,))


def overwrite_freed_space(store: Any) -> None:
    """Inside an erasing transaction, after its last change: what it deleted or overwrote is
    zeroed in the file, not just marked free (SQLite's secure_delete), and the search index is
    merged into one segment so the erased words are not kept as deleted entries of old
    segments. PostgreSQL keeps dead row versions until VACUUM, which `after_erasure` runs."""
    if store.is_sqlite:
        store.db.execute_sql("PRAGMA secure_delete = ON")
        store.db.execute_sql("INSERT INTO ticket_fts (ticket_fts) VALUES ('optimize')")


def after_erasure(store: Any, tables: Sequence[str]) -> str | None:
    """After the erasing transaction committed. SQLite: VACUUM rebuilds the file, so nothing
    survives in free space (also what earlier deletions left there), then the write-ahead log
    is emptied; on a large desk this takes as long as a backup. PostgreSQL: the tables erased
    from are vacuumed, so the old row versions are gone (best effort: only the tables' owner
    may vacuum; otherwise autovacuum does it later). Returns what could not be done (the
    erasure itself is committed either way), or None."""
    if store.is_sqlite:
        store.db.execute_sql("PRAGMA secure_delete = OFF")
        try:
            store.db.execute_sql("VACUUM")
            store.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception as exc:  # said to the user: the erasure itself is committed
            return (f"The desk file could not be compacted ({exc}); the erased text may remain "
                    "in its free space until the next erasure compacts it.")
        return None
    raw = store.backend.connect_raw(autocommit=True)
    try:
        for table in tables:
            with contextlib.suppress(Exception):  # not the owner: autovacuum does it later
                raw.execute(f'VACUUM "{table}"')
    finally:
        raw.close()
    return None


def is_conflict(exc: BaseException) -> bool:
    """Whether `exc` is a row refused by a unique or foreign key (a restore meeting something
    now on the desk): peewee's IntegrityError, or the drivers' own errors, which the restore's
    direct `executemany` raises unwrapped (APSW's ConstraintError, PostgreSQL's class 23)."""
    return any(isinstance(c, IntegrityError) or type(c).__name__ == "ConstraintError"
               or str(getattr(c, "sqlstate", None) or "").startswith("23") for c in causes(exc))
