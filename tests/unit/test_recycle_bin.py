"""The recycle bin (services/recycle_bin.py): a deleted ticket leaves every live table with all
its rows, is listed in the bin, comes back exactly as it was (same number, history, authors,
attachment bytes), and is purged for good by hand or after the desk's retention; on SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import FakeClock
from tests.helpers import new_ticket
from tests.unit.support import snapshot
from ticketdesk.db.models import (
    ALL_MODELS,
    CsatRating,
    CustomValue,
    DeskEvent,
    Organisation,
    RecycleBin,
    RecycleBlob,
    Tag,
    Ticket,
    TicketTag,
)
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.services import (
    attachments,
    custom_fields,
    customer_records,
    customers,
    messages,
    notes,
    recycle_bin,
    routing_counts,
    ticket_list,
    tickets,
)
from ticketdesk.services.recycle_bin import CUSTOMER_ROWS, DISCARDED, TICKET_ROWS
from ticketdesk.services.session import Session

LIVE = ("ticket", "ticket_tag", "ticket_assignee", "message", "note", "attachment",
        "attachment_content", "activity", "csat_rating", "outbox", "customer",
        "customer_tag_link", "custom_value", "customer_address", "customer_activity",
        "organisation")


def _full_ticket(alice: Session) -> int:
    customer_id, _ = customers.create_customer(alice, "Carol Customer", email="carol@x.example")
    tid = new_ticket(alice, "Broken kettle", description="It whistles", customer_id=customer_id,
                     tags=["kitchen"], assignee_ids=[alice.agent_id])
    messages.add_message(alice, tid, "Hello, it whistles", incoming=True)
    notes.add_note(alice, tid, "Check the lid")
    attachments.attach(alice, tid, attachments.NewFile("photo.png", b"\x89PNG bytes"))
    field_id, _ = custom_fields.add_field(alice, "Serial", "text")
    custom_fields.set_values(alice, tid, tickets.get_ticket(tid).version, {field_id: "K-42"})
    with alice.store.write():
        CsatRating.insert(ticket=tid, resolved_at=1, rating=4, good=True, comment="quick",
                          source="email", created_at=0, updated_at=0).execute()
    return tid


def _counts_right(alice: Session) -> dict[int, int]:
    """Routing's kept open counts, checked against a recount from the tickets."""
    with alice.store.read():
        kept = {a: n for a, n in routing_counts.stored([alice.agent_id]).items() if n}
        assert kept == routing_counts.recount()
    return kept


def _live(store: Store) -> dict[str, Any]:
    shot = snapshot(store)
    return {t: shot[t] for t in LIVE}


def test_a_deleted_ticket_leaves_every_live_table_and_comes_back_as_it_was(
        alice: Session, store: Store) -> None:
    tid = _full_ticket(alice)
    other = new_ticket(alice, "Keep me")
    before = _live(store)
    assert _counts_right(alice) == {alice.agent_id: 1}

    changes = recycle_bin.delete_tickets(alice, [tid])
    assert _counts_right(alice) == {}

    assert changes.tickets == frozenset({tid})
    assert Ticket.select().where(Ticket.id == tid).count() == 0
    assert ticket_list.count(store, TicketFilter()) == 1
    assert ticket_list.count(store, TicketFilter(text="whistles")) == 0
    assert [e.item_id for e in recycle_bin.list_bin(alice)] == [tid]
    assert RecycleBlob.select().count() == 1
    assert DeskEvent.select().where(DeskEvent.kind == "tickets_deleted").count() == 1

    entry = recycle_bin.list_bin(alice)[0]
    recycle_bin.restore(alice, [entry.id])

    assert _counts_right(alice) == {alice.agent_id: 1}
    after = _live(store)
    restored_activity = [r for r in after["activity"] if r not in before["activity"]]
    assert len(restored_activity) == 1
    assert "restored" in restored_activity[0]
    after["activity"] = [r for r in after["activity"] if r in before["activity"]]
    assert after == before
    assert ticket_list.count(store, TicketFilter(text="whistles")) == 1
    assert recycle_bin.list_bin(alice) == []
    assert RecycleBlob.select().count() == 0
    assert other in [i for (i,) in Ticket.select(Ticket.id).tuples()]


def test_purge_removes_entries_for_good(alice: Session) -> None:
    ids = [new_ticket(alice, f"T{i}") for i in range(3)]
    recycle_bin.delete_tickets(alice, ids)
    entries = recycle_bin.list_bin(alice)
    assert recycle_bin.purge(alice, [entries[0].id]) == 1
    assert len(recycle_bin.list_bin(alice)) == 2
    assert recycle_bin.purge(alice) == 2
    assert RecycleBin.select().count() == 0
    assert RecycleBlob.select().count() == 0


def test_entries_older_than_the_retention_are_purged(alice: Session, clock: FakeClock) -> None:
    assert recycle_bin.retention_days(alice) == 30
    recycle_bin.set_retention_days(alice, 7)
    old = new_ticket(alice, "Old")
    recycle_bin.delete_tickets(alice, [old])
    clock.advance(6 * 86_400)
    young = new_ticket(alice, "Young")
    recycle_bin.delete_tickets(alice, [young])
    clock.advance(2 * 86_400)
    assert recycle_bin.purge_expired(alice) == 1
    assert [e.item_id for e in recycle_bin.list_bin(alice)] == [young]
    with pytest.raises(ValidationError, match="between 1 and 3650"):
        recycle_bin.set_retention_days(alice, 0)


