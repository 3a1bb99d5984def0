"""Customers as records (issue 19): several addresses, one address one customer, the editor's
save with history, organisations and their tickets, duplicates and merge — on both engines."""

from __future__ import annotations

import pytest

from tests.helpers import new_ticket
from ticketdesk.db.models import Activity, Customer, Ticket
from ticketdesk.domain.errors import ConflictError, ValidationError
from ticketdesk.services import customer_list, customer_merge, customer_records, customers
from ticketdesk.services import organisations as orgs
from ticketdesk.services.customer_addresses import find_by_email
from ticketdesk.services.customer_list import CustomerQuery, CustomerSort
from ticketdesk.services.customer_records import CustomerEdit
from ticketdesk.services.mail.intake import find_or_create_customer
from ticketdesk.services.mail.parse import ParsedMail
from ticketdesk.services.session import Session


def _new(session: Session, name: str, *emails: str, org: str = "") -> int:
    cid, _ = customer_records.save_customer(
        session, None, 0, CustomerEdit(name, emails, organisation=org))
    return cid


def test_a_customer_keeps_several_addresses_the_first_is_primary(alice: Session) -> None:
    cid = _new(alice, "Ann Lee", "ann@a.example", "Ann.Lee@b.example")
    detail = customer_records.read_customer(alice.store, cid)
    assert detail.emails == ("ann@a.example", "Ann.Lee@b.example")
    assert customers.get_customer(alice.store, cid).email == "ann@a.example"
    with alice.store.read():
        assert find_by_email("ann.lee@B.example") == cid


def test_one_address_belongs_to_one_customer_and_the_refusal_names_them(alice: Session) -> None:
    _new(alice, "Ann Lee", "ann@a.example")
    with pytest.raises(ValidationError, match="already belongs to Ann Lee"):
        _new(alice, "Someone Else", "ANN@a.example")
    with pytest.raises(ValidationError, match="already belongs to Ann Lee"):
        customers.create_customer(alice, "Third", email="Ann@A.example")


def test_editing_a_customer_writes_history_and_checks_the_version(alice: Session) -> None:
    cid = _new(alice, "Ann Lee", "ann@a.example")
    _, changes = customer_records.save_customer(alice, cid, 1, CustomerEdit(
        "Ann Lee-Smith", ["ann@a.example", "ann@c.example"], phone="+44 1", notes="VIP",
        tags=["vip"], organisation="Acme"))
    assert changes.customers
    assert changes.tags
    detail = customer_records.read_customer(alice.store, cid)
    assert (detail.name, detail.phone, detail.notes, detail.tags, detail.organisation,
            detail.version) == ("Ann Lee-Smith", "+44 1", "VIP", ("vip",), "Acme", 2)
    kinds = [h.kind for h in customer_records.customer_history(alice.store, cid)]
    assert customer_records.ADDRESS_ADDED in kinds
    assert customer_records.CREATED in kinds
    with pytest.raises(ConflictError):
        customer_records.save_customer(alice, cid, 1, CustomerEdit("Stale"))
    assert customer_records.save_customer(alice, cid, 2, CustomerEdit(
        "Ann Lee-Smith", ["ann@a.example", "ann@c.example"], phone="+44 1", notes="VIP",
        tags=["vip"], organisation="Acme"))[1].nothing


def test_mail_from_a_second_address_finds_the_customer(alice: Session) -> None:
    cid = _new(alice, "Ann Lee", "ann@a.example", "ann@b.example")
    mail = ParsedMail(sender="ann@b.example", sender_name="Ann", to=(), subject="Hi", date=None,
                      message_id="<m1@b.example>", in_reply_to=None, references=None, text="")
    with alice.store.write():
        assert find_or_create_customer(alice, mail) == (cid, False)


def test_the_list_searches_every_address_and_sorts_by_tickets(alice: Session) -> None:
    a = _new(alice, "Ann Lee", "ann@a.example", "zed@other.example")
    b = _new(alice, "Bob Ray", "bob@b.example")
    new_ticket(alice, customer_id=b)
    new_ticket(alice, customer_id=b)
    found = customer_list.first_rows(alice.store, CustomerQuery("zed@oth"))
    assert [r.id for r in found] == [a]
    by_tickets = customer_list.id_snapshot(
        alice.store, CustomerQuery(sort=CustomerSort.TICKETS, descending=True))
    assert list(by_tickets) == [b, a]
    row = customer_list.rows_by_ids(alice.store, [b])[b]
    assert (row.tickets, row.open_tickets) == (2, 2)


