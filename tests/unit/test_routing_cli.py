"""`ticketdesk teams | agents status | routing | csat`: the commands scripts depend on."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import pytest

from ticketdesk import cli_routing
from ticketdesk.app import main
from ticketdesk.db.models import Agent, CsatRating, TicketAssignee
from ticketdesk.db.store import open_database
from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.status import Status
from ticketdesk.services import agents, tickets
from ticketdesk.services.session import Session


@pytest.fixture
def desk(db_url: str) -> str:
    """Ana and Ben, and ticket 1 resolved."""
    store = open_database(db_url)
    try:
        system = Session(store, None, utc_now)
        for name in ("Ana", "Ben"):
            agents.create_agent(system, name)
        ticket_id = tickets.create_ticket(system, subject="Invoice wrong").new_id
        tickets.set_status(system, ticket_id, 1, Status.RESOLVED)
    finally:
        store.close()
    return db_url


def run(desk: str, *argv: str) -> int:
    return main([*argv, "--db", desk])


def test_the_routing_commands_route_new_tickets_as_scripts_expect(
        desk: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(desk, "teams", "add", "Billing", "--agents", "Ana, Ben") == 0
    assert run(desk, "agents", "status", "Ana", "away", "--capacity", "10") == 0
    assert run(desk, "routing", "rule", "add", "Money", "--words", "invoice refund",
               "--priority", "Medium", "--team", "Billing", "--method", "round-robin") == 0
    assert run(desk, "routing", "dry-run", "--last", "5") == 0
    out = capsys.readouterr().out
    assert "TKT-000001\tMoney\tBen\tround robin among Billing; Ana is away; Ben has 0 open" in out
    assert "Nothing was changed." in out
    store = open_database(desk)
    try:
        system = Session(store, None, utc_now)
        assert not TicketAssignee.select().exists()  # the dry run changed nothing
        assert Agent.get(Agent.name == "Ana").capacity == 10
        new = tickets.create_ticket(system, subject="Refund please").new_id
        assert [a.agent_id for a in TicketAssignee.select().where(
            TicketAssignee.ticket == new)] == [Agent.get(Agent.name == "Ben").id]
    finally:
        store.close()


def test_csat_record_records_and_changes_the_rating(desk: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert run(desk, "csat", "record", "TKT-000001", "--rating", "2", "--comment", "slow") == 0
    assert run(desk, "csat", "record", "TKT-1", "--rating", "good") == 0
    assert "Rating Good recorded for TKT-000001." in capsys.readouterr().out
    store = open_database(desk)
    try:
        rows = [(r.rating, bool(r.good), r.comment) for r in CsatRating.select()]
    finally:
        store.close()
    assert rows == [(None, True, "")]


@pytest.mark.parametrize(("argv", "message"), [
    (["csat", "record", "TKT-000001", "--rating", "7"], "from 1 to 5"),
    (["csat", "record", "TKT-000001", "--rating", "meh"], "--rating takes"),
    (["csat", "record", "ticket one", "--rating", "4"], "not a ticket number"),
    (["csat", "record", "TKT-000099", "--rating", "4"], "TKT-000099"),
    (["teams", "add", "Support", "--agents", "Ana, Zed"], "no agent called 'Zed'"),
    (["agents", "status", "Zed", "away"], "no agent called 'Zed'"),
    (["agents", "status", "Ana", "off", "--capacity", "lots"], "--capacity takes"),
    (["routing", "rule", "add", "X", "--team", "Nope", "--method", "skills"],
     "no team called 'Nope'"),
    (["routing", "rule", "add", "X", "--method", "skills"], "either a team or agents"),
    (["routing", "rule", "add", "X", "--agents", "Ana", "--priority", "Whenever",
      "--method", "skills"], "Whenever"),
    (["routing", "dry-run", "--last", "0"], "at least 1"),
])
def test_bad_input_gives_exit_1_and_a_message(desk: str, capsys: pytest.CaptureFixture[str],
                                              argv: list[str], message: str) -> None:
    assert run(desk, *argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_agents_subcommands_of_two_modules_live_together_in_either_order() -> None:
    def other_module(commands: argparse._SubParsersAction) -> None:
        group = cli_routing.command_group(commands, "agents", "agents", lambda *a, **k: None)
        group.add_parser("list").set_defaults(handler="list")

    for order in ("other first", "routing first"):
        parser = argparse.ArgumentParser()
        commands = parser.add_subparsers(dest="command")
        if order == "other first":
            other_module(commands)
        cli_routing.add_commands(commands, lambda *a, **k: None)
        if order == "routing first":
            other_module(commands)
        assert parser.parse_args(["agents", "list"]).handler == "list"
        status = parser.parse_args(["agents", "status", "Ana", "off"])
        assert status.handler is cli_routing._agents_status


def test_export_analytics_gains_the_csat_rows(desk: str, tmp_path: Path) -> None:
    assert run(desk, "csat", "record", "TKT-000001", "--rating", "4") == 0
    out = tmp_path / "a.csv"
    assert run(desk, "export", "analytics", "--period", "last-30d", "--out", str(out)) == 0
    with open(out, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["period"] == "current"]
    card = {r["metric"]: r["value"] for r in rows if r["section"] == "csat"}
    assert card == {"ratings": "1", "good": "1", "good_percent": "100", "average_rating": "4"}
    assert any(r["section"] == "csat_by_priority" and r["key"] == "Medium" for r in rows)


def test_routing_rule_move_puts_a_rule_in_its_place_and_refuses_a_bad_one(
        desk: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(desk, "teams", "add", "Billing", "--agents", "Ana, Ben") == 0
    for name in ("Money", "Rest", "Late"):
        assert run(desk, "routing", "rule", "add", name, "--team", "Billing",
                   "--method", "least-open") == 0
    assert run(desk, "routing", "rule", "move", "late", "--to", "1") == 0
    assert run(desk, "routing", "rule", "move", "Rest", "--before", "Money") == 0
    capsys.readouterr()
    assert run(desk, "routing", "rule", "list") == 0
    assert capsys.readouterr().out == ("1. Late: least-open among Billing\n"
                                       "2. Rest: least-open among Billing\n"
                                       "3. Money: least-open among Billing\n")
    assert run(desk, "routing", "rule", "move", "Money", "--to", "9") == 1
    assert "Give a place from 1 to 3." in capsys.readouterr().err
    assert run(desk, "routing", "rule", "list") == 0
    assert capsys.readouterr().out.startswith("1. Late")
