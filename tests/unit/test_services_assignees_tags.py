"""Assigning agents (several per ticket) and tagging tickets: each change bumps the version and
records one activity row; repeating a change writes nothing; bad input writes nothing."""

from __future__ import annotations

from functools import partial

import pytest

from tests.conftest import FakeClock
from tests.helpers import new_ticket
from tests.unit.support import Attempt, Row, activity, assert_refused, snapshot, version_and_updated
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.services import agents, assignees, tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session


def _assignee_names(tid: int) -> list[str]:
    return [a.name for a in tickets.get_ticket(tid).assignees]


def test_assigning_bumps_the_version_and_names_the_agent(alice: Session, bob: Session,
                                                         clock: FakeClock) -> None:
    tid = new_ticket(alice)
    now = clock.advance(7)
    changes = assignees.assign(alice, tid, 1, bob.agent_id)  # type: ignore[arg-type]
    assert changes == Changes(tickets=frozenset({tid}))
    assert _assignee_names(tid) == ["Bob Builder"]
    assert version_and_updated(tid) == (2, now)
    assert activity(tid)[1:] == [Row("assigned", None, "Bob Builder", alice.agent_id, 2)]


def test_a_ticket_may_have_several_assignees(alice: Session, bob: Session) -> None:
    tid = new_ticket(alice)
    assignees.assign(alice, tid, 1, bob.agent_id)  # type: ignore[arg-type]
    assignees.assign(alice, tid, 2, alice.agent_id)  # type: ignore[arg-type]
    assert _assignee_names(tid) == ["Alice Agent", "Bob Builder"]


def test_assigning_someone_already_assigned_writes_nothing(store: Store, alice: Session) -> None:
    tid = new_ticket(alice, assignee_ids=[alice.agent_id])
    before = snapshot(store)
    assert assignees.assign(alice, tid, 1, alice.agent_id) == Changes()  # type: ignore[arg-type]
    assert snapshot(store) == before


def test_an_inactive_or_unknown_agent_cannot_be_assigned_and_nothing_is_written(
        store: Store, alice: Session, system: Session) -> None:
    gone, _ = agents.create_agent(system, "Gone Agent")
    agents.update_agent(system, gone, active=False)
    tid = new_ticket(alice)
    before = snapshot(store)
    with pytest.raises(ValidationError, match=f"^No active agent with id {gone}.$"):
        assignees.assign(alice, tid, 1, gone)
    with pytest.raises(ValidationError, match=r"^No active agent with id 999\.$"):
        assignees.assign(alice, tid, 1, 999)
    assert snapshot(store) == before


def test_unassigning_bumps_and_names_the_agent(alice: Session, bob: Session) -> None:
    tid = new_ticket(alice, assignee_ids=[alice.agent_id, bob.agent_id])
    changes = assignees.unassign(bob, tid, 1, alice.agent_id)  # type: ignore[arg-type]
    assert changes == Changes(tickets=frozenset({tid}))
    assert _assignee_names(tid) == ["Bob Builder"]
    assert activity(tid)[-1] == Row("unassigned", "Alice Agent", None, bob.agent_id, 2)


def test_an_agent_who_left_can_still_be_unassigned(alice: Session, bob: Session,
                                                   system: Session) -> None:
    tid = new_ticket(alice, assignee_ids=[bob.agent_id])
    agents.update_agent(system, bob.agent_id, active=False)  # type: ignore[arg-type]
    assignees.unassign(alice, tid, 1, bob.agent_id)  # type: ignore[arg-type]
    assert _assignee_names(tid) == []
    assert activity(tid)[-1] == Row("unassigned", "Bob Builder", None, alice.agent_id, 2)


def test_unassigning_someone_not_assigned_writes_nothing(store: Store, alice: Session,
                                                         bob: Session) -> None:
    tid = new_ticket(alice, assignee_ids=[alice.agent_id])
    before = snapshot(store)
    assert assignees.unassign(alice, tid, 1, bob.agent_id) == Changes()  # type: ignore[arg-type]
    assert snapshot(store) == before


