"""Migration 10 (mail): a Message-ID is stored once at most, old messages keep working, and the
new tables are there on both backends."""

from __future__ import annotations

import pytest

from ticketdesk.db.models import MailboxState, Message, Outbox
from ticketdesk.db.store import Store
from ticketdesk.services import messages, tickets
from ticketdesk.services.session import Session


def test_a_message_id_can_be_stored_only_once_but_many_messages_have_none(
        store: Store, alice: Session) -> None:
    ticket_id = tickets.create_ticket(alice, subject="Printer").new_id
    for body in ("one", "two", "three"):
        messages.add_message(alice, ticket_id, body)
    assert [m.channel for m in Message.select()] == ["", "", ""]
    with store.write():
        Message.update(rfc_message_id="<a@example.com>").where(Message.body == "one").execute()
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"), store.write():
        Message.update(rfc_message_id="<a@example.com>").where(Message.body == "two").execute()
    assert Message.select().where(Message.rfc_message_id.is_null()).count() == 2


def test_the_outbox_and_mailbox_checkpoint_tables_start_empty(store: Store) -> None:
    assert Outbox.select().count() == 0
    assert MailboxState.select().count() == 0
