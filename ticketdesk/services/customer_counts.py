"""Each customer's stored ticket counts (issue 19, migration 27): read, recounted, rebuilt.

Triggers keep `customer_ticket_count` in the same transaction as every ticket written, so the
Customers view's Tickets and Open sorts read an index (services/customer_list.py). The table is
derived data: `rebuild` recounts it from the tickets (a desk copy calls it after loading), and
`recount` is the slow, exact answer the tests compare with.
"""

from __future__ import annotations

from typing import Any

from peewee import SQL, fn

from ticketdesk.db.models import Customer, CustomerTicketCount, Ticket
from ticketdesk.domain.status import Status

_OPEN = int(Status.RESOLVED)
"""A ticket is open below Resolved (Open, In Progress, Waiting)."""


def stored() -> dict[int, tuple[int, int]]:
    """Every customer's kept (tickets, open tickets), inside the caller's transaction."""
    return {int(c): (int(t), int(o)) for c, t, o in CustomerTicketCount.select(
        CustomerTicketCount.customer, CustomerTicketCount.tickets,
        CustomerTicketCount.open_tickets).tuples()}


def recount() -> dict[int, tuple[int, int]]:
    """Every customer's (tickets, open tickets) counted from the tickets themselves (one GROUP
    BY over the desk), customers without tickets as (0, 0)."""
    counts = {int(c): (0, 0) for (c,) in Customer.select(Customer.id).tuples()}
    open_ = fn.sum(SQL(f"CASE WHEN status < {_OPEN} THEN 1 ELSE 0 END"))
    for cid, total, active in (Ticket.select(Ticket.customer, fn.count(Ticket.id), open_)
                               .where(Ticket.customer.is_null(False))
                               .group_by(Ticket.customer).tuples()):
        counts[int(cid)] = (int(total), int(active or 0))
    return counts


def rebuild(db: Any) -> None:
    """Recount every customer's tickets (inside the caller's transaction on `db`)."""
    db.execute_sql("DELETE FROM customer_ticket_count")
    db.execute_sql(
        "INSERT INTO customer_ticket_count (customer_id, tickets, open_tickets) "
        "SELECT c.id, count(t.id), "
        f"coalesce(sum(CASE WHEN t.status < {_OPEN} THEN 1 ELSE 0 END), 0) "
        "FROM customer AS c LEFT OUTER JOIN ticket AS t ON t.customer_id = c.id GROUP BY c.id")
