"""Other windows on a SQLite desk learn of changes from `change_seq`; drafts don't count."""

from __future__ import annotations

from ticketdesk.db.store import open_database
from ticketdesk.services import agents, drafts, tickets
from ticketdesk.services.session import Session


def test_a_write_moves_change_seq_and_a_draft_does_not(sqlite_url: str) -> None:
    store = open_database(sqlite_url)
    try:
        system = Session(store, None)
        before = store.change_seq()
        tid = tickets.create_ticket(system, subject="Printer on fire").new_id
        assert store.change_seq() == before + 1
        alice_id, _ = agents.create_agent(system, "Alice")
        seen = store.change_seq()
        drafts.save_drafts(system.as_agent(alice_id),
                           [drafts.DraftEdit(tid, "reply", "half a sentence")])
        assert store.change_seq() == seen
        assert tickets.set_status(system, tid, 1, tickets.Status.OPEN).nothing
        assert store.change_seq() == seen  # a write that changed nothing is no news
    finally:
        store.close()
