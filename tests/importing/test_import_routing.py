"""Routing imported tickets (issue 21): only when asked (`route=True`, `ticketdesk import
--route`), and then only the open tickets that came without assignees; on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.support import activity
from ticketdesk.app import main
from ticketdesk.db.models import Ticket, TicketAssignee
from ticketdesk.db.store import open_database
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.import_mapping import suggest
from ticketdesk.services import agents, routing
from ticketdesk.services.importing import run
from ticketdesk.services.importing.sources import open_source
from ticketdesk.services.routing import RuleSpec
from ticketdesk.services.session import Session


def old_desk_csv(path: Path) -> Path:
    """Two open tickets without an assignee, a resolved one, an open one already assigned."""
    path.write_text("Case;Summary;State;Opened;Assignee\n"
                    "C-1;Printer jams;open;2024-02-01 10:00;\n"
                    "C-2;VPN down;pending;2024-02-02 10:00;\n"
                    "C-3;Old invoice;resolved;2024-02-03 10:00;\n"
                    "C-4;Laptop;open;2024-02-04 10:00;Zed\n", encoding="utf-8")
    return path


def _csv(tmp_path: Path) -> Path:
    return old_desk_csv(tmp_path / "old-desk.csv")


def assigned() -> dict[str, list[str]]:
    """Each ticket's subject -> its assignees' names."""
    from ticketdesk.db.models import Agent

    found: dict[str, list[str]] = {}
    for subject, name in (Ticket.select(Ticket.subject, Agent.name)
                          .join(TicketAssignee, on=(TicketAssignee.ticket == Ticket.id))
                          .join(Agent, on=(TicketAssignee.agent == Agent.id)).tuples()):
        found.setdefault(subject, []).append(name)
    return found


@pytest.fixture
def rules(system: Session) -> None:
    for name in ("Ana", "Ben"):
        agents.create_agent(system, name)
    routing.add_team(system, "Support", ["Ana", "Ben"])
    routing.add_rule(system, RuleSpec("Everything", "round-robin", team="Support"))


def _import(system: Session, path: Path, **options: bool) -> run.Result:
    source = open_source(path)
    mapping = suggest(source.headers)
    assert mapping.columns["Assignee"] == "assignees"
    return run.import_(system, source, mapping, source_system="old", timezone="UTC", **options)


def test_an_import_routes_nothing_unless_asked(tmp_path: Path, system: Session,
                                               rules: None) -> None:
    result = _import(system, _csv(tmp_path))
    assert (result.imported, result.routed) == (4, 0)
    assert assigned() == {"Laptop": ["Zed"]}


def test_asked_it_routes_the_open_unassigned_tickets_only_with_the_reason(
        tmp_path: Path, system: Session, rules: None) -> None:
    result = _import(system, _csv(tmp_path), route=True)
    assert (result.imported, result.routed) == (4, 2)
    assert assigned() == {"Printer jams": ["Ana"], "VPN down": ["Ben"], "Laptop": ["Zed"]}
    jams = Ticket.get(Ticket.subject == "Printer jams").id
    [why] = [r.new for r in activity(jams) if r.kind == ActivityKind.ROUTED]
    assert why.startswith("Rule “Everything”: Ana — round robin among Support")


def test_the_command_line_routes_with_route(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    store = open_database(url)
    try:
        system = Session(store, None)
        agents.create_agent(system, "Ana")
        routing.add_team(system, "Support", ["Ana"])
        routing.add_rule(system, RuleSpec("Everything", "least-open", team="Support",
                                          channels=["import"]))
    finally:
        store.close()
    assert main(["import", "tickets", str(_csv(tmp_path)), "--db", url, "--source-system", "old",
                 "--timezone", "UTC", "--route"]) == 0
    assert "2 routed to an agent" in capsys.readouterr().out
