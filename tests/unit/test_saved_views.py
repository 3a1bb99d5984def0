"""Saved views (issue 18): saved with filter, sort and columns; private to the owner unless
shared; renamed, reordered and deleted only by the owner; counted with the list's count."""

from __future__ import annotations

import pytest

from tests.helpers import new_ticket
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
from ticketdesk.domain.status import Priority, Status
from ticketdesk.domain.view_spec import ViewSpec, filter_from_json, filter_to_json
from ticketdesk.services import assignees, saved_views, tickets
from ticketdesk.services.session import Session

SPEC = ViewSpec(TicketFilter(statuses=frozenset({Status.OPEN}), tags=frozenset({"billing"}),
                             priorities=frozenset({Priority.HIGH})),
                Sort(SortKey.SUBJECT, False), (0, 1, 2, 4))


def names(session: Session) -> list[str]:
    return [v.name for v in saved_views.list_views(session.store, session.agent_id)]


def test_a_saved_view_comes_back_with_its_filter_sort_and_columns(alice: Session) -> None:
    saved = saved_views.save_view(alice, "  Billing   fires ", SPEC)
    listed = saved_views.list_views(alice.store, alice.agent_id)
    assert [v.key for v in listed[:3]] == list(saved_views.BUILT_IN)
    assert listed[3] == saved
    assert saved.name == "Billing fires"
    assert saved.spec == SPEC


def test_private_views_are_the_owners_and_shared_ones_everyones(alice: Session,
                                                                bob: Session) -> None:
    saved_views.save_view(alice, "Mine only", SPEC)
    saved_views.save_view(alice, "For the team", SPEC, shared=True)
    assert names(alice)[3:] == ["Mine only", "For the team"]
    assert names(bob)[3:] == ["For the team"]


def test_only_the_owner_changes_a_shared_view(alice: Session, bob: Session) -> None:
    shared = saved_views.save_view(alice, "Team", SPEC, shared=True)
    assert shared.id is not None
    with pytest.raises(ValidationError):
        saved_views.update_view(bob, shared.id, name="Hijacked")
    with pytest.raises(ValidationError):
        saved_views.delete_view(bob, shared.id)
    assert names(bob)[3:] == ["Team"]


def test_rename_reorder_delete(alice: Session) -> None:
    ids = [saved_views.save_view(alice, name, SPEC).id for name in ("A", "B", "C")]
    saved_views.update_view(alice, ids[0], name="First")
    saved_views.reorder(alice, [ids[2], ids[0], ids[1]])  # type: ignore[list-item]
    assert names(alice)[3:] == ["C", "First", "B"]
    saved_views.delete_view(alice, ids[1])  # type: ignore[arg-type]
    assert names(alice)[3:] == ["C", "First"]
    with pytest.raises(ValidationError):
        saved_views.save_view(alice, "   ", SPEC)


def test_counts_are_the_lists_counts(alice: Session, bob: Session) -> None:
    first = new_ticket(alice, assignee_ids=[alice.agent_id])
    new_ticket(alice, assignee_ids=[bob.agent_id])
    new_ticket(alice)
    tickets.set_status(alice, first, tickets.ticket_version(alice, first) or 0, Status.CLOSED)
    views = saved_views.list_views(alice.store, alice.agent_id)
    found = saved_views.counts(alice.store, views)
    assert found == {saved_views.MINE: 0, saved_views.UNASSIGNED: 1, saved_views.ALL: 3}
    assignees.assign(alice, first, tickets.ticket_version(alice, first) or 0, bob.agent_id or 0)


def test_a_filter_survives_json_and_damage_reads_as_any() -> None:
    assert filter_from_json(filter_to_json(SPEC.filter)) == SPEC.filter
    assert filter_from_json("not json") == TicketFilter()
    assert filter_from_json('{"statuses": [0, 99], "due": "never"}') == TicketFilter(
        statuses=frozenset({Status.OPEN}))
