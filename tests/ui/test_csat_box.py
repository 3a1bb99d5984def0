"""The dock's satisfaction box (issue 21), on both backends: it shows a resolved ticket's
rating and the earlier ones, records a rating given by phone through the dock's write queue
(changeable, in the activity), offers nothing to rate on an open ticket, and sends no query
from the GUI thread."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.dock_support import open_ticket, seed, settle
from tests.ui.test_dock_never_waits import gui_thread_queries  # noqa: F401 - the fixture
from ticketdesk.db.models import Activity
from ticketdesk.db.store import open_database
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.csat import Rating, Source
from ticketdesk.domain.status import Status
from ticketdesk.services import csat, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.csat_box import BAD
from ticketdesk.ui.dock.ticket_dock import DETAIL


def resolved(db_url: str, ticket_id: int) -> None:
    store = open_database(db_url)
    try:
        tickets.set_status(Session(store, None), ticket_id, 1, Status.RESOLVED)
    finally:
        store.close()


def choose(combo, data: object) -> None:  # type: ignore[no-untyped-def]
    combo.setCurrentIndex(combo.findData(data))


def test_a_rating_by_phone_is_recorded_changed_and_shown_without_waiting(
        db_url: str, open_window, qtbot, gui_thread_queries: list[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    desk = seed(db_url)
    resolved(db_url, desk.printer)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(DETAIL)
    box = dock.detail_tab.csat_box
    qtbot.waitUntil(lambda: box.current.text() == "Not rated", timeout=5000)
    assert box.record_button.isEnabled()

    choose(box.value, 4)
    choose(box.source, Source.PHONE.value)
    qtbot.keyClicks(box.comment, "Called back, happy")
    qtbot.mouseClick(box.record_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    qtbot.waitUntil(lambda: box.current.text().startswith("4 (good) (phone, "), timeout=5000)
    assert box.current.text().endswith(": Called back, happy")
    assert box.comment.text() == ""

    choose(box.value, BAD)
    qtbot.mouseClick(box.record_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    qtbot.waitUntil(lambda: box.current.text().startswith("Bad (phone, "), timeout=5000)
    assert csat.rating_of(Session(window.store, None), desk.printer) == Rating(None, False)
    rows = [(a.old, a.new) for a in Activity.select().where(
        (Activity.ticket == desk.printer) & (Activity.kind == ActivityKind.CSAT.value))
        .order_by(Activity.id)]
    assert rows == [(None, "4 (good) by phone: Called back, happy"),
                    ("4 (good) by phone: Called back, happy", "Bad by phone")]
    assert gui_thread_queries == []


def test_an_open_ticket_has_nothing_to_rate(db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.scanner)
    dock.tabs.setCurrentIndex(DETAIL)
    box = dock.detail_tab.csat_box
    qtbot.waitUntil(lambda: box.current.text() == "Not resolved: nothing to rate yet",
                    timeout=5000)
    assert not box.record_button.isEnabled()