def test_assigning_on_a_missing_ticket_is_not_found(alice: Session) -> None:
    with pytest.raises(NotFoundError, match="TKT-000404"):
        assignees.assign(alice, 404, 1, alice.agent_id)  # type: ignore[arg-type]


def test_tagging_creates_a_new_tag_and_announces_it(alice: Session, clock: FakeClock) -> None:
    tid = new_ticket(alice)
    now = clock.advance(3)
    changes = assignees.add_tag(alice, tid, 1, "  Needs   Parts ")
    assert changes == Changes(tickets=frozenset({tid}), tags=True)
    assert tickets.get_ticket(tid).tags == ("needs parts",)
    assert assignees.list_tags(alice.store) == ["needs parts"]
    assert version_and_updated(tid) == (2, now)
    assert activity(tid)[1:] == [Row("tagged", None, "needs parts", alice.agent_id, 2)]


def test_tagging_with_an_existing_tag_announces_no_new_tag(alice: Session) -> None:
    new_ticket(alice, tags=["billing"])
    tid = new_ticket(alice)
    assert assignees.add_tag(alice, tid, 1, "BILLING") == Changes(tickets=frozenset({tid}))
    assert assignees.list_tags(alice.store) == ["billing"]


def test_adding_a_tag_the_ticket_has_writes_nothing(store: Store, alice: Session) -> None:
    tid = new_ticket(alice, tags=["billing"])
    before = snapshot(store)
    assert assignees.add_tag(alice, tid, 1, "Billing") == Changes()
    assert snapshot(store) == before


BAD_TAGS = {
    "empty": ("", "A tag cannot be empty."),
    "comma": ("a, b", "A tag cannot contain a comma: 'a, b'. Add two tags instead."),
    "too long": ("t" * 41, f"The tag {'t' * 41!r} is longer than 40 characters."),
    "NUL": ("nul\x00", "The tag contains a NUL character, which cannot be stored."),
}


def test_bad_tags_are_refused_and_nothing_is_written(store: Store, alice: Session) -> None:
    tid = new_ticket(alice, tags=["billing"])
    attempts: dict[str, Attempt] = {}
    for case, (tag, message) in BAD_TAGS.items():
        attempts[f"add {case}"] = (partial(assignees.add_tag, alice, tid, 1, tag),
                                   ValidationError, message)
        attempts[f"remove {case}"] = (partial(assignees.remove_tag, alice, tid, 1, tag),
                                      ValidationError, message)
    assert_refused(store, attempts)


def test_removing_a_tag_bumps_and_records_it(alice: Session, bob: Session) -> None:
    tid = new_ticket(alice, tags=["billing", "refund"])
    changes = assignees.remove_tag(bob, tid, 1, " Billing")
    assert changes == Changes(tickets=frozenset({tid}))
    assert tickets.get_ticket(tid).tags == ("refund",)
    assert activity(tid)[-1] == Row("untagged", "billing", None, bob.agent_id, 2)
    # the tag stays for other tickets
    assert assignees.list_tags(alice.store) == ["billing", "refund"]


@pytest.mark.parametrize("tag", ["refund", "never-used"])
def test_removing_a_tag_the_ticket_lacks_writes_nothing(store: Store, alice: Session,
                                                        tag: str) -> None:
    new_ticket(alice, tags=["refund"])
    tid = new_ticket(alice, tags=["billing"])
    before = snapshot(store)
    assert assignees.remove_tag(alice, tid, 1, tag) == Changes()
    assert snapshot(store) == before


def test_tags_list_in_alphabetical_order(alice: Session) -> None:
    new_ticket(alice, tags=["zeta", "alpha", "mid"])
    assert assignees.list_tags(alice.store) == ["alpha", "mid", "zeta"]
