"""The tags manager's services (issue 19): counts, rename, merge, delete, colour; one activity
row per ticket carrying the tag; refusals that change nothing; Cancel leaves everything as it
was. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.helpers import new_ticket
from tests.unit.support import activity
from ticketdesk.db.models import RoutingRule, SlaPolicy, Tag
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.progress import Cancelled
from ticketdesk.services import record_lists, tag_records, tickets
from ticketdesk.services.session import Session


def _tags(tid: int) -> list[str]:
    return sorted(tickets.get_ticket(tid).tags)


def _id(session: Session, name: str) -> int:
    return next(t.id for t in tag_records.list_tags(session) if t.name == name)


def test_the_list_counts_the_tickets_of_each_tag(alice: Session) -> None:
    new_ticket(alice, tags=["billing", "vip"])
    new_ticket(alice, tags=["billing"])
    counts = {t.name: t.tickets for t in tag_records.list_tags(alice)}
    assert counts == {"billing": 2, "vip": 1}


def test_renaming_a_tag_renames_it_on_every_ticket_with_an_activity_row_each(
        alice: Session) -> None:
    first, second = new_ticket(alice, tags=["biling"]), new_ticket(alice, tags=["biling"])
    untouched = new_ticket(alice, tags=["other"])
    tag_records.rename_tag(alice, _id(alice, "biling"), "Billing")
    assert _tags(first) == _tags(second) == ["billing"]
    for tid in (first, second):
        row = activity(tid)[-1]
        assert (row.kind, row.old, row.new, row.agent_id) == (
            "tag_renamed", "biling", "billing", alice.agent_id)
    assert activity(untouched)[-1].kind == "tagged"


def test_renaming_in_batches_writes_every_row(alice: Session,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(record_lists, "BATCH", 2)
    ids = [new_ticket(alice, tags=["a"]) for _ in range(5)]
    seen: list[tuple[int, int]] = []
    tag_records.rename_tag(alice, _id(alice, "a"), "b",
                           progress=lambda done, total, _p: seen.append((done, total)) or True)
    assert all(activity(t)[-1].new == "b" for t in ids)
    assert seen[-1] == (5, 5)
    assert len(seen) == 3


def test_cancelling_a_rename_changes_nothing(alice: Session) -> None:
    tid = new_ticket(alice, tags=["a"])
    before = activity(tid)
    with pytest.raises(Cancelled):
        tag_records.rename_tag(alice, _id(alice, "a"), "b", progress=lambda *_: False)
    assert _tags(tid) == ["a"]
    assert activity(tid) == before


def test_renaming_to_an_existing_name_is_refused_and_points_to_merge(alice: Session) -> None:
    new_ticket(alice, tags=["a", "b"])
    with pytest.raises(ValidationError, match="merge"):
        tag_records.rename_tag(alice, _id(alice, "a"), "B")


def test_merging_moves_the_tickets_and_removes_the_source(alice: Session) -> None:
    both, only = new_ticket(alice, tags=["a", "b"]), new_ticket(alice, tags=["a"])
    tag_records.merge_tags(alice, _id(alice, "a"), _id(alice, "b"))
    assert _tags(both) == _tags(only) == ["b"]
    assert [t.name for t in tag_records.list_tags(alice)] == ["b"]
    assert activity(only)[-1].kind == "tag_renamed"


def test_merging_a_tag_into_itself_is_refused(alice: Session) -> None:
    new_ticket(alice, tags=["a"])
    with pytest.raises(ValidationError):
        tag_records.merge_tags(alice, _id(alice, "a"), _id(alice, "a"))


def test_deleting_untags_every_ticket_with_a_row_each(alice: Session) -> None:
    tid = new_ticket(alice, tags=["a", "b"])
    tag_id = _id(alice, "a")
    assert tag_records.tag_in_use(alice, tag_id) == 1
    tag_records.delete_tag(alice, tag_id)
    assert _tags(tid) == ["b"]
    assert (activity(tid)[-1].kind, activity(tid)[-1].old) == ("untagged", "a")


def test_a_tag_a_policy_names_cannot_be_deleted_but_renames_with_it(
        alice: Session, system: Session) -> None:
    new_ticket(alice, tags=["vip"])
    with system.store.write():
        SlaPolicy.insert(name="VIP", position=1, tags="vip", created_at=1).execute()
    with pytest.raises(ValidationError, match="VIP"):
        tag_records.delete_tag(alice, _id(alice, "vip"))
    tag_records.rename_tag(alice, _id(alice, "vip"), "gold")
    with system.store.read():
        assert SlaPolicy.select(SlaPolicy.tags).scalar() == "gold"
        assert RoutingRule.select().count() == 0


def test_colour_is_stored_and_bad_colours_are_refused(alice: Session) -> None:
    new_ticket(alice, tags=["a"])
    tag_records.set_color(alice, _id(alice, "a"), "#FF0000")
    assert tag_records.tag_colors(alice) == {"a": "#ff0000"}
    with pytest.raises(ValidationError, match="colour"):
        tag_records.set_color(alice, _id(alice, "a"), "red")
    with alice.store.read():
        assert Tag.select(Tag.color).scalar() == "#ff0000"
