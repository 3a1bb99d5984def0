"""The analytics view, driven from the main window on both backends: Ctrl+2 opens it, the cards
read what `services.analytics.compute` says, the period and the tag/assignee choices recompute,
a click on a bar or a card (or a double-click in the agents table) shows the ticket list with
exactly the tickets counted, and the figures export to CSV and the charts to PNG."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QFontMetricsF, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QToolTip

from tests.conftest import FakeClock
from tests.ui.conftest import answer_modal, wait_listed
from ticketdesk.db.store import open_database
from ticketdesk.domain.analytics import (
    MISSING,
    AnalyticsReport,
    Bar,
    Breakdowns,
    DayCount,
    Metric,
    PeriodFigures,
    Summary,
)
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.period import Period, PeriodKind
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, analytics, messages, tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.analytics import AnalyticsView, loader, series
from ticketdesk.ui.analytics.agents_table import COL_CLOSED, COL_HANDLED
from ticketdesk.ui.analytics.cards import change_text
from ticketdesk.ui.analytics.controls import UNASSIGNED, AnalyticsControls
from ticketdesk.ui.analytics.series import BarSpec
from ticketdesk.ui.analytics.words import METRIC
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.theme import Scheme, apply_scheme, dark_palette, light_palette

HOUR = 3600
DAY = 24 * HOUR
ROOT = Path(__file__).resolve().parents[2]


def seed_recent(db_url: str) -> str:
    """Tickets of the last week (and two of six weeks ago, for the previous period), written
    through the services with a clock just behind the real one: the view counts periods back
    from today."""
    store = open_database(db_url)
    now = int(time.time())
    clock = FakeClock(now - 40 * DAY)
    try:
        system = Session(store, None, clock)
        alice_id, _ = agents.create_agent(system, "Alice Agent")
        bob_id, _ = agents.create_agent(system, "Bob Builder")
        alice, bob = system.as_agent(alice_id), system.as_agent(bob_id)

        def ticket(subject: str, tags: list[str], who: list[int],
                   priority: Priority = Priority.MEDIUM) -> int:
            clock.advance(HOUR)
            return tickets.create_ticket(system, subject=subject, tags=tags, assignee_ids=who,
                                         priority=priority).new_id

        def status(session: Session, ticket_id: int, new: Status) -> None:
            clock.advance(HOUR)
            tickets.set_status(session, ticket_id, tickets.get_ticket(ticket_id).version, new)

        def reply(session: Session, ticket_id: int) -> None:
            clock.advance(HOUR // 2)
            messages.add_message(session, ticket_id, "We are on it.")

        old = ticket("Old refund", ["billing"], [alice_id])
        reply(alice, old)
        status(alice, old, Status.CLOSED)
        ticket("Old printer", ["hardware"], [bob_id], Priority.LOW)

        clock.now = now - 6 * DAY
        t1 = ticket("Refund not received", ["billing"], [alice_id], Priority.HIGH)
        reply(alice, t1)
        t2 = ticket("Printer on fire", ["hardware"], [bob_id], Priority.URGENT)
        reply(bob, t2)
        status(bob, t2, Status.RESOLVED)
        t3 = ticket("Password reset loop", ["login", "billing"], [alice_id, bob_id])
        status(alice, t3, Status.CLOSED)
        t4 = ticket("Invoice copy needed", ["billing"], [])
        status(system, t4, Status.WAITING)
        clock.now = now - 2 * DAY
        t5 = ticket("Card declined", ["billing"], [bob_id], Priority.HIGH)
        reply(bob, t5)
        status(bob, t5, Status.CLOSED)
        ticket("Scanner jams", [], [alice_id], Priority.LOW)
        t7 = ticket("VPN drops", ["login"], [alice_id])
        status(alice, t7, Status.IN_PROGRESS)
        assert clock.now < now
    finally:
        store.close()
    return db_url


@pytest.fixture
def seeded(db_url: str) -> str:
    return seed_recent(db_url)


def settled(view: AnalyticsView) -> bool:
    """The chosen period's figures are on every card, chart and in the table."""
    return view.report is not None and not view.busy and view.charts_report is view.report


def open_analytics(qtbot, window: MainWindow) -> AnalyticsView:
    """Ctrl+2, as a user opens it, then wait for the first figures."""
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    view = window.analytics_view
    assert isinstance(view, AnalyticsView)
    assert window.pages.currentWidget() is view
    qtbot.waitUntil(lambda: settled(view), timeout=20_000)
    return view


