"""Erasure (services/erasure.py): a person's data is seeded into every column that can hold
personal data, and after "Erase customer" no trace of it is left anywhere in the database — on
SQLite not even in the bytes of the file (secure_delete, merged search index, emptied log);
on PostgreSQL in no row of any table. The schema test keeps the list of such columns honest:
a new text column fails it until it is classified."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import new_ticket
from ticketdesk.db.models import (
    ALL_MODELS,
    DERIVED_MODELS,
    Activity,
    CsatRating,
    Customer,
    CustomerActivity,
    CustomerAddress,
    Message,
    Organisation,
    Outbox,
    SavedView,
)
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import NotFoundError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.view_spec import ViewSpec
from ticketdesk.services import (
    attachments,
    custom_fields,
    customer_records,
    customers,
    drafts,
    erasure,
    messages,
    notes,
    recycle_bin,
    saved_views,
    tickets,
)
from ticketdesk.services.session import Session

MARKERS = ("zqxname", "zqxmail", "zqxphone", "zqxextid", "zqxco", "zqxmsgid", "zqxbytes",
           "zqxfile", "zqxaddr", "zqxnotes", "zqxorgnote")

PERSONAL = {
    "customer": {"name", "email", "phone", "company", "external_id", "notes"},
    "ticket": {"subject", "description", "resolution"},
    "message": {"body", "rfc_message_id", "in_reply_to", "refs"},
    "note": {"body"}, "attachment": {"name"}, "attachment_content": {"data"},
    "activity": {"old", "new"}, "draft": {"body"}, "csat_rating": {"comment"},
    "outbox": {"to_address", "subject", "rfc_message_id", "in_reply_to", "refs", "last_error"},
    "recycle_bin": {"label", "snapshot"}, "recycle_blob": {"data"},
    "desk_event": {"subject", "detail"},
    # Migration 20: a customer's notes, every address, and their own history (which quotes
    # edits and addresses) go with the record; an organisation may be a sole trader's name
    # and its notes may name people (deleted when the person was its only member, cleaned
    # otherwise).
    "organisation": {"name", "notes"}, "customer_address": {"email", "email_key"},
    "customer_activity": {"old", "new"},
    # Migration 21: a custom field's value on a ticket is whatever an agent typed (a contact
    # number, an order for a named person), so it is cleaned as the ticket's other texts.
    "custom_value": {"value"},
    # Migration 19: an agent's saved view is theirs, but its name and search may name a
    # customer ("Erin's tickets", their address): the person's identifiers are cleaned.
    "saved_view": {"name", "filter_json"},
}
"""Every column that can hold a customer's personal data; the test seeds each one."""

NOT_PERSONAL = {
    "agent": {"name", "email", "signature", "status", "db_role", "role"},  # agents, not customers
    "customer_tag": {"name"}, "tag": {"name", "color"},
    "ticket": {"category", "source_system", "source_id"},
    "message": {"channel"}, "attachment": {"mime", "sha256"}, "activity": {"kind"},
    "draft": {"kind"}, "desk_meta": {"key", "value"}, "mailbox_state": {"mailbox"},
    "outbox": {"kind", "state", "signature"},
    "sla_policy": {"name", "tags", "customer_tags", "categories"},
    "sla_hours": {"zone", "week"}, "sla_holiday": {"day", "name"}, "team": {"name"},
    "agent_category_skill": {"category"},
    "routing_rule": {"name", "tags", "categories", "customer_tags", "priorities", "words",
                     "channels", "method"},
    "csat_rating": {"source"}, "recycle_bin": {"kind"}, "desk_event": {"kind"},
    # The desk's own lists and agents' tools, not about a customer: a tag's colour (m0021),
    # category names and custom field definitions (m0021), a history row's kind (m0020),
    # canned responses (m0019: templates; placeholders are filled from the ticket when used,
    # never stored), a saved view's sort and columns, API tokens (m0017: an integration's
    # name and the SHA-256 of its token).
    "customer_activity": {"kind"}, "category": {"name"},
    "custom_field": {"name", "kind", "options"}, "saved_view": {"sort", "columns"},
    "canned_response": {"title", "body", "add_tags"}, "api_token": {"name", "token_hash"},
}


