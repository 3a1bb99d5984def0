"""All time on PostgreSQL reads the cards' sums and the status, priority and category bars in one
grouped pass over the tickets (`Engine.whole_desk_pass`, services/analytics.py `_whole_desk`).
The figures are the ones the separate reads give, with and without a filter, on both engines
(the pass is plain SQL; SQLite only prefers its indexes)."""

from __future__ import annotations

import pytest

from ticketdesk.db import postgres_engine, sqlite_engine
from ticketdesk.db.store import Store
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.period import PeriodKind
from ticketdesk.domain.status import Priority
from ticketdesk.services import analytics, demo


def _current(store: Store, f: TicketFilter, kind: PeriodKind) -> object:
    period = analytics.period_for(store, kind)
    report = analytics.compute(store, period, filter=f)
    return report.current.summary, report.current.breakdowns


@pytest.mark.parametrize("f", [TicketFilter(), TicketFilter(priorities=frozenset({Priority.HIGH})),
                               TicketFilter(text="printer")], ids=["all", "high", "search"])
def test_all_time_in_one_pass_gives_the_figures_of_the_separate_reads(
        store: Store, f: TicketFilter, monkeypatch: pytest.MonkeyPatch) -> None:
    demo.generate(store, tickets=600, seed=7)
    taken: list[bool] = []
    real = analytics._Queries._whole_desk

    def spy(self: analytics._Queries, start: int, end: int) -> object:
        whole = real(self, start, end)
        taken.append(whole is not None)
        return whole

    monkeypatch.setattr(analytics._Queries, "_whole_desk", spy)
    for engine in (postgres_engine.PostgresEngine, sqlite_engine.SqliteEngine):
        monkeypatch.setattr(engine, "whole_desk_pass", True)
    in_one_pass = _current(store, f, PeriodKind.ALL_TIME)
    assert taken == [True]
    for engine in (postgres_engine.PostgresEngine, sqlite_engine.SqliteEngine):
        monkeypatch.setattr(engine, "whole_desk_pass", False)
    assert _current(store, f, PeriodKind.ALL_TIME) == in_one_pass
    summary, bars = in_one_pass  # type: ignore[misc]
    assert summary.created > 0
    assert summary.resolved > 0
    assert bars.by_category


def test_a_period_that_does_not_hold_every_ticket_reads_as_before(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    demo.generate(store, tickets=300, seed=8)
    for engine in (postgres_engine.PostgresEngine, sqlite_engine.SqliteEngine):
        monkeypatch.setattr(engine, "whole_desk_pass", True)
    taken: list[bool] = []
    real = analytics._Queries._whole_desk
    monkeypatch.setattr(analytics._Queries, "_whole_desk", lambda self, start, end: (
        taken.append((w := real(self, start, end)) is not None) or w))
    _current(store, TicketFilter(), PeriodKind.LAST_30D)
    assert taken == [False]


def test_postgresql_takes_the_pass_and_sqlite_its_indexes() -> None:
    assert postgres_engine.PostgresEngine.whole_desk_pass
    assert not sqlite_engine.SqliteEngine.whole_desk_pass
