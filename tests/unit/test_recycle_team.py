"""The recycle bin and deleted notes on a team desk (PostgreSQL logins, migration 15 and 22):
only an admin deletes and restores, a restore keeps the authors the rows had (the server
stamps the signed-in admin otherwise), and an agent's deleted note leaves no text in the
append-only activity trail."""

from __future__ import annotations

import pytest

from tests.unit.test_postgres_roles_security import Team, team, ticket  # noqa: F401
from ticketdesk.domain.errors import ValidationError
from ticketdesk.services import notes, recycle_bin
from ticketdesk.services.session import Session

pytestmark = pytest.mark.postgres
# ruff: noqa: F811 - `team` and `ticket` are the imported fixtures


def _rows(team: Team, ticket_id: int) -> list[tuple[object, ...]]:
    return [tuple(r) for r in team.store.db.execute_sql(
        "SELECT agent_id, kind, old, new FROM activity WHERE ticket_id = %s ORDER BY id",
        (ticket_id,)).fetchall()]


def test_an_agents_deleted_note_leaves_who_and_when_but_no_text(team: Team, ticket: int) -> None:
    ann, ann_login = team.add("Ann", "agent")
    ann_session = Session(team.open_as(ann_login), ann)
    note_id, _ = notes.add_note(ann_session, ticket, "the safe code is 1234")
    notes.edit_note(ann_session, note_id, 1, "the safe code is 4321")
    notes.delete_note(ann_session, note_id, 2)
    note_rows = [r for r in _rows(team, ticket) if str(r[1]).startswith("note_")]
    assert note_rows == [(ann, "note_added", None, None), (ann, "note_edited", None, None),
                         (ann, "note_deleted", None, None)]


def test_only_an_admin_deletes_and_a_restore_keeps_the_authors(team: Team, ticket: int) -> None:
    ann, ann_login = team.add("Ann", "agent")
    boss, boss_login = team.add("Boss", "admin")
    ann_session = Session(team.open_as(ann_login), ann)
    notes.add_note(ann_session, ticket, "Ann's finding")
    with pytest.raises(ValidationError, match="only an admin may delete"):
        recycle_bin.delete_tickets(ann_session, [ticket])
    before = _rows(team, ticket)
    boss_session = Session(team.open_as(boss_login), boss)
    recycle_bin.delete_tickets(boss_session, [ticket])
    assert _rows(team, ticket) == []
    with pytest.raises(ValidationError, match="only an admin may delete"):
        recycle_bin.restore(ann_session, [e.id for e in recycle_bin.list_bin(ann_session)])
    recycle_bin.restore(boss_session, [e.id for e in recycle_bin.list_bin(boss_session)])
    after = _rows(team, ticket)
    assert after[:-1] == before
    assert after[-1][:2] == (boss, "restored")
    author = team.store.db.execute_sql("SELECT author_id FROM note WHERE ticket_id = %s",
                                       (ticket,)).fetchone()[0]
    assert author == ann


def test_only_an_admin_erases_a_customer(team: Team, ticket: int) -> None:
    from ticketdesk.services import customers, erasure

    ann, ann_login = team.add("Ann", "agent")
    boss, boss_login = team.add("Boss", "admin")
    cid, _ = customers.create_customer(team.owner, "Hal Person", email="hal@example.org")
    ann_session = Session(team.open_as(ann_login), ann)
    with pytest.raises(ValidationError, match="only an admin may delete"):
        erasure.erase_customer(ann_session, cid)
    report = erasure.erase_customer(Session(team.open_as(boss_login), boss), cid)
    assert report.customer_id == cid
    assert team.store.db.execute_sql("SELECT count(*) FROM customer").fetchone()[0] == 0
