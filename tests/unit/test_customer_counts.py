"""Each customer's stored ticket counts (issue 19, migration 27): the triggers keep
`customer_ticket_count` equal to a fresh GROUP BY over the tickets through every way tickets and
customers change, and the Customers view's Tickets and Open sorts read it in the order the old
join gave — on both engines."""

from __future__ import annotations

from tests.conftest import FakeClock
from tests.helpers import new_ticket
from ticketdesk.db.models import Ticket
from ticketdesk.db.store import Store
from ticketdesk.domain.status import Status
from ticketdesk.services import (
    customer_counts,
    customer_list,
    customer_merge,
    customer_records,
    customers,
    demo,
    recycle_bin,
    tickets,
)
from ticketdesk.services.customer_list import CustomerQuery, CustomerSort
from ticketdesk.services.customer_records import CustomerEdit
from ticketdesk.services.session import Session


def kept(store: Store) -> dict[int, tuple[int, int]]:
    with store.read():
        return customer_counts.stored()


def counted(store: Store) -> dict[int, tuple[int, int]]:
    with store.read():
        return customer_counts.recount()


def assert_right(store: Store) -> dict[int, tuple[int, int]]:
    found = kept(store)
    assert found == counted(store)
    return found


def version(store: Store, ticket_id: int) -> int:
    with store.read():
        return int(Ticket.select(Ticket.version).where(Ticket.id == ticket_id).scalar())


def _new(session: Session, name: str, *emails: str) -> int:
    return customer_records.save_customer(session, None, 0, CustomerEdit(name, emails))[0]


def test_counts_follow_creates_status_changes_and_reopens(alice: Session) -> None:
    store = alice.store
    ann = _new(alice, "Ann Lee", "ann@a.example")
    bob = customers.create_customer(alice, "Bob Ray")[0]
    assert assert_right(store) == {ann: (0, 0), bob: (0, 0)}  # a row of zeros for a new one
    one = new_ticket(alice, customer_id=ann)
    two = new_ticket(alice, customer_id=ann)
    new_ticket(alice)  # no customer: nobody's count
    assert assert_right(store) == {ann: (2, 2), bob: (0, 0)}
    tickets.set_status(alice, one, version(store, one), Status.WAITING)  # still open
    assert assert_right(store)[ann] == (2, 2)
    tickets.set_status(alice, one, version(store, one), Status.RESOLVED)
    assert assert_right(store)[ann] == (2, 1)
    tickets.set_status(alice, one, version(store, one), Status.CLOSED)  # done to done
    assert assert_right(store)[ann] == (2, 1)
    tickets.set_status(alice, one, version(store, one), Status.OPEN)  # reopened
    assert assert_right(store)[ann] == (2, 2)
    tickets.set_status(alice, two, version(store, two), Status.CLOSED)
    assert assert_right(store) == {ann: (2, 1), bob: (0, 0)}
    created = tickets.create_ticket(alice, subject="New person",
                                    new_customer=tickets.NewCustomer("Cy New", "cy@n.example"))
    with store.read():
        cy = int(Ticket.select(Ticket.customer).where(Ticket.id == created.new_id).scalar())
    assert assert_right(store)[cy] == (1, 1)


def test_counts_follow_a_ticket_moved_between_customers(alice: Session) -> None:
    store = alice.store
    ann = _new(alice, "Ann Lee", "ann@a.example")
    bob = _new(alice, "Bob Ray", "bob@b.example")
    open_one = new_ticket(alice, customer_id=ann)
    done_one = new_ticket(alice, customer_id=ann)
    tickets.set_status(alice, done_one, version(store, done_one), Status.RESOLVED)
    tickets.set_customer(alice, open_one, version(store, open_one), bob)
    assert assert_right(store) == {ann: (1, 0), bob: (1, 1)}
    tickets.set_customer(alice, done_one, version(store, done_one), bob)
    assert assert_right(store) == {ann: (0, 0), bob: (2, 1)}
    tickets.set_customer(alice, done_one, version(store, done_one), None)
    assert assert_right(store) == {ann: (0, 0), bob: (1, 1)}
    tickets.set_customer(alice, done_one, version(store, done_one), ann)
    assert assert_right(store) == {ann: (1, 0), bob: (1, 1)}


def test_counts_follow_the_recycle_bin_and_a_binned_customer_comes_back_with_zeros(
        alice: Session) -> None:
    store = alice.store
    ann = _new(alice, "Ann Lee", "ann@a.example")
    bob = _new(alice, "Bob Ray", "bob@b.example")
    ids = [new_ticket(alice, customer_id=ann) for _ in range(3)]
    tickets.set_status(alice, ids[0], version(store, ids[0]), Status.RESOLVED)
    recycle_bin.delete_tickets(alice, ids[:2])
    assert assert_right(store)[ann] == (1, 1)
    recycle_bin.restore(alice, [e.id for e in recycle_bin.list_bin(alice)])
    assert assert_right(store)[ann] == (3, 2)
    recycle_bin.delete_customer(alice, bob)
    assert bob not in assert_right(store)  # its row went with it
    recycle_bin.restore(alice, [e.id for e in recycle_bin.list_bin(alice)])
    assert assert_right(store) == {ann: (3, 2), bob: (0, 0)}


def test_a_customer_merge_moves_the_counts(alice: Session) -> None:
    store = alice.store
    keep = _new(alice, "Ann Lee", "ann@a.example")
    other = _new(alice, "Ann L.", "ann@b.example")
    new_ticket(alice, customer_id=keep)
    moved = [new_ticket(alice, customer_id=other) for _ in range(3)]
    tickets.set_status(alice, moved[0], version(store, moved[0]), Status.CLOSED)
    customer_merge.merge_customers(alice, keep, 1, other, 1)
    assert assert_right(store) == {keep: (4, 3)}