def test_a_customer_with_tickets_is_refused_and_one_without_comes_back(
        alice: Session, store: Store) -> None:
    cid, _ = customers.create_customer(alice, "Dan", email="dan@x.example", tags=["vip"])
    tid = new_ticket(alice, "Dan's", customer_id=cid)
    with pytest.raises(ValidationError, match="still has 1 ticket"):
        recycle_bin.delete_customer(alice, cid)
    recycle_bin.delete_tickets(alice, [tid])
    before = snapshot(store)["customer_tag_link"]
    recycle_bin.delete_customer(alice, cid)
    ticket_entry, customer_entry = sorted(recycle_bin.list_bin(alice), key=lambda e: e.kind,
                                          reverse=True)
    with pytest.raises(ValidationError, match="restore them first"):
        recycle_bin.restore(alice, [ticket_entry.id])
    recycle_bin.restore(alice, [customer_entry.id, ticket_entry.id])  # both: customer first
    assert customers.get_customer(store, cid).name == "Dan"
    assert snapshot(store)["customer_tag_link"] == before
    assert Ticket.get_by_id(tid).customer_id == cid


def test_a_customer_comes_back_with_addresses_and_history_and_an_address_taken_refuses(
        alice: Session, store: Store) -> None:
    edit = customer_records.CustomerEdit("Eve", emails=("eve@x.example", "eve@y.example"),
                                         organisation="Eve Co", notes="likes mail")
    cid, _ = customer_records.save_customer(alice, None, 0, edit)
    before = _live(store)
    recycle_bin.delete_customer(alice, cid)
    assert [e.item_id for e in recycle_bin.list_bin(alice)] == [cid]
    entry = recycle_bin.list_bin(alice)[0]
    thief, _ = customers.create_customer(alice, "Thief", email="eve@y.example")
    with pytest.raises(ValidationError, match="same id, email address"):
        recycle_bin.restore(alice, [entry.id])
    recycle_bin.delete_customer(alice, thief)
    recycle_bin.restore(alice, [entry.id])
    after = _live(store)
    assert {t: after[t] for t in ("customer", "customer_address", "customer_activity")} == {
        t: before[t] for t in ("customer", "customer_address", "customer_activity")}


def test_a_customer_whose_organisation_was_deleted_comes_back_without_it(
        alice: Session) -> None:
    cid, _ = customer_records.save_customer(alice, None, 0, customer_records.CustomerEdit(
        "Finn", emails=("finn@x.example",), organisation="Gone Ltd"))
    recycle_bin.delete_customer(alice, cid)
    Organisation.delete().execute()
    recycle_bin.restore(alice, [recycle_bin.list_bin(alice)[0].id])
    assert customer_records.read_customer(alice.store, cid).organisation_id is None


def test_a_ticket_whose_custom_field_was_deleted_comes_back_without_its_value(
        alice: Session) -> None:
    tid = new_ticket(alice, "Fields")
    gone, _ = custom_fields.add_field(alice, "Gone", "text")
    kept, _ = custom_fields.add_field(alice, "Kept", "text")
    custom_fields.set_values(alice, tid, tickets.get_ticket(tid).version, {gone: "a", kept: "b"})
    recycle_bin.delete_tickets(alice, [tid])
    custom_fields.delete_field(alice, gone)
    recycle_bin.restore(alice, [recycle_bin.list_bin(alice)[0].id])
    assert [(v.field_id, v.value) for v in CustomValue.select()] == [(kept, "b")]


def test_a_ticket_whose_tag_was_deleted_comes_back_without_it(alice: Session) -> None:
    tid = new_ticket(alice, "Tagged", tags=["gone", "kept"])
    recycle_bin.delete_tickets(alice, [tid])
    Tag.delete().where(Tag.name == "gone").execute()
    recycle_bin.restore(alice, [recycle_bin.list_bin(alice)[0].id])
    assert [t.tag.name for t in TicketTag.select().where(TicketTag.ticket == tid)] == ["kept"]


def test_cancel_leaves_everything_as_it_was(alice: Session, store: Store) -> None:
    from ticketdesk.domain.progress import Cancelled

    ids = [new_ticket(alice, f"T{i}") for i in range(3)]
    before = snapshot(store)
    with pytest.raises(Cancelled):
        recycle_bin.delete_tickets(alice, ids, progress=lambda done, total, phase: False)
    assert snapshot(store) == before


def test_every_table_that_references_a_ticket_is_kept_or_named_discarded(store: Store) -> None:
    kept = {m._meta.table_name for m, _ in TICKET_ROWS} | {"outbox", "attachment_content"}
    kept |= {m._meta.table_name for m, _ in CUSTOMER_ROWS}
    for model in ALL_MODELS:
        for fk in model._meta.refs:
            if fk.rel_model._meta.table_name in ("ticket", "customer") \
                    and model._meta.table_name not in kept | DISCARDED:
                pytest.fail(f"{model._meta.table_name} references "
                            f"{fk.rel_model._meta.table_name}: add it to TICKET_ROWS, "
                            "CUSTOMER_ROWS or DISCARDED")
    for table in store.db.get_tables():
        for fk in store.db.get_foreign_keys(table):
            if fk.dest_table in ("ticket", "customer") and table not in kept | DISCARDED:
                pytest.fail(f"{table} references {fk.dest_table} and is not in the recycle bin")


def test_a_draft_for_a_deleted_ticket_is_dropped_and_the_others_saved(alice: Session) -> None:
    from ticketdesk.services import drafts
    from ticketdesk.services.drafts import DraftEdit

    gone, kept = new_ticket(alice, "Gone"), new_ticket(alice, "Kept")
    recycle_bin.delete_tickets(alice, [gone])
    drafts.save_drafts(alice, [DraftEdit(gone, "reply", "lost words", None),
                               DraftEdit(kept, "reply", "kept words", None)])
    assert drafts.tickets_with_drafts(alice) == [kept]
