"""Exported times are ISO 8601 UTC, formatted the same by both databases."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.conftest import FakeClock
from ticketdesk.domain.clock import format_utc
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.status import Status
from ticketdesk.services import messages, tickets
from ticketdesk.services.export import export_tickets
from ticketdesk.services.session import Session


def test_every_time_column_is_iso_utc(alice: Session, clock: FakeClock, tmp_path: Path) -> None:
    clock.now = 951_782_399  # 2000-02-28T23:59:59Z: a leap-year boundary is next
    created = clock.now
    tid = tickets.create_ticket(alice, subject="Leap day").new_id
    replied = clock.advance(2)  # 2000-02-29T00:00:01Z
    messages.add_message(alice, tid, "On it")
    closed = clock.advance(86_400 * 366)
    tickets.set_status(alice, tid, 1, Status.CLOSED)
    out = tmp_path / "t.csv"
    export_tickets(alice.store, out, TicketFilter())
    with open(out, encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["created_at"] == format_utc(created) == "2000-02-28T23:59:59Z"
    assert row["first_response_at"] == format_utc(replied) == "2000-02-29T00:00:01Z"
    assert row["resolved_at"] == row["closed_at"] == row["updated_at"] == format_utc(closed)
