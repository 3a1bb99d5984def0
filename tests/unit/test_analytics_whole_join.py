"""All time's agents table reads every assignment with its ticket's times; on PostgreSQL as a
merge of two index-only scans in ticket id order (`Engine.whole_join`, ticketdesk/ARCHITECTURE.md
"One million tickets"). The planner settings it needs hold for that query only: the rest of the
report's transaction plans as before. Figures are the same on both engines."""

from __future__ import annotations

from tests.helpers import new_ticket
from ticketdesk.db.engine import engine_for
from ticketdesk.db.store import Store
from ticketdesk.domain.period import PeriodKind
from ticketdesk.services import analytics, assignees, tickets
from ticketdesk.services.session import Session


def _settings(store: Store) -> tuple[str, str]:
    if store.is_sqlite:
        return ("-", "-")
    row = store.db.execute_sql("SELECT current_setting('enable_hashjoin'), "
                               "current_setting('jit')").fetchone()
    return str(row[0]), str(row[1])


def test_the_whole_join_settings_hold_inside_it_and_are_put_back(store: Store) -> None:
    engine = engine_for(store)
    with store.read():
        before = _settings(store)
        with engine.whole_join(store.db):
            inside = _settings(store)
        assert _settings(store) == before
    if not store.is_sqlite:
        assert inside == ("off", "off")


def test_all_times_agents_table_counts_every_assignment(store: Store) -> None:
    from ticketdesk.services import agents

    ann, _ = agents.create_agent(Session(store, None), "Ann")
    me = Session(store, ann)
    first = new_ticket(me, "Printer on fire")
    new_ticket(me, "Scanner jams")
    version = tickets.ticket_version(me, first)
    assert version is not None
    assignees.assign(me, first, version, ann)
    report = analytics.compute(store, analytics.period_for(store, PeriodKind.ALL_TIME))
    assert report.current.breakdowns is not None
    (row,) = report.current.breakdowns.agents
    assert (row.name, row.handled) == ("Ann", 1)
