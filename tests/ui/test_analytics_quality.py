"""The analytics view's satisfaction and SLA section (issues 21 and 17), driven from the main
window on both backends: the CSAT and SLA cards say what the services compute, a comment
drills down to its ticket, and none of it queries on the GUI thread. Its models pass
QAbstractItemModelTester."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from tests.ui.conftest import wait_listed
from tests.ui.test_main_window import subjects
from tests.ui.test_window_never_waits import Guard, guard  # noqa: F401 - the fixture
from ticketdesk.db.store import open_database
from ticketdesk.domain.csat import rating
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.sla import Targets
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import csat, sla, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.analytics import AnalyticsView
from ticketdesk.ui.analytics.quality import QualitySection, trend
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.rows_model import FILTER_ROLE, Row, RowsModel

H = 3600


def seed(url: str) -> None:
    store = open_database(url)
    try:
        system = Session(store, None)
        sla.save_policy(system, "Standard", priority=Priority.MEDIUM,
                        targets=Targets(4 * H, None, 24 * H))
        jams = tickets.create_ticket(system, subject="Printer jams", tags=["printer"]).new_id
        tickets.set_status(system, jams, 1, Status.RESOLVED)
        csat.record(system, jams, rating(5, comment="Quick fix, thanks"), source="phone")
        tickets.create_ticket(system, subject="VPN down", tags=["vpn"])
    finally:
        store.close()


def test_the_cards_show_csat_and_sla_and_a_comment_opens_its_ticket_without_waiting(
        db_url: str, open_window: Callable[..., MainWindow], qtbot, guard: Guard,  # noqa: F811
) -> None:
    seed(db_url)
    window = open_window()
    wait_listed(qtbot, window)
    guard.install(window.store)
    guard.armed = True
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    view = window.analytics_view
    assert isinstance(view, AnalyticsView)
    section = view.findChild(QualitySection, "analyticsQuality")
    assert section is not None
    qtbot.waitUntil(lambda: section.figures is not None, timeout=20_000)
    assert section.csat_summary.text().startswith("100.0% good · average 5.0 · 1 ratings")
    assert section.sla_summary.text().startswith("First response met: — (previous —)")
    assert section.sla_summary.text().endswith("0 breaches")
    sla_rows = [r.cells[:3] for r in section.sla_model.rows]
    assert ("Priority", "Medium", "2") in sla_rows
    assert ("Tag", "vpn", "1") in sla_rows
    [comment] = section.comments_model.rows
    assert comment.cells == ("TKT-000001", "5 (good)", "Quick fix, thanks")

    view.scroll_area.ensureWidgetVisible(section.comments)
    index = section.comments_model.index(0, 2)
    rect = section.comments.visualRect(index)
    viewport = section.comments.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.pages.currentIndex() == 0, timeout=5000)
    wait_listed(qtbot, window)
    assert subjects(window) == ["Printer jams"]
    guard.armed = False
    assert guard.seen == []


def test_the_rows_model_passes_the_model_tester(qtbot) -> None:
    model = RowsModel(("By", "Name", "Tickets"))
    tester = QAbstractItemModelTester(
        model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    drill = TicketFilter(tags=frozenset({"vpn"}))
    model.set_rows([Row(("Tag", "vpn", "3"), drill, "tip"), Row(("Agent", "Ana", "1"))])
    assert (model.rowCount(), model.columnCount()) == (2, 3)
    assert model.index(0, 0).data(FILTER_ROLE) == drill
    assert model.index(1, 0).data(FILTER_ROLE) is None
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Tickets"
    model.set_rows([])
    assert model.rowCount() == 0
    del tester


def test_the_trend_marks_days_without_ratings() -> None:
    from datetime import date

    from ticketdesk.domain.csat import CsatDay, CsatReport, CsatSummary

    days = (CsatDay(date(2026, 1, 1), CsatSummary(2, 2, 2, 10)),
            CsatDay(date(2026, 1, 2), CsatSummary()),
            CsatDay(date(2026, 1, 3), CsatSummary(2, 0, 2, 2)))
    report = CsatReport(date(2026, 1, 1), date(2026, 1, 3), CsatSummary(), days, (), (), (), ())
    assert trend(report) == "█·▁"