def test_every_text_column_is_classified_personal_or_not() -> None:
    from peewee import BlobField, TextField

    for model in (*ALL_MODELS, *DERIVED_MODELS):  # derived counts (m0024, m0027): numbers only
        table = model._meta.table_name
        for f in model._meta.sorted_fields:
            if isinstance(f, TextField | BlobField):
                assert f.column_name in PERSONAL.get(table, set()) | NOT_PERSONAL.get(
                    table, set()), (f"{table}.{f.column_name} may hold personal data: seed it in "
                                    "this test and erase it in services/erasure.py, or list it "
                                    "in NOT_PERSONAL")


def _seed(alice: Session) -> tuple[int, int]:
    """A customer whose data is in every PERSONAL column; returns (customer, other ticket)."""
    cid, _ = customers.create_customer(
        alice, "Erin Zqxname", email="zqxmail@example.org", phone="+44 zqxphone",
        company="Zqxco Ltd", external_id="zqxextid-1")
    customer_records.save_customer(alice, cid, 1, customer_records.CustomerEdit(
        "Erin Zqxname", emails=("zqxmail@example.org", "erin.zqxaddr@example.net"),
        phone="+44 zqxphone", organisation="Zqxco Ltd", notes="zqxnotes: prefers phone",
        external_id="zqxextid-1"))
    with alice.store.write():
        Organisation.update(notes="Erin Zqxname's own firm, zqxorgnote").execute()
    tid = new_ticket(alice, "Refund for Erin Zqxname", description="write to zqxmail@example.org",
                     customer_id=cid)
    field_id, _ = custom_fields.add_field(alice, "Contact", "text")
    custom_fields.set_values(alice, tid, tickets.get_ticket(tid).version,
                             {field_id: "erin.zqxaddr@example.net"})
    saved_views.save_view(alice, "Erin Zqxname's", ViewSpec(
        filter=TicketFilter(text="erin.zqxaddr@example.net")))
    messages.add_message(alice, tid, "Hi, Erin Zqxname here, call +44 zqxphone", incoming=True,
                         files=[attachments.NewFile("zqxfile.pdf", b"%PDF zqxbytes")])
    messages.add_message(alice, tid, "Dear Erin Zqxname, we refund you")
    with alice.store.write():
        incoming, outgoing = [m.id for m in Message.select().where(Message.ticket == tid)
                              .order_by(Message.id)]
        Message.update(rfc_message_id="<zqxmsgid@example.org>", in_reply_to="<zqxmsgid@x>",
                       refs="<zqxmsgid@y>").where(Message.id == incoming).execute()
        Outbox.insert(message=outgoing, kind="reply", state="failed", attempts=1,
                      last_error="550 zqxmail@example.org unknown",
                      rfc_message_id="<out-zqxmsgid@desk>", to_address="zqxmail@example.org",
                      subject="Re: Refund for Erin Zqxname", in_reply_to="<zqxmsgid@example.org>",
                      refs="<zqxmsgid@example.org>", created_at=0, updated_at=0).execute()
        CsatRating.insert(ticket=tid, resolved_at=1, rating=5, good=True,
                          comment="thanks, Erin Zqxname", source="email", created_at=0,
                          updated_at=0).execute()
    note_id, _ = notes.add_note(alice, tid, "Erin Zqxname is a regular")
    notes.edit_note(alice, note_id, 1, "Erin Zqxname, zqxmail@example.org")
    drafts.save_draft(alice, tid, "reply", "Dear Erin Zqxname")
    tickets.set_status(alice, tid, tickets.get_ticket(tid).version, "Resolved",
                       note="phoned +44 zqxphone")
    other, _ = customers.create_customer(alice, "Olga Other")
    mention = new_ticket(alice, "Olga's question", customer_id=other)
    messages.add_message(alice, mention, "Ask my friend at zqxmail@example.org", incoming=True)
    moved = new_ticket(alice, "Was Erin's", customer_id=cid)
    tickets.set_customer(alice, moved, tickets.get_ticket(moved).version, None)
    binned = new_ticket(alice, "Old one from zqxmail@example.org", customer_id=cid)
    recycle_bin.delete_tickets(alice, [binned])
    with alice.store.write():
        recycle_bin.event(alice, "note", "Erin Zqxname", "zqxmail@example.org")
    return cid, moved