def recompute(qtbot, view: AnalyticsView, change: Callable[[], object]) -> AnalyticsReport:
    before = view.report
    change()
    assert view.busy
    assert view.controls.busy_label.isVisibleTo(view)
    assert view.controls.busy_label.text() == "Calculating…"
    assert view.report is before  # the last figures stay while it computes
    qtbot.waitUntil(lambda: settled(view) and view.report is not before, timeout=20_000)
    assert not view.controls.busy_label.isVisibleTo(view)
    assert view.report is not None
    return view.report


def expected(window: MainWindow, kind: PeriodKind,
             f: TicketFilter | None = None) -> AnalyticsReport:
    store = window.store
    return analytics.compute(store, analytics.period_for(store, kind), filter=f)


def card_texts(view: AnalyticsView) -> dict[Metric, str]:
    return {m: view.card(m).value_label.text() for m in Metric}


def expected_texts(report: AnalyticsReport) -> dict[Metric, str]:
    return {m: m.format_value(report.value(m)) for m in Metric}


def bar_index(chart, label: str) -> int:
    return next(i for i, bar in enumerate(chart.bars) if bar.label == label)


def click_bar(qtbot, chart, index: int) -> None:
    """A real left click in the middle of the bar, through pyqtgraph's scene."""
    qtbot.mouseClick(chart.plot.viewport(), Qt.MouseButton.LeftButton,
                     pos=chart.bar_position(index))


def listed_count(qtbot, window: MainWindow) -> int:
    assert window.pages.currentIndex() == 0
    wait_listed(qtbot, window)
    assert window.model.matching is not None
    return window.model.matching


# -- opening and reading ----------------------------------------------------------------------

def test_ctrl_2_opens_the_view_and_the_cards_say_what_the_service_computes(
        seeded: str, window: MainWindow, qtbot) -> None:
    wait_listed(qtbot, window)
    view = open_analytics(qtbot, window)
    assert window.findChild(AnalyticsView, "analyticsView") is view
    assert view.controls.period_kind() == PeriodKind.LAST_30D
    report = expected(window, PeriodKind.LAST_30D)
    assert report.value(Metric.CREATED) == 7
    assert card_texts(view) == expected_texts(report)
    closed = view.card(Metric.CLOSED)
    assert closed.previous_label.text() == "previous: 1"
    assert closed.change_label.text() == change_text(report.change(Metric.CLOSED)) == "▲ +100%"
    assert "closed" in closed.toolTip().lower()
    rate = view.card(Metric.CLOSURE_RATE)
    assert "share of the tickets created in the period" in rate.toolTip()
    assert rate.drill is None  # a ratio has no ticket list
    # The charts show the same figures.
    status = view.chart("status")
    assert [b.value for b in status.bars] == [b.count for b in report.current.breakdowns.by_status]
    trend = view.chart("trend")
    assert sum(p.created for p in trend.points) == 7
    assert view.agents_table.model().rowCount() == 2
    window.tickets_view_action.trigger()
    assert window.pages.currentIndex() == 0


def test_view_menu_opens_it_too_and_the_ticket_dock_comes_back_with_the_list(
        seeded: str, window: MainWindow, qtbot) -> None:
    assert window.dock.isVisible()
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    next(a for a in view_menu.actions() if a.text() == "&Analytics").trigger()
    assert window.pages.currentWidget() is window.analytics_view
    assert not window.dock.isVisible()  # the charts get the whole width
    window.show_tickets()
    assert window.dock.isVisible()


def test_changing_the_period_recomputes_off_the_gui_thread(seeded: str, window: MainWindow,
                                                           qtbot) -> None:
    view = open_analytics(qtbot, window)
    index = view.controls.period_picker.findData(PeriodKind.ALL_TIME.value)
    report = recompute(qtbot, view, lambda: view.controls.period_picker.setCurrentIndex(index))
    assert report.current.period.kind == PeriodKind.ALL_TIME
    assert card_texts(view) == expected_texts(expected(window, PeriodKind.ALL_TIME))
    assert view.card(Metric.CREATED).value_label.text() == "9"
    assert "compared with" in view.period_label.text()
    report = recompute(qtbot, view, lambda: view.set_period(PeriodKind.TODAY))
    assert report.current.period.day_count == 1
    assert card_texts(view) == expected_texts(expected(window, PeriodKind.TODAY))


