"""The id snapshot (built inside the database for speed) is exactly the ordered query's ids."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock
from ticketdesk.db import ticket_query
from ticketdesk.db.store import Store
from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import customers, ticket_list, tickets
from ticketdesk.services.session import Session


@pytest.fixture
def forty(store: Store, clock: FakeClock) -> Session:
    """Forty tickets with many ties in every sort key (same minute, status, priority, name)."""
    system = Session(store, None, clock)
    names = [customers.create_customer(system, n)[0] for n in ("Zed", "amy", "Bob", "amy")]
    for i in range(40):
        if i % 3 == 0:
            clock.advance(60)
        tid = tickets.create_ticket(system, subject=["beta", "Alpha", "gamma"][i % 3],
                                    priority=Priority(i % 4),
                                    customer_id=names[i % 5] if i % 5 < 4 else None).new_id
        if i % 4 == 1:
            tickets.set_status(system, tid, 1, Status(i % 5))
    return system


@pytest.mark.parametrize("key", list(SortKey))
@pytest.mark.parametrize("descending", [False, True])
def test_snapshot_matches_the_ordered_query(forty: Session, key: SortKey,
                                            descending: bool) -> None:
    store = forty.store
    sort = Sort(key, descending)
    query = ticket_query.select_ids(TicketFilter(), sort, store.backend)
    plain = [row[0] for row in query.tuples()]
    snapshot = ticket_list.id_snapshot(store, TicketFilter(), sort)
    assert snapshot.tolist() == plain
    assert len(plain) == 40


def test_snapshot_of_nothing_is_empty(forty: Session) -> None:
    snapshot = ticket_list.id_snapshot(forty.store, TicketFilter(text="nothingmatchesthis"),
                                       Sort())
    assert snapshot.tolist() == []
