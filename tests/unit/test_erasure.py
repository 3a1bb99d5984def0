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
    Activity,
    CsatRating,
    Customer,
    Message,
    Outbox,
)
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import NotFoundError
from ticketdesk.services import (
    attachments,
    customers,
    drafts,
    erasure,
    messages,
    notes,
    recycle_bin,
    tickets,
)
from ticketdesk.services.session import Session

MARKERS = ("zqxname", "zqxmail", "zqxphone", "zqxextid", "zqxco", "zqxmsgid", "zqxbytes",
           "zqxfile")

PERSONAL = {
    "customer": {"name", "email", "phone", "company", "external_id"},
    "ticket": {"subject", "description", "resolution"},
    "message": {"body", "rfc_message_id", "in_reply_to", "refs"},
    "note": {"body"}, "attachment": {"name"}, "attachment_content": {"data"},
    "activity": {"old", "new"}, "draft": {"body"}, "csat_rating": {"comment"},
    "outbox": {"to_address", "subject", "rfc_message_id", "in_reply_to", "refs", "last_error"},
    "recycle_bin": {"label", "snapshot"}, "recycle_blob": {"data"},
    "desk_event": {"subject", "detail"},
}
"""Every column that can hold a customer's personal data; the test seeds each one."""

NOT_PERSONAL = {
    "agent": {"name", "email", "signature", "status", "db_role", "role"},  # agents, not customers
    "customer_tag": {"name"}, "tag": {"name"},
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
}


def test_every_text_column_is_classified_personal_or_not() -> None:
    from peewee import BlobField, TextField

    for model in ALL_MODELS:
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
    tid = new_ticket(alice, "Refund for Erin Zqxname", description="write to zqxmail@example.org",
                     customer_id=cid)
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


def test_without_messages_the_conversation_stays_but_names_go(alice: Session) -> None:
    cid, _ = customers.create_customer(alice, "Fay Person", email="fay@example.org")
    tid = new_ticket(alice, "Help", customer_id=cid)
    messages.add_message(alice, tid, "My printer, says Fay Person", incoming=True)
    erasure.erase_customer(alice, cid)
    assert [m.body for m in messages.messages_for(tid)] == ["My printer, says [erased]"]
