"""Routing's per-agent open-ticket counts (migration 24): read, checked and recounted.

The counts are kept by triggers in the same transaction as every assignment and status change,
so reading them is one indexed read of the members' rows (services/routing.open_counts). They
are derived data: `rebuild` recounts them from the tickets (a desk copy calls it after loading,
`ticketdesk check` could too), and `recount` is the slow, exact answer the tests compare with.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peewee import JOIN, SQL, fn

from ticketdesk.db.models import AgentOpenCount, Ticket, TicketAssignee
from ticketdesk.domain.status import Status

_OPEN = [int(s) for s in Status if s.is_active]


def stored(agent_ids: Iterable[int]) -> dict[int, int]:
    """The kept counts of these agents (0 for an agent without a row). Inside the caller's
    transaction."""
    ids = list(set(agent_ids))
    if not ids:
        return {}
    counts = dict.fromkeys(ids, 0)
    for agent_id, count in (AgentOpenCount.select(AgentOpenCount.agent, AgentOpenCount.open_count)
                            .where(AgentOpenCount.agent.in_(ids)).tuples()):
        counts[int(agent_id)] = int(count)
    return counts


def recount() -> dict[int, int]:
    """Open tickets per agent counted from the tickets themselves (agents with none left out)."""
    query: Any = (Ticket.select(TicketAssignee.agent, fn.COUNT(SQL("*")))
                  .join(TicketAssignee, JOIN.CROSS)
                  .where((TicketAssignee.ticket == Ticket.id) & Ticket.status.in_(_OPEN))
                  .group_by(TicketAssignee.agent))
    return {int(a): int(n) for a, n in query.tuples()}


def rebuild(db: Any) -> None:
    """Recount every agent's open tickets (inside the caller's transaction on `db`)."""
    db.execute_sql("DELETE FROM agent_open_count")
    db.execute_sql(
        "INSERT INTO agent_open_count (agent_id, open_count) "
        "SELECT ta.agent_id, count(*) FROM ticket AS t "
        "JOIN ticket_assignee AS ta ON ta.ticket_id = t.id "
        f"WHERE t.status < {int(Status.RESOLVED)} GROUP BY ta.agent_id")
