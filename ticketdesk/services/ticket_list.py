"""What the ticket list shows: counts, the first page of a filter, the sorted id snapshot, and
rows fetched by id. Everything is SQL over indexes; see db/ticket_query.py.

Each function takes the store it reads explicitly and binds its queries to it: the window calls
them on worker threads (ticketdesk/ARCHITECTURE.md), never through the models' global proxy."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import tzinfo
from typing import NamedTuple

import numpy as np

from ticketdesk.db import ticket_query
from ticketdesk.db.store import Store
from ticketdesk.domain.filters import Sort, TicketFilter
from ticketdesk.domain.numbers import read_search
from ticketdesk.domain.status import Priority, Status

PAGE = 200
RARE = 2_000
"""An SLA state with fewer matches than this (at a million tickets: 0.2 %) is a rare one: the
first page is read from its matches, not by walking the list's order until a page is found."""


class TicketRow(NamedTuple):
    id: int
    subject: str
    status: Status
    priority: Priority
    customer: str
    assignees: str
    tags: str
    created_at: int
    updated_at: int
    sla_due: int | None = None
    """The nearest SLA due while a clock runs (the Due column)."""
    sla_phase: int = 0
    """`domain.sla.Phase`; with the two instants below, the SLA badge at any moment."""
    sla_risk_at: int | None = None
    sla_breach_at: int | None = None
    category: str = ""


def count(store: Store, f: TicketFilter, tz: tzinfo | None = None, *,
          now: int | None = None) -> int:
    """`now` is the moment SLA criteria are read at (default: the current time)."""
    return int(ticket_query.count_query(f, store.backend, tz, now=now).bind(store.db).scalar()
               or 0)


def first_page(store: Store, f: TicketFilter, sort: Sort, limit: int = PAGE,
               tz: tzinfo | None = None, *, now: int | None = None) -> list[TicketRow]:
    """The first rows of a new filter, straight from an index with LIMIT, so they show at once
    while the full id snapshot is computed in the background."""
    newest = _newest_matches(store, f, sort, limit)
    if newest is not None:
        found = rows_by_ids(store, newest)
        return [found[i] for i in newest if i in found]
    ids: list[int] = []
    parts = ticket_query.ordered_parts(f, sort, store.backend, tz, now=now)
    rare = _rare_sla_matches(store, f, now)
    if rare is not None:
        parts = [ticket_query.among(part, rare) for part in parts] if rare else []
    for part in parts:
        ids += [row[0] for row in part.limit(limit - len(ids)).bind(store.db).tuples()]
        if len(ids) >= limit:
            break
    found = rows_by_ids(store, ids)
    return [found[i] for i in ids if i in found]


def _rare_sla_matches(store: Store, f: TicketFilter, now: int | None) -> list[int] | None:
    """Every ticket the filter's SLA states can match, when they are rare (fewer than RARE);
    None when they are not, or the filter has none.

    Walking the list's order (newest first) until a page of matches is found is instant when
    matches are common (half the desk breached) and a scan of every ticket when they are rare:
    Breached on a desk without SLA policies took 234 ms to say "no tickets" at a million. Each
    state's index answers "which tickets, if any" in well under a millisecond."""
    probes = ticket_query.sla_probes(f, now)
    if not probes:
        return None
    found: set[int] = set()
    for probe in probes:
        found.update(row[0] for row in probe.limit(RARE).bind(store.db).tuples())
        if len(found) >= RARE:
            return None
    return sorted(found)


def _newest_matches(store: Store, f: TicketFilter, sort: Sort, limit: int) -> list[int] | None:
    """A plain text search in the default order (newest first) asks the backend's shortcut."""
    search = read_search(f.text)
    if f != TicketFilter(text=f.text) or sort != Sort() or search.query is None:
        return None
    if ticket_query.named_category(f.text) is not None:
        return None  # its tickets match too: the general path lists them (issue 19)
    result: list[int] | None = store.backend.newest_search_ids(store.db, search.query, limit)
    return result


def id_snapshot(store: Store, f: TicketFilter, sort: Sort,
                tz: tzinfo | None = None, *, now: int | None = None) -> np.ndarray:
    """Every matching ticket id in display order (8 bytes per ticket)."""
    parts = [store.id_array(q)
             for q in ticket_query.ordered_parts(f, sort, store.backend, tz, now=now)]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


class SlaAlert(NamedTuple):
    ticket_id: int
    subject: str
    breached: bool
    """Breached (else at risk)."""
    at: int
    """When it turned so: with the ticket, what makes the alert once per ticket and target."""


def sla_alerts(store: Store, agent_id: int, since: int, until: int) -> list[SlaAlert]:
    """Tickets assigned to `agent_id` that became at risk or breached in (since, until]; a
    breach wins over the risk that came before it in the same interval."""
    query = ticket_query.sla_alerts_query(agent_id, since, until).bind(store.db)
    found = []
    for tid, subject, risk_at, breach_at, _phase in query.tuples():
        if breach_at is not None and since < breach_at <= until:
            found.append(SlaAlert(tid, subject, True, breach_at))
        elif risk_at is not None:
            found.append(SlaAlert(tid, subject, False, risk_at))
    return found


def rows_by_ids(store: Store, ids: Sequence[int] | Iterable[int]) -> dict[int, TicketRow]:
    """List rows for `ids` (any order; missing ids are simply absent).

    Asked for every page painted, so kept lean: one query (one round trip to a server, where
    each costs 20-100 ms), its values read straight from the cursor."""
    wanted = [int(i) for i in ids]
    if not wanted:
        return {}
    query = ticket_query.list_rows(wanted, store.backend).bind(store.db)
    return {
        tid: TicketRow(tid, subject, Status(status), Priority(priority), customer or "",
                       assignees or "", tags or "", created, updated, due, phase or 0, risk,
                       breach, category or "")
        for (tid, subject, status, priority, customer, assignees, tags, created, updated, due,
             phase, risk, breach, category) in store.db.execute_sql(*query.sql())
    }
