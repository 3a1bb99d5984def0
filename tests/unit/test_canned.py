"""Canned responses (issue 18): placeholders filled from the ticket and the agent; unknown
placeholders refused when saving, with nothing saved; actions applied in one transaction."""

from __future__ import annotations

import pytest

from tests.helpers import new_ticket
from ticketdesk.domain import placeholders
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import canned, customers, tickets
from ticketdesk.services.session import Session


def test_placeholders_are_filled_from_the_ticket_and_agent(alice: Session) -> None:
    customer_id, _ = customers.create_customer(alice, "Ada Lovelace", email="ada@example.com")
    ticket_id = new_ticket(alice, customer_id=customer_id)
    saved = canned.save_canned(alice, "Thanks", "Hi {{customer.first_name}}, about "
                               "{{ ticket.number }}.\n-- {{agent.name}}")
    text = canned.filled(alice.store, saved, ticket_id, alice.agent_id)
    assert text == f"Hi Ada, about TKT-{ticket_id:06d}.\n-- Alice Agent"


@pytest.mark.parametrize("body", ["Hi {{custmer.name}}", "Hi {{customer.first_name}",
                                  "Hi {{}}"])
def test_an_unknown_placeholder_is_refused_and_nothing_saved(alice: Session, body: str) -> None:
    with pytest.raises(ValidationError, match="Unknown placeholder"):
        canned.save_canned(alice, "Typo", body)
    assert canned.list_canned(alice.store) == []


def test_titles_are_unique_regardless_of_case(alice: Session) -> None:
    canned.save_canned(alice, "Refund", "Done.")
    with pytest.raises(ValidationError, match="already"):
        canned.save_canned(alice, "REFUND", "Again.")


def test_actions_set_status_priority_and_tags(alice: Session) -> None:
    ticket_id = new_ticket(alice)
    saved = canned.save_canned(alice, "Waiting", "We wait.", set_status=Status.WAITING,
                               set_priority=Priority.HIGH, add_tags=["refund", "vip"])
    version = tickets.ticket_version(alice, ticket_id) or 0
    changes = canned.apply_actions(alice, ticket_id, version, saved)
    assert ticket_id in changes.tickets
    detail = tickets.get_ticket(ticket_id)
    assert detail.status == Status.WAITING
    assert detail.priority == Priority.HIGH
    assert set(detail.tags) == {"refund", "vip"}


def test_first_names() -> None:
    assert placeholders.first_name("Ada Lovelace") == "Ada"
    assert placeholders.first_name("Lovelace, Ada") == "Ada"
    assert placeholders.first_name("") == ""