def test_only_the_latest_choice_reaches_the_screen(seeded: str, window: MainWindow,
                                                   qtbot) -> None:
    view = open_analytics(qtbot, window)
    shown: list[PeriodKind] = []
    view.updated.connect(lambda r: shown.append(r.current.period.kind))
    for kind in (PeriodKind.ALL_TIME, PeriodKind.LAST_MONTH, PeriodKind.LAST_7D):
        view.set_period(kind)
    qtbot.waitUntil(lambda: settled(view), timeout=20_000)
    qtbot.wait(200)
    assert shown == [PeriodKind.LAST_7D]


def test_custom_range_uses_the_two_dates(seeded: str, window: MainWindow, qtbot) -> None:
    view = open_analytics(qtbot, window)
    today = analytics.period_for(window.store, PeriodKind.TODAY).last_day
    first = today - timedelta(days=3)
    report = recompute(qtbot, view, lambda: view.set_period(PeriodKind.CUSTOM, first, today))
    assert view.controls.date_from.isVisible()
    assert (report.current.period.first_day, report.current.period.last_day) == (first, today)
    assert view.card(Metric.CREATED).value_label.text() == "3"


def test_tag_and_assignee_choices_narrow_every_figure(seeded: str, window: MainWindow,
                                                      qtbot) -> None:
    view = open_analytics(qtbot, window)
    tags = view.controls.tag_filter
    qtbot.waitUntil(lambda: tags.count() == 4, timeout=5000)  # All + 3 tags
    assert [tags.itemText(i) for i in range(tags.count())] == [
        "All tags", "billing", "hardware", "login"]
    recompute(qtbot, view, lambda: view.controls.choose_tag("billing"))
    billing = TicketFilter(tags=frozenset({"billing"}))
    assert card_texts(view) == expected_texts(expected(window, PeriodKind.LAST_30D, billing))
    assert view.card(Metric.CREATED).value_label.text() == "4"
    chart = view.chart("tags")
    assert [(b.label, b.value) for b in chart.bars] == [("billing", 4), ("login", 1)]
    assert chart.bars[1].drill is None  # login AND billing: no single list of "login" here

    bob = agents.find_agent(window.store, "Bob Builder")
    assert bob is not None
    recompute(qtbot, view, lambda: view.controls.choose_assignee(bob.id))
    both = TicketFilter(tags=frozenset({"billing"}), assignees=frozenset({bob.id}))
    assert card_texts(view) == expected_texts(expected(window, PeriodKind.LAST_30D, both))
    assert view.card(Metric.CREATED).value_label.text() == "2"
    recompute(qtbot, view, lambda: view.controls.choose_tag(None))
    recompute(qtbot, view, lambda: view.controls.choose_assignee("unassigned"))
    assert view.card(Metric.CREATED).value_label.text() == "1"


# -- drill-down -------------------------------------------------------------------------------

def test_clicking_a_status_bar_lists_exactly_the_tickets_it_counted(
        seeded: str, window: MainWindow, qtbot) -> None:
    view = open_analytics(qtbot, window)
    chart = view.chart("status")
    i = bar_index(chart, "Closed")
    assert chart.bars[i].value == 2
    click_bar(qtbot, chart, i)
    assert listed_count(qtbot, window) == 2
    assert window.filter_bar.status.text() == "Status: Closed"


def test_clicking_a_tag_bar_and_a_priority_bar(seeded: str, window: MainWindow, qtbot) -> None:
    view = open_analytics(qtbot, window)
    tags = view.chart("tags")
    i = bar_index(tags, "billing")
    click_bar(qtbot, tags, i)
    assert listed_count(qtbot, window) == tags.bars[i].value == 4
    assert window.filter_bar.tags.text() == "Tags: billing"
    window.show_analytics()
    priority = view.chart("priority")
    i = bar_index(priority, "High")
    click_bar(qtbot, priority, i)
    assert listed_count(qtbot, window) == priority.bars[i].value == 2


