"""SLA analytics (issue 17, services/sla_analytics.py): first-response and resolution SLA met
share and breaches by priority, agent and tag, on both engines; and in `export analytics`."""

from __future__ import annotations

import csv
from datetime import UTC, date
from pathlib import Path

import pytest

from tests.conftest import T0, FakeClock
from ticketdesk.app import main
from ticketdesk.db.models import Ticket
from ticketdesk.db.store import open_database
from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.period import Period, PeriodKind
from ticketdesk.domain.sla import Targets
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import messages, sla, sla_analytics, tickets
from ticketdesk.services.session import Session
from ticketdesk.services.sla_analytics import SlaFigures

H = 3600
PERIOD = Period.of(PeriodKind.CUSTOM, date(2026, 5, 30), first=date(2026, 5, 28),
                   last=date(2026, 5, 30))


def version(ticket_id: int) -> int:
    return int(Ticket.get_by_id(ticket_id).version)


@pytest.fixture
def story(system: Session, alice: Session, bob: Session, clock: FakeClock) -> Session:
    """Medium: 4 h to answer, 24 h to resolve; Urgent: 1 h and 8 h (around the clock).
    A (medium, vip, Alice): answered in 1 h, resolved in 2 h — both met.
    B (urgent, Bob): answered in 2 h (missed), resolved in 3 h (met).
    C (medium, nobody): never answered — both missed by the time of the report.
    D (medium): created an hour before the report — both still pending."""
    for level, first, resolution in ((Priority.MEDIUM, 4 * H, 24 * H),
                                     (Priority.URGENT, 1 * H, 8 * H)):
        sla.save_policy(system, "Standard", priority=level,
                        targets=Targets(first, None, resolution))
    clock.now = T0
    a = tickets.create_ticket(alice, subject="A", tags=["vip"],
                              assignee_ids=[alice.agent_id]).new_id
    b = tickets.create_ticket(alice, subject="B", priority=Priority.URGENT,
                              assignee_ids=[bob.agent_id]).new_id
    tickets.create_ticket(alice, subject="C")
    clock.now = T0 + H
    messages.add_message(alice, a, "On it.")
    clock.now = T0 + 2 * H
    tickets.set_status(alice, a, version(a), Status.RESOLVED)
    messages.add_message(bob, b, "Looking.")
    clock.now = T0 + 3 * H
    tickets.set_status(bob, b, version(b), Status.RESOLVED)
    clock.now = T0 + 29 * H
    tickets.create_ticket(alice, subject="D")
    clock.now = T0 + 30 * H
    return system


def test_met_share_and_breaches_of_the_period(story: Session) -> None:
    report = sla_analytics.report(story, PERIOD, tz=UTC)
    assert report.summary == SlaFigures(tickets=4, response_met=1, response_decided=3,
                                        resolution_met=2, resolution_decided=3)
    assert report.summary.response_met_share == pytest.approx(1 / 3)
    assert report.summary.resolution_met_share == pytest.approx(2 / 3)
    assert report.summary.breaches == 3


def test_breaches_by_priority_agent_and_tag(story: Session) -> None:
    report = sla_analytics.report(story, PERIOD, tz=UTC)
    priorities = dict(report.by_priority)
    assert priorities["Medium"] == SlaFigures(3, 1, 2, 1, 2)
    assert priorities["Urgent"] == SlaFigures(1, 0, 1, 1, 1)
    agents = dict(report.by_agent)
    assert agents["Alice Agent"].breaches == 0
    assert agents["Bob Builder"].breaches == 1
    assert agents["Bob Builder"].response_breached == 1
    assert dict(report.by_tag) == {"vip": SlaFigures(1, 1, 1, 1, 1)}


def test_the_filter_narrows_and_the_previous_period_is_empty(story: Session) -> None:
    current, previous = sla_analytics.report_pair(
        story, PERIOD, filter=TicketFilter(priorities=frozenset({Priority.URGENT})), tz=UTC)
    assert current.summary == SlaFigures(1, 0, 1, 1, 1)
    assert previous.summary == SlaFigures()
    assert previous.summary.response_met_share is None
    assert previous.last_day == date(2026, 5, 27)


def test_a_desk_without_policies_has_nothing_decided(system: Session) -> None:
    tickets.create_ticket(system, subject="No promise made")
    report = sla_analytics.report(system, PERIOD, tz=UTC)
    assert report.summary.tickets == 1
    assert report.summary.response_decided == report.summary.resolution_decided == 0
    assert report.summary.resolution_met_share is None


def test_export_analytics_carries_the_sla_figures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    store = open_database(url)
    try:
        clock = FakeClock(utc_now() - H)
        system = Session(store, None, clock)
        sla.save_policy(system, "Standard", priority=Priority.MEDIUM,
                        targets=Targets(4 * H, None, 24 * H))
        tid = tickets.create_ticket(system, subject="Printer", tags=["=vip"]).new_id
        clock.advance(600)
        tickets.set_status(system, tid, 1, Status.RESOLVED)
    finally:
        store.close()
    out = tmp_path / "a.csv"
    assert main(["export", "analytics", "--db", url, "--period", "last-30d",
                 "--out", str(out)]) == 0
    with open(out, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["period"] == "current"]

    def value(section: str, metric: str, key: str = "") -> str:
        return next(r["value"] for r in rows
                    if r["section"] == section and r["metric"] == metric and r["key"] == key)

    assert value("sla", "tickets") == "1"
    assert value("sla", "resolution_met") == "1"
    assert value("sla", "resolution_met_percent") == "100"
    assert value("sla", "first_response_met_percent") == ""  # not answered, not yet due
    assert value("sla_by_priority", "breaches", "Medium") == "0"
    assert value("sla_by_tag", "tickets", "'=vip") == "1"  # neutralised against formulas
