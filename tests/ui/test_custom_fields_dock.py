"""The Detail tab's custom fields (issue 19), driven as a user does: the box shows the desk's
fields with the ticket's values, Save Fields saves the changed ones in one step (a new version,
an activity row), and a number field refuses "abc" with the service's message, keeping what was
typed. On SQLite and PostgreSQL; no query on the GUI thread."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from tests.ui.dock_support import open_ticket, seed, settle
from tests.ui.test_window_never_waits import Guard
from ticketdesk.db.store import open_database
from ticketdesk.services import custom_fields, tickets
from ticketdesk.services.session import Session


@pytest.fixture
def fields(db_url: str) -> dict[str, int]:
    desk = seed(db_url)
    store = open_database(db_url)
    try:
        system = Session(store, None)
        ids = {name: custom_fields.add_field(system, name, kind, choices)[0]
               for name, kind, choices in (("Seats", "number", ""), ("Plan", "list", "Basic\nPro"),
                                           ("Onsite", "checkbox", ""))}
    finally:
        store.close()
    ids["ticket"] = desk.printer
    return ids


def test_the_detail_tab_edits_custom_fields(open_window, qtbot, fields: dict[str, int],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window("Alice Agent")
    guard = Guard(monkeypatch)
    guard.install(window.store)
    guard.armed = True
    dock = open_ticket(qtbot, window, fields["ticket"])
    box = dock.detail_tab.custom_box
    qtbot.waitUntil(lambda: box.isVisible() and len(box.editors) == 3, timeout=5000)
    seats = box.editors[fields["Seats"]]
    plan = box.editors[fields["Plan"]]
    onsite = box.editors[fields["Onsite"]]
    assert isinstance(seats, QLineEdit)
    assert isinstance(plan, QComboBox)
    assert isinstance(onsite, QCheckBox)

    qtbot.keyClicks(seats, "abc")
    qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    assert "Seats: 'abc' is not a number" in dock.notice.label.text()
    assert seats.text() == "abc"  # what was typed is kept

    seats.clear()
    qtbot.keyClicks(seats, "12")
    plan.setCurrentIndex(plan.findData("Pro"))
    onsite.setChecked(True)
    qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    guard.armed = False
    assert guard.seen == []
    detail = tickets.get_ticket(fields["ticket"])
    assert detail.version == 2
    store_session = Session(window.store, None)
    assert custom_fields.ticket_values(store_session, fields["ticket"]) == {
        fields["Seats"]: "12", fields["Plan"]: "Pro", fields["Onsite"]: "1"}
