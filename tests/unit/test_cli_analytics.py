"""`ticketdesk export analytics`: a period's figures to one CSV, as the analyst gets them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ticketdesk.app import main
from ticketdesk.db.store import open_database
from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.status import Status
from ticketdesk.services import tickets
from ticketdesk.services.session import Session


@pytest.fixture
def desk(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    store = open_database(url)
    try:
        system = Session(store, None, utc_now)
        for i in range(3):
            tid = tickets.create_ticket(system, subject=f"=cmd|' /C calc'!A{i}",
                                        tags=["billing"]).new_id
            if i == 0:
                tickets.set_status(system, tid, 1, Status.CLOSED)
    finally:
        store.close()
    return url


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _value(rows: list[dict[str, str]], section: str, metric: str, key: str = "") -> str:
    return next(r["value"] for r in rows if r["section"] == section and r["period"] == "current"
                and r["metric"] == metric and r["key"] == key)


def test_export_analytics_writes_the_periods_figures(desk: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "a.csv"
    assert main(["export", "analytics", "--db", desk, "--period", "last-30d",
                 "--out", str(out)]) == 0
    rows = _rows(out)
    assert _value(rows, "summary", "created") == "3"
    assert _value(rows, "summary", "closed") == "1"
    assert _value(rows, "by_tag", "tickets", "billing") == "3"
    assert any(r["period"] == "previous" for r in rows)
    assert "Last 30 days" in capsys.readouterr().out


def test_export_analytics_narrows_by_filter_options(desk: str, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    assert main(["export", "analytics", "--db", desk, "--out", str(out),
                 "--status", "closed"]) == 0
    assert _value(_rows(out), "summary", "created") == "1"


def test_export_analytics_custom_period_needs_a_start(desk: str, tmp_path: Path,
                                                      capsys) -> None:
    out = tmp_path / "a.csv"
    assert main(["export", "analytics", "--db", desk, "--period", "custom",
                 "--out", str(out)]) == 1
    assert "--from" in capsys.readouterr().err
    assert not out.exists()


def test_export_analytics_unknown_period_is_refused(desk: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "a.csv"
    assert main(["export", "analytics", "--db", desk, "--period", "fortnight",
                 "--out", str(out)]) == 1
    assert "Unknown period 'fortnight'" in capsys.readouterr().err
