"""Sorting customers by a ticket count in numpy (customer_list._count_sorted) gives exactly the
order SQL's join and ORDER BY gave: the figure, ties by id, either direction, with a search and
an organisation narrowing it — on both engines."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock
from ticketdesk.db.store import open_database
from ticketdesk.domain.status import Status
from ticketdesk.services import customer_list, customers, tickets
from ticketdesk.services.customer_list import CustomerQuery, CustomerSort
from ticketdesk.services.session import Session


@pytest.mark.parametrize("sort", [CustomerSort.TICKETS, CustomerSort.OPEN_TICKETS])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("text", ["", "an"])
def test_the_numpy_sort_is_the_sql_order(db_url: str, sort: CustomerSort, descending: bool,
                                         text: str) -> None:
    store = open_database(db_url)
    try:
        system = Session(store, None, FakeClock())
        ids = [customers.create_customer(system, f"{n} Name {n}")[0] for n in
               ("Anna", "Ben", "Anton", "Cleo", "Andy", "Dora")]
        for cid, count in zip(ids, (3, 0, 1, 3, 1, 2), strict=True):
            for k in range(count):
                t = tickets.create_ticket(system, subject="x", customer_id=cid).new_id
                if k == 0 and cid != ids[0]:
                    tickets.set_status(system, int(t), 1, Status.RESOLVED)
        query = CustomerQuery(text=text, sort=sort, descending=descending)
        expected = [cid for (cid,) in customer_list._select(query).bind(store.db).tuples()]
        assert list(customer_list.id_snapshot(store, query)) == expected
        assert [r.id for r in customer_list.first_rows(store, query, limit=3)] == expected[:3]
    finally:
        store.close()