def test_top_agents_chart_ranks_by_handled_like_the_table_and_cells_list_closed_tickets(
        seeded: str, window: MainWindow, qtbot) -> None:
    view = open_analytics(qtbot, window)
    chart = view.chart("agents")
    rows = view.report.current.breakdowns.agents
    closed = {a.name: a.closed for a in rows}
    table = view.agents_table
    # One definition of "top agents": the chart's bars are the table's rows in the table's
    # order (most handled first), each as long as the agent's Handled.
    assert [b.label for b in chart.bars] == [a.name for a in rows if a.handled]
    assert [b.value for b in chart.bars] == [a.handled for a in rows if a.handled]
    assert [table.model().index(r, 0).data() for r in range(table.model().rowCount())] == [
        a.name for a in rows]
    i = bar_index(chart, "Bob Builder")
    assert chart.bars[i].drill is None  # handled is a union: no single list
    assert "agents table" in chart.bars[i].tooltip

    window.show_analytics()
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(COL_CLOSED) + header.sectionSize(COL_CLOSED) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    names = [table.model().index(r, 0).data() for r in range(table.model().rowCount())]
    ascending = sorted(names, key=lambda n: (closed[n], n))
    assert names in (ascending, ascending[::-1])
    row = names.index("Alice Agent")
    view.scroll_area.ensureWidgetVisible(table)
    rect = table.visualRect(table.model().index(row, COL_CLOSED))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert listed_count(qtbot, window) == closed["Alice Agent"] == 1
    window.show_analytics()
    assert not table.activate(row, COL_HANDLED)  # a union: no single list
    assert "Handled" in view.message_label.text()


def test_clicking_a_card_lists_its_tickets(seeded: str, window: MainWindow, qtbot) -> None:
    view = open_analytics(qtbot, window)
    for metric, count in ((Metric.CREATED, 7), (Metric.OPEN, 5)):
        window.show_analytics()
        card = view.card(metric)
        qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
        assert listed_count(qtbot, window) == count == view.report.value(metric)


def test_a_day_of_the_trend_lists_that_days_tickets(seeded: str, window: MainWindow,
                                                    qtbot) -> None:
    view = open_analytics(qtbot, window)
    trend = view.chart("trend")
    busiest = max(trend.points, key=lambda p: p.created)
    pos = trend.data_to_widget(busiest.x, busiest.created)
    qtbot.mouseClick(trend.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert listed_count(qtbot, window) == busiest.created


def test_hovering_a_bar_shows_its_exact_figure(seeded: str, window: MainWindow, qtbot) -> None:
    view = open_analytics(qtbot, window)
    chart = view.chart("tags")
    i = bar_index(chart, "billing")
    middle = chart.item.vb.mapViewToScene(QPointF(chart.bars[i].value / 2, i))
    chart._mouse_moved(middle)
    assert chart._hovered == i
    assert "billing: 4 tickets" in QToolTip.text()
    assert chart.plot.viewport().cursor().shape() == Qt.CursorShape.PointingHandCursor
    QToolTip.hideText()


# -- export -----------------------------------------------------------------------------------

def test_export_csv_writes_the_figures_shown(seeded: str, window: MainWindow, qtbot,
                                             tmp_path: Path, monkeypatch) -> None:
    view = open_analytics(qtbot, window)
    target = tmp_path / "figures.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    with qtbot.waitSignal(view.exported, timeout=20_000) as written:
        view.controls.csv_action.trigger()
    assert written.args == [target]
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    created = next(r for r in rows if r["section"] == "summary" and r["period"] == "current"
                   and r["metric"] == "created")
    assert created["value"] == view.card(Metric.CREATED).value_label.text() == "7"
    assert {r["section"] for r in rows} >= {"daily", "by_status", "by_tag", "agents"}
    # The previous period's breakdowns are in the file too.
    assert any(r["section"] == "by_tag" and r["period"] == "previous" for r in rows)
    assert "Saved" in view.message_label.text()


def test_export_png_of_one_chart_and_of_all(seeded: str, window: MainWindow, qtbot,
                                            tmp_path: Path, monkeypatch) -> None:
    view = open_analytics(qtbot, window)
    chart = view.chart("status")
    target = tmp_path / "status"  # the suffix is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    action = next(a for a in view.controls.export_menu.actions()
                  if a.text() == "Created in the period, by status now as PNG…")
    with qtbot.waitSignal(view.exported) as written:
        action.trigger()
    path = tmp_path / "status.png"
    assert written.args == [[path]]
    image = QImage(str(path))
    assert not image.isNull()
    assert (image.width(), image.height()) == (chart.width() * 2, chart.height() * 2)
    assert path.stat().st_size > 5000

    folder = tmp_path / "all"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(folder)))
    with qtbot.waitSignal(view.exported) as written:
        view.controls.png_action.trigger()
    files = sorted(p.name.split("-")[1] for p in folder.iterdir())
    assert files == ["agentsChart", "categoryChart", "priorityChart", "statusChart", "tagChart",
                     "trendChart"]
    assert all(QImage(str(p)).width() > 400 for p in folder.iterdir())


