"""Desks whose times contradict each other (issue 16): `ticketdesk check` names them, and
analytics never show a negative duration — desks filled before the import made timelines
sound included."""

from __future__ import annotations

from datetime import date

from tests.conftest import FakeClock
from ticketdesk.app import main
from ticketdesk.db.models import Ticket
from ticketdesk.domain.period import Period, PeriodKind
from ticketdesk.domain.status import Status
from ticketdesk.services import analytics, tickets
from ticketdesk.services.session import Session


def _resolved_before_created(system: Session) -> int:
    """A ticket as the old importer left it: created "now", resolved years before."""
    tid = tickets.create_ticket(system, subject="Imported long ago").new_id
    with system.store.write():
        Ticket.update(status=int(Status.RESOLVED), resolved_at=Ticket.created_at - 86400 * 400,
                      first_response_at=Ticket.created_at - 86400 * 401).where(
            Ticket.id == tid).execute()
    return tid


def test_check_reports_tickets_whose_times_contradict_each_other(
        system: Session, db_url: str, capsys) -> None:
    tickets.create_ticket(system, subject="A sound one")
    _resolved_before_created(system)
    assert main(["check", "--db", db_url]) == 1
    out = capsys.readouterr().out
    assert "1 ticket(s) with their resolution before creation (TKT-000002)" in out
    assert "1 ticket(s) with their first response before creation (TKT-000002)" in out


def test_check_calls_a_sound_desk_ok(system: Session, db_url: str, capsys) -> None:
    tickets.create_ticket(system, subject="A sound one")
    assert main(["check", "--db", db_url]) == 0
    assert ": ok (" in capsys.readouterr().out


def test_analytics_never_show_a_negative_average_duration(system: Session,
                                                          clock: FakeClock) -> None:
    _resolved_before_created(system)
    today = date.fromtimestamp(clock.now)
    period = Period(PeriodKind.CUSTOM, today.replace(year=today.year - 3), today)
    summary = analytics.compute(system.store, period, now=clock.now).current.summary
    assert summary.resolved == 1
    assert summary.resolution_seconds < 0  # what the desk holds ...
    assert summary.avg_resolution == 0.0  # ... is never shown as a negative time
    assert summary.avg_first_response == 0.0
