"""`ticketdesk trash list|delete|restore|purge|days` and `ticketdesk erase`: the recycle bin and
erasure as scripts use them, on both engines."""

from __future__ import annotations

import pytest

from ticketdesk.app import main
from ticketdesk.db.models import Customer, Ticket
from ticketdesk.db.store import open_database
from ticketdesk.domain.clock import utc_now
from ticketdesk.services import customers, tickets
from ticketdesk.services.session import Session


@pytest.fixture
def desk(db_url: str) -> str:
    store = open_database(db_url)
    try:
        system = Session(store, None, utc_now)
        cid, _ = customers.create_customer(system, "Gil Person", email="gil@example.org")
        for subject in ("One", "Two"):
            tickets.create_ticket(system, subject=subject, customer_id=cid)
    finally:
        store.close()
    return db_url


def test_delete_list_restore_and_purge(desk: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trash", "delete", "TKT-000001", "2", "--db", desk]) == 0
    assert "Moved 2 tickets" in capsys.readouterr().out
    assert main(["trash", "list", "--db", desk]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[3] for line in lines] == ["TKT-000002 Two", "TKT-000001 One"]
    first = lines[1].split("\t")[0]
    assert main(["trash", "restore", first, "--db", desk]) == 0
    assert main(["trash", "purge", "--db", desk]) == 1
    assert "--all or --expired" in capsys.readouterr().err
    assert main(["trash", "purge", "--expired", "--db", desk]) == 0
    assert "Purged 0 entries" in capsys.readouterr().out
    assert main(["trash", "purge", "--all", "--db", desk]) == 0
    assert "Purged 1 entries" in capsys.readouterr().out
    assert main(["trash", "days", "7", "--db", desk]) == 0
    assert "kept 7 days" in capsys.readouterr().out
    store = open_database(desk)
    try:
        with store.read():
            assert [t for (t,) in Ticket.select(Ticket.id).tuples()] == [1]
    finally:
        store.close()


def test_erase_asks_for_yes_then_erases(desk: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erase", "1", "--db", desk]) == 1
    assert "--yes" in capsys.readouterr().err
    assert main(["erase", "1", "--yes", "--db", desk]) == 0
    assert "Backups made before" in capsys.readouterr().out
    store = open_database(desk)
    try:
        with store.read():
            assert Customer.select().count() == 0
    finally:
        store.close()


def test_agents_rename(desk: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = open_database(desk)
    try:
        from ticketdesk.services import agents

        agents.create_agent(Session(store, None, utc_now), "Ann")
    finally:
        store.close()
    assert main(["agents", "rename", "ann", "Ann Other", "--db", desk]) == 0
    assert "Renamed Ann to Ann Other" in capsys.readouterr().out
    assert main(["agents", "rename", "Nobody", "X", "--db", desk]) == 1