# -- empty desk, changes, scheme ----------------------------------------------------------------

def test_empty_desk_shows_dashes_and_no_errors(window: MainWindow, qtbot) -> None:
    view = open_analytics(qtbot, window)
    texts = card_texts(view)
    assert texts[Metric.CREATED] == texts[Metric.CLOSED] == texts[Metric.OPEN] == "0"
    for metric in (Metric.AVG_RESOLUTION, Metric.AVG_FIRST_RESPONSE, Metric.CLOSURE_RATE):
        assert texts[metric] == MISSING
    assert view.card(Metric.CREATED).change_label.text() == MISSING
    assert not view.error_label.isVisible()
    for chart in view.charts.values():
        assert chart.empty_label.isVisible()
        assert chart.empty_label.text().startswith("No ")
    assert view.agents_table.model().rowCount() == 0
    recompute(qtbot, view, lambda: view.set_period(PeriodKind.ALL_TIME))
    assert view.card(Metric.CLOSURE_RATE).value_label.text() == MISSING


def test_changes_refresh_the_view_when_shown_and_later_when_hidden(
        seeded: str, window: MainWindow, qtbot) -> None:
    view = open_analytics(qtbot, window)
    assert view.card(Metric.CREATED).value_label.text() == "7"
    changes = tickets.create_ticket(window.session, subject="Another one")
    window.hub.announce(changes, window)
    assert not view.busy  # debounced: a burst of changes makes one refresh
    qtbot.waitUntil(lambda: view.card(Metric.CREATED).value_label.text() == "8"
                    and settled(view), timeout=10_000)

    window.show_tickets()
    window.hub.announce(tickets.create_ticket(window.session, subject="And one more"), window)
    assert view.stale
    assert view.card(Metric.CREATED).value_label.text() == "8"
    window.hub.announce(Changes(notes=True), window)  # nothing analytics shows
    window.show_analytics()
    qtbot.waitUntil(lambda: view.card(Metric.CREATED).value_label.text() == "9"
                    and settled(view), timeout=10_000)
    assert not view.stale


def test_charts_follow_the_colour_scheme(seeded: str, window: MainWindow, qtbot) -> None:
    view = open_analytics(qtbot, window)
    chart = view.chart("trend")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        apply_scheme(app, Scheme.DARK)
        qtbot.waitUntil(lambda: chart.plot.backgroundBrush().color()
                        == dark_palette().color(dark_palette().ColorRole.Base), timeout=3000)
        apply_scheme(app, Scheme.LIGHT)
        qtbot.waitUntil(lambda: chart.plot.backgroundBrush().color()
                        == light_palette().color(light_palette().ColorRole.Base), timeout=3000)
    finally:
        apply_scheme(app, Scheme.LIGHT)


# -- once, not per backend ----------------------------------------------------------------------

def test_the_metric_words_marked_for_translation_are_the_domains() -> None:
    assert {m: (m.label, m.definition) for m in Metric} == METRIC