def _traces(store: Store, path: Path | None) -> set[str]:
    found: set[str] = set()
    if path is not None:
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                data = file.read_bytes().lower()
                found |= {m for m in MARKERS if m.encode() in data}
        return found
    tables = [t for (t,) in store.db.execute_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()]
    for table in tables:
        for (text,) in store.db.execute_sql(f'SELECT t::text FROM "{table}" t').fetchall():
            low = text.lower()
            found |= {m for m in MARKERS if m in low or m.encode().hex() in low}
    return found


def test_erasing_a_customer_leaves_no_trace_of_them(alice: Session, store: Store,
                                                    db_url: str) -> None:
    cid, moved = _seed(alice)
    path = Path(db_url.removeprefix("sqlite:///")) if store.is_sqlite else None
    assert _traces(store, path) == set(MARKERS)  # the scan sees every marker before

    report = erasure.erase_customer(alice, cid, messages=True)

    assert "Backups made before" in report.summary
    assert _traces(store, path) == set()
    assert Customer.select().where(Customer.id == cid).count() == 0
    kinds = [k for (k,) in Activity.select(Activity.kind).where(Activity.kind == "erased")
             .tuples()]
    assert len(kinds) == report.tickets + report.mentions == 2
    assert recycle_bin.list_bin(alice) == []
    with pytest.raises(NotFoundError):
        erasure.erase_customer(alice, cid)
    assert tickets.get_ticket(moved).subject == "Was Erin's"  # another ticket keeps its text
    assert CustomerAddress.select().where(CustomerAddress.customer == cid).count() == 0
    assert CustomerActivity.select().where(CustomerActivity.customer == cid).count() == 0
    assert Organisation.select().count() == 0  # they were its only member
    assert [v.name for v in SavedView.select()] == ["[erased]'s"]


def test_a_shared_organisation_stays_with_the_person_cleaned_from_its_notes(
        alice: Session) -> None:
    fay, _ = customer_records.save_customer(alice, None, 0, customer_records.CustomerEdit(
        "Fay Person", emails=("fay@example.org",), organisation="Shared Co"))
    customer_records.save_customer(alice, None, 0, customer_records.CustomerEdit(
        "Gus Other", emails=("gus@example.org",), organisation="Shared Co"))
    with alice.store.write():
        Organisation.update(notes="Ask Fay Person first").execute()
    erasure.erase_customer(alice, fay)
    assert [(o.name, o.notes) for o in Organisation.select()] == [
        ("Shared Co", "Ask [erased] first")]


def test_without_messages_the_conversation_stays_but_names_go(alice: Session) -> None:
    cid, _ = customers.create_customer(alice, "Fay Person", email="fay@example.org")
    tid = new_ticket(alice, "Help", customer_id=cid)
    messages.add_message(alice, tid, "My printer, says Fay Person", incoming=True)
    erasure.erase_customer(alice, cid)
    assert [m.body for m in messages.messages_for(tid)] == ["My printer, says [erased]"]


def test_a_binned_customers_other_addresses_are_erased_from_tickets_that_name_them(
        alice: Session) -> None:
    hal, _ = customer_records.save_customer(alice, None, 0, customer_records.CustomerEdit(
        "Hal Binned", emails=("hal@example.org", "hal.second@example.net")))
    other, _ = customers.create_customer(alice, "Ivy Other")
    mention = new_ticket(alice, "Forwarded", customer_id=other)
    messages.add_message(alice, mention, "cc hal.second@example.net please", incoming=True)
    recycle_bin.delete_customer(alice, hal)
    report = erasure.erase_customer(alice, hal)
    assert report.mentions == 1
    assert [m.body for m in messages.messages_for(mention)] == ["cc [erased] please"]
    assert recycle_bin.list_bin(alice) == []
