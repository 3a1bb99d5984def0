"""Two agents on two computers (here: two processes with their own connections) save the same
ticket at the same moment, on SQLite and on PostgreSQL: exactly one save goes through; the other
is refused with what changed and by whom, nothing of it is written, and the text the agent typed
is still theirs to save again on top. (The dock keeps the typed text on screen:
tests/ui/test_dock_conflict.py.)"""

from __future__ import annotations

import json
from pathlib import Path

from tests.reliability.crash import context
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import ConflictError
from ticketdesk.services import agents, audit, tickets
from ticketdesk.services.session import Session

EDITS = {"Alice Agent": ("subject", "Printer on fire (alice)"),
         "Bob Builder": ("description", "Bob's long analysis\nwith two lines")}


def _agent(url: str, name: str, barrier: object, report: str) -> None:
    from ticketdesk.db.store import open_database

    store = open_database(url)
    try:
        agent = agents.find_agent(store, name)
        assert agent is not None
        session = Session(store, agent.id)
        field, typed = EDITS[name]
        read = tickets.get_ticket(1).version
        barrier.wait()  # type: ignore[attr-defined]
        outcome: dict[str, object] = {"name": name}
        try:
            tickets.edit_ticket(session, 1, read, **{field: typed})
            outcome["saved"] = True
        except ConflictError as exc:
            outcome["saved"] = False
            outcome["seen"] = [[c.agent, c.what] for c in exc.changes]
            outcome["message"] = str(exc)
            outcome["kept"] = typed  # what the user typed is still in hand...
            tickets.edit_ticket(session, 1, exc.current_version, **{field: typed})  # ...to redo
        with open(report, "w", encoding="utf-8") as fh:
            json.dump(outcome, fh)
    finally:
        store.close()


def test_simultaneous_saves_of_one_ticket_from_two_processes(db_url: str, store: Store,
                                                             alice: Session, bob: Session,
                                                             tmp_path: Path) -> None:
    tid = tickets.create_ticket(alice, subject="Printer", description="short").new_id
    assert tid == 1
    for round_ in range(3):
        ctx = context()
        barrier = ctx.Barrier(2)
        reports = [tmp_path / f"{round_}-{n}.json" for n in range(2)]
        procs = [ctx.Process(target=_agent, args=(db_url, name, barrier, str(report)))
                 for name, report in zip(EDITS, reports, strict=True)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0]
        outcomes = [json.loads(r.read_text(encoding="utf-8")) for r in reports]
        winners = [o for o in outcomes if o["saved"]]
        losers = [o for o in outcomes if not o["saved"]]
        if not losers:  # both read after the other's save: no collision this round
            continue
        assert len(winners) == len(losers) == 1
        winner, loser = winners[0], losers[0]
        field = EDITS[winner["name"]][0]
        expected = "Subject changed" if field == "subject" else "Description edited"
        assert [winner["name"], expected] in [[a, w.split(":")[0]] for a, w in loser["seen"]]
        assert "your change was not saved" in loser["message"]
        assert loser["kept"] == EDITS[loser["name"]][1]
        final = tickets.get_ticket(1)
        assert final.subject == EDITS["Alice Agent"][1]
        assert final.description == EDITS["Bob Builder"][1]
        return
    raise AssertionError("three rounds without a collision: the barrier did not hold")


def test_many_simultaneous_saves_exactly_one_wins(db_url: str, store: Store, alice: Session,
                                                  tmp_path: Path) -> None:
    """Eight processes save a priority change against the same version at once: one wins,
    seven are refused, and the ticket moved exactly one version with one activity row."""
    tid = tickets.create_ticket(alice, subject="contended").new_id
    ctx = context()
    barrier = ctx.Barrier(8)
    reports = [tmp_path / f"p{n}.json" for n in range(8)]
    procs = [ctx.Process(target=_priority, args=(db_url, tid, barrier, str(r))) for r in reports]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 8
    outcomes = [json.loads(r.read_text(encoding="utf-8")) for r in reports]
    assert sorted(outcomes) == ["conflict"] * 7 + ["saved"]
    assert tickets.get_ticket(tid).version == 2
    assert [r.kind for r in audit.activity_for(tid)].count("priority") == 1


def _priority(url: str, tid: int, barrier: object, report: str) -> None:
    from ticketdesk.db.store import open_database

    store = open_database(url)
    try:
        session = Session(store, None)
        read = tickets.get_ticket(tid).version
        barrier.wait()  # type: ignore[attr-defined]
        try:
            tickets.set_priority(session, tid, read, "Urgent")
            outcome = "saved"
        except ConflictError:
            outcome = "conflict"
        with open(report, "w", encoding="utf-8") as fh:
            json.dump(outcome, fh)
    finally:
        store.close()