def test_start_up_does_not_import_pyqtgraph_the_view_does_in_the_background(
        sqlite_url: str, tmp_path: Path) -> None:
    script = f"""
import sys, threading
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

importers = []

class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "pyqtgraph":
            importers.append(threading.current_thread().name)

sys.meta_path.insert(0, Spy())
app = QApplication([])
from ticketdesk.app import build_main_window
settings = QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat)
window = build_main_window({sqlite_url!r}, agent_name="Tess", settings=settings)
window.show()
app.processEvents()
assert importers == [], "start-up imported pyqtgraph"
window.show_analytics()
view = window.analytics_view
while not view.charts:
    app.processEvents()
assert importers == ["load-pyqtgraph"], importers
window.close()
print("ok")
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_chart_that_cannot_be_saved_says_so(seeded: str, window: MainWindow, qtbot,
                                              tmp_path: Path, monkeypatch) -> None:
    view = open_analytics(qtbot, window)
    target = tmp_path / "no such folder" / "chart.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    seen: list[str] = []

    def read(box) -> None:
        seen.append(box.text())
        box.accept()

    answer_modal(read)
    assert view.export_png(view.chart("trend")) is None
    assert len(seen) == 1
    assert str(target) in seen[0]
    assert not target.exists()


# -- the pieces, without a window -------------------------------------------------------------

def _figures_with_tags(counts: dict[str, int]) -> PeriodFigures:
    period = Period(PeriodKind.CUSTOM, date(2026, 3, 1), date(2026, 3, 31))
    bars = tuple(sorted((Bar(name, n) for name, n in counts.items()),
                        key=lambda b: (-b.count, b.label)))
    charts = Breakdowns(by_status=(), by_priority=(), by_tag=bars, agents=())
    return PeriodFigures(period, 0, 1, TicketFilter(), Summary(), (), charts)


def test_tags_beyond_the_top_ten_fold_into_other() -> None:
    figures = _figures_with_tags({f"tag{i:02d}": 100 - i for i in range(14)})
    bars = series.tag_bars(figures)
    assert [b.label for b in bars[:10]] == [f"tag{i:02d}" for i in range(10)]
    assert all(b.drill is not None for b in bars[:10])
    other = bars[10]
    assert len(bars) == 11
    assert other.label == "Other (4 tags)"
    assert other.value == 90 + 89 + 88 + 87
    assert other.drill is None  # a ticket with two tags counts under both: no single list
    assert "tag13 87" in other.tooltip
    # Eleven tags are all shown: an "Other" of one tag would hide a name for nothing.
    assert "Other" not in series.tag_bars(_figures_with_tags(
        {f"t{i}": 10 + i for i in range(11)}))[-1].label


def test_long_weeks_and_months_for_long_periods() -> None:
    charts = loader.wait()
    start = date(2024, 1, 1)
    days = [DayCount(start + timedelta(days=i), 1, 0) for i in range(100)]
    unit, points = charts.buckets(days)
    assert unit == "week"
    assert sum(p.created for p in points) == 100
    assert all((p.last - p.first).days == 6 for p in points[1:])  # whole weeks...
    assert points[-1].last == days[-1].day  # ...counted back from the last day
    assert (points[0].last - points[0].first).days == 100 % 7 - 1
    unit, points = charts.buckets(
        [DayCount(start + timedelta(days=i), 2, 1) for i in range(4 * 366)])
    assert unit == "month"
    assert points[0].first == date(2024, 1, 1)
    assert points[0].created == 62
    assert charts.buckets(days[:30])[0] == "day"


def test_category_labels_fit_their_slot_or_wrap_or_elide(qtbot) -> None:
    charts = loader.wait()
    chart = charts.BarChart("Labels", "labelChart", horizontal=False, value_label="Tickets")
    qtbot.addWidget(chart)
    labels = ["In Progress", "Resolved", "A very long category name indeed", "Supercalifragi"]
    chart.set_bars([BarSpec(label, 5 + i, label) for i, label in enumerate(labels)], "none")
    chart.resize(300, 240)
    chart.show()
    qtbot.waitExposed(chart)
    axis = chart.category_axis
    values = axis.tickValues(-0.6, 3.6, axis.width())
    assert values[0][1] == [0.0, 1.0, 2.0, 3.0]
    slot = axis.width() / 4.2
    metrics = QFontMetricsF(axis.style["tickFont"])
    texts = axis.tickStrings(values[0][1], 1.0, values[0][0])
    assert texts[0] in ("In Progress", "In\nProgress")
    for text in texts:
        for line in text.split("\n"):
            assert metrics.horizontalAdvance(line) <= slot
    assert texts[2].endswith("…")
    # Too many for the room: every other label, never two on top of each other.
    thin = axis.tickValues(-0.6, 39.6, 300)
    assert thin[0][0] >= 2


def test_choices_keep_the_chosen_tag_and_fall_back_when_it_is_gone(qtbot) -> None:
    controls = AnalyticsControls(None)
    qtbot.addWidget(controls)
    changes: list[bool] = []
    controls.changed.connect(lambda: changes.append(True))
    controls.set_choices(["billing", "login"], [(1, "Alice"), (2, "Bob")])
    assert changes == []  # offering choices is not a change of what to compute
    controls.choose_tag("login")
    controls.choose_assignee(2)
    assert len(changes) == 2
    controls.set_choices(["login", "zebra"], [(2, "Bob")])
    assert len(changes) == 2
    assert controls.ticket_filter() == TicketFilter(tags=frozenset({"login"}),
                                                    assignees=frozenset({2}))
    controls.set_choices(["zebra"], [(2, "Bob")])  # login was deleted
    assert len(changes) == 3
    assert controls.ticket_filter() == TicketFilter(assignees=frozenset({2}))
    controls.choose_assignee(UNASSIGNED)
    controls.set_choices([], [])
    assert controls.ticket_filter() == TicketFilter(unassigned=True)