def test_duplicates_same_address_and_similar_names(alice: Session) -> None:
    a = _new(alice, "Anna Müller", "anna@a.example")
    b = customers.create_customer(alice, "Anna Mueller")[0]
    c = customers.create_customer(alice, "Müller, Anna")[0]
    pairs = {(p.first_id, p.second_id): p.reason
             for p in customer_merge.find_duplicates(alice.store)}
    assert pairs[(a, c)] == "same name"
    with alice.store.write():  # written before one address belonged to one customer
        legacy = int(Customer.insert(name="A. M.", email="Anna@A.example", created_at=0).execute())
    pairs = {(p.first_id, p.second_id): p.reason
             for p in customer_merge.find_duplicates(alice.store)}
    assert pairs[(a, legacy)] == "same address anna@a.example"
    assert pairs[(a, b)] == "similar names" or pairs.get((b, c)) == "similar names"


def test_merge_moves_tickets_joins_addresses_and_tags_and_says_so(alice: Session) -> None:
    keep = _new(alice, "Ann Lee", "ann@a.example")
    other, _ = customer_records.save_customer(alice, None, 0, CustomerEdit(
        "Ann L.", ["ann@b.example"], phone="555", tags=["vip"]))
    ticket = new_ticket(alice, customer_id=other)
    changes = customer_merge.merge_customers(alice, keep, 1, other, 1)
    assert changes.tickets == {ticket}
    detail = customer_records.read_customer(alice.store, keep)
    assert set(detail.emails) == {"ann@a.example", "ann@b.example"}
    assert (detail.tags, detail.phone) == (("vip",), "555")
    assert [t.id for t in customer_records.customer_tickets(alice.store, keep)] == [ticket]
    with alice.store.read():
        rows = list(Activity.select().where(Activity.ticket == ticket, Activity.kind == "customer"))
    assert rows
    assert rows[-1].new == "Ann Lee"
    assert "merged into Ann Lee" in rows[-1].old
    kinds = [h.kind for h in customer_records.customer_history(alice.store, keep)]
    assert customer_records.MERGED in kinds
    assert customer_records.TICKET_MOVED in kinds
    with alice.store.read():
        assert find_by_email("ann@b.example") == keep


def test_merging_a_customer_into_itself_is_refused(alice: Session) -> None:
    keep = _new(alice, "Ann Lee", "ann@a.example")
    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        customer_merge.merge_customers(alice, keep, 1, keep, 1)


def test_an_organisation_lists_its_customers_tickets(alice: Session) -> None:
    a = _new(alice, "Ann Lee", "ann@a.example", org="Acme")
    b = _new(alice, "Bob Ray", "bob@b.example", org="acme")
    _new(alice, "Cy", org="Other")
    t1, t2 = new_ticket(alice, customer_id=a), new_ticket(alice, customer_id=b)
    listed = {o.name: o for o in orgs.list_organisations(alice.store)}
    assert listed["Acme"].customers == 2
    assert "acme" not in listed
    assert [t.id for t in orgs.organisation_tickets(alice.store, listed["Acme"].id)] == [t2, t1]
    orgs.rename_organisation(alice, listed["Acme"].id, 1, "Acme Ltd")
    assert customers.get_customer(alice.store, a).company == "Acme Ltd"


def test_a_customer_search_reads_the_covering_indexes_on_sqlite(sqlite_url: str) -> None:
    """At 100,000 customers a search must not read the table (tests/bench/bench_customers.py)."""
    from ticketdesk.db.store import open_database

    store = open_database(sqlite_url)
    try:
        sql, params = customer_list._select(CustomerQuery("adams")).limit(200).sql()
        with store.read():
            plan = [row[-1] for row in store.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
        assert "SCAN t1 USING COVERING INDEX customer_search" in plan
        assert "SCAN t2 USING COVERING INDEX customer_address_search" in plan
    finally:
        store.close()


def test_an_import_finds_a_customer_by_a_second_address_and_records_new_ones(
        tmp_path, alice: Session) -> None:
    from ticketdesk.domain.import_mapping import suggest
    from ticketdesk.services.importing import run
    from ticketdesk.services.importing.sources import preview

    ann = _new(alice, "Ann Lee", "ann@a.example", "ann@second.example")
    path = tmp_path / "other.csv"
    path.write_text("Case;Summary;Requester;Requester email\n"
                    "C-1;Printer;Ann L.;ANN@second.example\n"
                    "C-2;Laptop;Cy New;cy@new.example\n", encoding="utf-8")
    source = preview(path, limit=2).source
    mapping = suggest(source.headers)
    run.import_(alice, source, mapping, source_system="sheet", timezone="UTC")
    rows = {t.subject: t.customer_id for t in (
        Ticket.select(Ticket.subject, Ticket.customer).bind(alice.store.db))}
    assert rows["Printer"] == ann
    with alice.store.read():
        assert find_by_email("cy@new.example") == rows["Laptop"]
