"""Ticket numbers given explicitly (an import keeping its numbers) without ever reusing one.

A ticket's number is its id, and an id is never reused: SQLite's AUTOINCREMENT remembers the
highest id ever issued in `sqlite_sequence` (and raises it by itself when a larger id is inserted
explicitly); PostgreSQL's BIGSERIAL sequence does not follow explicit ids, so it is moved past
them afterwards. Call both inside the write transaction that inserts the tickets.
"""

from __future__ import annotations

from typing import Any

from peewee import fn

from ticketdesk.db.models import Ticket


def next_ticket_id(store: Any) -> int:
    """The lowest ticket id above every id in use and every id ever issued."""
    highest = int(Ticket.select(fn.max(Ticket.id)).scalar() or 0)
    if store.is_sqlite:
        row = store.db.execute_sql(
            "SELECT seq FROM sqlite_sequence WHERE name = 'ticket'").fetchone()
        issued = int(row[0]) if row and row[0] is not None else 0
    else:
        name = store.db.execute_sql(
            "SELECT pg_get_serial_sequence('ticket', 'id')").fetchone()[0]
        last, called = store.db.execute_sql(f"SELECT last_value, is_called FROM {name}").fetchone()
        issued = int(last) if called else int(last) - 1
    return max(highest, issued) + 1


def after_explicit_ids(store: Any) -> None:
    """Make the next ticket created the usual way get a number above all explicit ones."""
    if store.is_sqlite:
        return  # AUTOINCREMENT already moved past them
    store.db.execute_sql(
        "SELECT setval(pg_get_serial_sequence('ticket', 'id'), %s, true)",
        (next_ticket_id(store) - 1,))
