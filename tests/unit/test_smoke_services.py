"""A first walk through the services on both backends (the full suite lives beside it)."""

from __future__ import annotations

import pytest

from ticketdesk.domain.errors import ConflictError
from ticketdesk.domain.status import Status
from ticketdesk.services import assignees, audit, messages, notes, tickets
from ticketdesk.services.session import Session


def test_ticket_walks_its_life_with_activity(alice: Session, bob: Session) -> None:
    changes = tickets.create_ticket(alice, subject="Printer on fire", description="Help",
                                    tags=["hardware"], assignee_ids=[alice.agent_id])
    tid = changes.new_id
    t = tickets.get_ticket(tid)
    assert (t.status, t.version, t.tags) == (Status.OPEN, 1, ("hardware",))
    assignees.assign(alice, tid, 1, bob.agent_id)
    messages.add_message(bob, tid, "We are on it")
    tickets.set_status(bob, tid, 2, Status.RESOLVED, note="Replaced the fuser")
    with pytest.raises(ConflictError) as info:
        tickets.set_priority(alice, tid, 2, tickets.Priority.HIGH)
    assert "Bob Builder" in str(info.value)
    t = tickets.get_ticket(tid)
    assert t.status == Status.RESOLVED
    assert t.first_response_at
    assert t.resolved_at
    kinds = [a.kind for a in audit.activity_for(tid, newest_first=False)]
    assert kinds == ["created", "assigned", "tagged", "assigned", "message_out", "status",
                     "resolution"]
    assert t.resolution == "Replaced the fuser"
    assert len(notes.notes_for(tid)) == 0
