"""Helpers for the service tests: the exact activity rows of a ticket, and a snapshot of every
table so a test can prove that refused input wrote nothing at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ticketdesk.db.models import Activity, Ticket
from ticketdesk.db.store import Store


@dataclass(frozen=True)
class Row:
    """One activity row as stored, minus its id and time (tests assert those separately)."""

    kind: str
    old: str | None
    new: str | None
    agent_id: int | None
    ticket_version: int
    ref_id: int | None = None


def activity(ticket_id: int) -> list[Row]:
    query = (Activity.select(Activity.kind, Activity.old, Activity.new, Activity.agent,
                             Activity.ticket_version, Activity.ref_id)
             .where(Activity.ticket == ticket_id).order_by(Activity.id).tuples())
    return [Row(*row) for row in query]


def activity_times(ticket_id: int) -> list[int]:
    return [at for (at,) in Activity.select(Activity.at).where(Activity.ticket == ticket_id)
            .order_by(Activity.id).tuples()]


def version_and_updated(ticket_id: int) -> tuple[int, int]:
    version, updated = (Ticket.select(Ticket.version, Ticket.updated_at)
                        .where(Ticket.id == ticket_id).tuples().get())
    return int(version), int(updated)


def _tables(store: Store) -> list[str]:
    if store.is_sqlite:
        # Virtual tables are read through their shadow tables, which hold the actual rows.
        rows = store.db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name").fetchall()
    else:
        rows = store.db.execute_sql(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
            "ORDER BY tablename").fetchall()
    return [name for (name,) in rows]


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (including the search index), in a stable order."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    for table in _tables(store):
        rows = store.db.execute_sql(f'SELECT * FROM "{table}"').fetchall()
        result[table] = sorted((tuple(r) for r in rows), key=repr)
    assert "ticket" in result, "snapshot found no tables: is the desk open?"
    return result


def counts(store: Store) -> dict[str, int]:
    return {table: len(rows) for table, rows in snapshot(store).items()}


Attempt = tuple[Callable[[], Any], type[Exception], str]


def assert_refused(store: Store, attempts: dict[str, Attempt]) -> None:
    """Every attempt must raise its error with a message starting as given, and leave every
    table exactly as it was. Run together on one desk (a desk per case costs seconds on
    PostgreSQL); every failing case is reported by name."""
    before = snapshot(store)
    wrong: dict[str, str] = {}
    for name, (attempt, error, message) in attempts.items():
        try:
            attempt()
        except error as exc:
            if not str(exc).startswith(message):
                wrong[name] = f"said {str(exc)!r}, expected {message!r}"
        else:
            wrong[name] = f"was not refused (expected {error.__name__})"
        if snapshot(store) != before:
            wrong[name] = "wrote something"
            before = snapshot(store)
    assert wrong == {}, wrong
