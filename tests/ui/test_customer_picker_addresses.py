"""The ticket dock's customer picker and New Ticket's customer field find a customer by ANY of
their addresses (customer_address), not only the primary one — driven as a user does, on both
engines."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from tests.conftest import FakeClock
from tests.ui.conftest import answer_modal, wait_listed
from tests.ui.dock_support import open_ticket, seed, settle
from ticketdesk.db.store import open_database
from ticketdesk.services import customer_records, customers, tickets
from ticketdesk.services.customer_records import CustomerEdit
from ticketdesk.services.session import Session

SECOND = "zz.billing@zulu.example"


def _zed(db_url: str) -> int:
    """A customer whose second address is SECOND (their primary is zed@zulu.example)."""
    store = open_database(db_url)
    try:
        zed, _ = customer_records.save_customer(
            Session(store, None, FakeClock()), None, 0,
            CustomerEdit("Zed Zulu", ["zed@zulu.example", SECOND]))
        return zed
    finally:
        store.close()


def test_the_service_lookup_finds_a_second_address(db_url: str) -> None:
    zed = _zed(db_url)
    store = open_database(db_url)
    try:
        assert [c.id for c in customers.find_customers(store, "zz.bill")] == [zed]
        assert [c.id for c in customers.find_customers(store, "ZZ")] == [zed]  # prefix, any case
        assert customers.find_customers(store, "nobody@zulu") == []
    finally:
        store.close()


def test_the_docks_picker_finds_a_customer_by_a_second_address(db_url: str, open_window,
                                                               qtbot) -> None:
    desk = seed(db_url)
    zed = _zed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    seen: list[str] = []

    def pick(dialog: QWidget) -> None:
        qtbot.keyClicks(dialog.search, "billing@zulu")
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.results.count() == 2, timeout=5000)
        seen.append(dialog.results.item(1).text())
        dialog.results.setCurrentRow(1)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    answer_modal(pick)
    qtbot.mouseClick(dock.detail_tab.change_customer, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert seen == ["Zed Zulu — zed@zulu.example"]
    detail = tickets.get_ticket(desk.printer)
    assert detail.customer is not None
    assert detail.customer.id == zed
    qtbot.waitUntil(lambda: dock.detail_tab.customer_name.text() == "Zed Zulu", timeout=5000)


def test_new_tickets_customer_field_finds_a_customer_by_a_second_address(
        db_url: str, open_window, qtbot) -> None:
    zed = _zed(db_url)
    window = open_window("Alice Agent")
    wait_listed(qtbot, window)
    notes: list[str] = []

    def fill(dialog: QWidget) -> None:
        dialog.subject.setText("Invoice twice")
        qtbot.keyClicks(dialog.customer_edit, SECOND)
        completer = dialog.customer_edit.completer()
        try:
            # the popup lists what the service found, though the label shows another address
            qtbot.waitUntil(lambda: completer.completionModel().rowCount() == 1, timeout=5000)
        except Exception:
            dialog.reject()
            raise
        label = completer.completionModel().index(0, 0).data()
        completer.activated.emit(label)  # the user picks it
        qtbot.waitUntil(lambda: dialog.customer is not None, timeout=5000)
        notes.append(dialog.customer_note.text())
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    answer_modal(fill)
    window.new_ticket_action.trigger()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert notes == ["Existing customer: Zed Zulu — zed@zulu.example"]
    detail = tickets.get_ticket(1)
    assert detail.customer is not None
    assert detail.customer.id == zed
    store = open_database(db_url)
    try:
        assert customers.customer_count(store) == 1  # no new customer made from the address
    finally:
        store.close()