def test_an_import_of_many_tickets_leaves_the_counts_right(tmp_path, alice: Session) -> None:
    from ticketdesk.domain.import_mapping import suggest
    from ticketdesk.services.importing import run
    from ticketdesk.services.importing.sources import preview

    ann = _new(alice, "Ann Lee", "ann@a.example")
    new_ticket(alice, customer_id=ann)
    lines = ["Case;Summary;Status;Requester;Requester email"]
    statuses = ["Open", "Resolved", "Closed", "In progress", "Waiting"]
    for i in range(400):
        who = i % 23
        email = "ann@a.example" if who == 0 else f"c{who}@import.example"
        lines.append(f"C-{i};Case {i};{statuses[i % 5]};Person {who};{email}")
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = preview(path, limit=2).source
    run.import_(alice, source, suggest(source.headers), source_system="sheet", timezone="UTC")
    found = assert_right(alice.store)
    assert sum(t for t, _ in found.values()) == 401
    assert found[ann][0] == 1 + len(range(0, 400, 23))
    assert 0 < sum(o for _, o in found.values()) < 401


def test_a_demo_desks_bulk_load_leaves_the_counts_right(store: Store) -> None:
    demo.generate(store, tickets=300, seed=3)
    found = assert_right(store)
    assert sum(t for t, _ in found.values()) == 300
    assert any(t == 0 for t, _ in found.values()) or len(found) < 300


def test_rebuild_recounts_a_wrong_or_missing_table(store: Store, alice: Session) -> None:
    ann = _new(alice, "Ann Lee", "ann@a.example")
    new_ticket(alice, customer_id=ann)
    with store.write():
        store.db.execute_sql("UPDATE customer_ticket_count SET tickets = 99")
        customer_counts.rebuild(store.db)
    assert assert_right(store) == {ann: (1, 1)}
    with store.write():
        store.db.execute_sql("DELETE FROM customer_ticket_count")
        customer_counts.rebuild(store.db)
    assert assert_right(store) == {ann: (1, 1)}


def _old_order(store: Store, sort: CustomerSort, descending: bool) -> list[int]:
    """The order the GROUP BY join gave: the count, then the id, both one way."""
    index = 0 if sort is CustomerSort.TICKETS else 1
    counts = counted(store)
    keys = sorted(counts, key=lambda c: (counts[c][index], c))
    return keys[::-1] if descending else keys


def test_the_tickets_and_open_sorts_keep_the_old_joins_order(alice: Session) -> None:
    store = alice.store
    people = [_new(alice, f"Person {i:02}", f"p{i}@x.example") for i in range(12)]
    for i, cid in enumerate(people):
        for n in range(i % 4):
            tid = new_ticket(alice, customer_id=cid)
            if (i + n) % 3 == 0:
                tickets.set_status(alice, tid, version(store, tid), Status.RESOLVED)
    for sort in (CustomerSort.TICKETS, CustomerSort.OPEN_TICKETS):
        for descending in (False, True):
            query = CustomerQuery(sort=sort, descending=descending)
            expected = _old_order(store, sort, descending)
            assert list(customer_list.id_snapshot(store, query)) == expected
            first = customer_list.first_rows(store, query, limit=5)
            assert [r.id for r in first] == expected[:5]
            counts = counted(store)
            assert [(r.tickets, r.open_tickets) for r in first] == [counts[c] for c in expected[:5]]
    searched = customer_list.id_snapshot(store, CustomerQuery(
        "person 1", sort=CustomerSort.TICKETS, descending=True))
    wanted = set(people[10:])
    assert list(searched) == [c for c in _old_order(store, CustomerSort.TICKETS, True)
                              if c in wanted]


def test_a_desk_copied_to_postgresql_and_back_keeps_its_counts(tmp_path, pg_schema) -> None:
    from tests.conftest import pg_url
    from ticketdesk.db.store import open_database
    from ticketdesk.services import desk_migration

    source = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    store = open_database(source)
    try:
        demo.generate(store, tickets=200, seed=5)
        expected = assert_right(store)
    finally:
        store.close()
    back = f"sqlite:///{tmp_path / 'back.sqlite'}"
    desk_migration.migrate_desk(source, pg_url(pg_schema))  # the bulk load pauses triggers
    desk_migration.migrate_desk(pg_url(pg_schema), back)
    for url in (pg_url(pg_schema), back):
        copy = open_database(url)
        try:
            assert assert_right(copy) == expected
        finally:
            copy.close()


def test_a_rows_last_contact_is_its_newest_ticket_change(alice: Session, clock: FakeClock) -> None:
    store = alice.store
    ann = _new(alice, "Ann Lee", "ann@a.example")
    bob = _new(alice, "Bob Ray", "bob@b.example")
    first = new_ticket(alice, customer_id=ann)
    new_ticket(alice, customer_id=ann)
    clock.advance(3600)
    tickets.set_status(alice, first, version(store, first), Status.RESOLVED)
    rows = customer_list.rows_by_ids(store, [ann, bob])
    with store.read():
        newest = Ticket.select(Ticket.updated_at).where(Ticket.id == first).scalar()
    assert (rows[ann].tickets, rows[ann].open_tickets, rows[ann].last_contact) == (2, 1, newest)
    assert (rows[bob].tickets, rows[bob].last_contact) == (0, None)
