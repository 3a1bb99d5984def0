"""Drafts: kept per agent, ticket and kind, replaced while typing, discarded when sent; never
activity, never a version bump, and gone with their ticket or agent."""

from __future__ import annotations

import pytest

from tests.conftest import T0, FakeClock
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.errors import ValidationError
from ticketdesk.services import audit, drafts, tickets
from ticketdesk.services.drafts import Draft, DraftEdit
from ticketdesk.services.session import Session


def _new(session: Session, subject: str = "Printer on fire") -> int:
    return tickets.create_ticket(session, subject=subject).new_id


def test_a_draft_comes_back_exactly_as_typed(alice: Session) -> None:
    tid = _new(alice)
    typed = "  Dear Jane,\n\n<b>not bold</b>\r\n  "
    drafts.save_draft(alice, tid, "reply", typed)
    assert drafts.drafts_for(alice, tid) == {"reply": Draft(tid, "reply", typed, None, T0)}


def test_saving_again_replaces_the_draft_and_its_base_version(alice: Session,
                                                              clock: FakeClock) -> None:
    tid = _new(alice)
    drafts.save_draft(alice, tid, "subject", "Printer on", base_version=1)
    later = clock.advance(5)
    drafts.save_draft(alice, tid, "subject", "Printer on fire again", base_version=2)
    assert drafts.drafts_for(alice, tid) == {
        "subject": Draft(tid, "subject", "Printer on fire again", 2, later)}


def test_drafts_are_private_to_each_agent_and_ticket(alice: Session, bob: Session) -> None:
    first, second = _new(alice), _new(alice, "Scanner jams")
    drafts.save_draft(alice, first, "reply", "Alice on one")
    drafts.save_draft(alice, first, "note:7", "Alice editing note 7")
    drafts.save_draft(bob, first, "reply", "Bob on one")
    drafts.save_draft(alice, second, "note", "Alice on two")
    assert {k: d.body for k, d in drafts.drafts_for(alice, first).items()} == {
        "reply": "Alice on one", "note:7": "Alice editing note 7"}
    assert {k: d.body for k, d in drafts.drafts_for(bob, first).items()} == {
        "reply": "Bob on one"}
    assert {k: d.body for k, d in drafts.drafts_for(alice, second).items()} == {
        "note": "Alice on two"}


def test_discarding_removes_only_that_draft(alice: Session) -> None:
    tid = _new(alice)
    drafts.save_drafts(alice, [DraftEdit(tid, "reply", "hello"), DraftEdit(tid, "note", "hm")])
    drafts.discard_draft(alice, tid, "reply")
    drafts.discard_draft(alice, tid, "reply")  # twice is harmless
    assert list(drafts.drafts_for(alice, tid)) == ["note"]


def test_one_flush_stores_and_discards_together(alice: Session) -> None:
    tid = _new(alice)
    drafts.save_draft(alice, tid, "reply", "old")
    drafts.save_drafts(alice, [DraftEdit(tid, "reply", None),
                               DraftEdit(tid, "description", "", base_version=1)])
    assert drafts.drafts_for(alice, tid) == {"description": Draft(tid, "description", "", 1, T0)}


def test_a_draft_is_not_activity_and_does_not_touch_the_ticket(alice: Session,
                                                               clock: FakeClock) -> None:
    tid = _new(alice)
    before = (audit.activity_for(tid), tickets.get_ticket(tid))
    clock.advance(60)
    drafts.save_draft(alice, tid, "reply", "typing…")
    assert (audit.activity_for(tid), tickets.get_ticket(tid)) == before


def test_the_system_keeps_no_drafts(system: Session) -> None:
    tid = _new(system)
    drafts.save_draft(system, tid, "reply", "ignored")
    assert drafts.drafts_for(system, tid) == {}
    assert drafts.tickets_with_drafts(system) == []


def test_unknown_kind_is_refused(alice: Session) -> None:
    tid = _new(alice)
    with pytest.raises(ValidationError):
        drafts.save_draft(alice, tid, "Reply; DROP TABLE", "x")
    assert drafts.drafts_for(alice, tid) == {}


def test_nul_is_kept_visible_instead_of_failing(alice: Session) -> None:
    tid = _new(alice)
    drafts.save_draft(alice, tid, "reply", "a\x00b")
    assert drafts.drafts_for(alice, tid)["reply"].body == "a\ufffdb"


def test_tickets_with_drafts_newest_first(alice: Session, clock: FakeClock) -> None:
    first, second = _new(alice), _new(alice, "Scanner jams")
    drafts.save_draft(alice, first, "reply", "one")
    clock.advance(10)
    drafts.save_draft(alice, second, "note", "two")
    assert drafts.tickets_with_drafts(alice) == [second, first]


def test_drafts_survive_closing_and_reopening_the_desk(db_url: str) -> None:
    store = open_database(db_url)
    try:
        session = Session(store, None)
        from ticketdesk.services import agents

        agent_id, _ = agents.create_agent(session, "Alice Agent")
        alice = session.as_agent(agent_id)
        tid = _new(alice)
        drafts.save_draft(alice, tid, "reply", "half a reply")
    finally:
        store.close()
    reopened = open_database(db_url)
    try:
        assert drafts.drafts_for(Session(reopened, agent_id), tid)["reply"].body == \
            "half a reply"
    finally:
        reopened.close()


def test_store_fixture_has_the_draft_table(store: Store) -> None:
    assert "draft" in store.db.get_tables()
