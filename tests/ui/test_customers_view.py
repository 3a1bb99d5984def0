"""View ▸ Customers (Ctrl+3) driven as a user does: the list, a search, a sort, the record
opened, edited and saved (the list follows), a refused address naming its holder, the record
from the ticket dock, a merge of duplicates, organisations; Qt's model tester on the list's
model; and none of it queries on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from tests.conftest import FakeClock
from tests.ui.test_window_never_waits import Guard
from ticketdesk.db.store import open_database
from ticketdesk.services import customer_records, customers, tickets
from ticketdesk.services.customer_records import CustomerEdit
from ticketdesk.services.session import Session
from ticketdesk.ui.agent_picker import ensure_agent
from ticketdesk.ui.customer_model import COL_NAME, CustomerTableModel
from ticketdesk.ui.customers_view import CustomersView
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.settings import AppSettings
from ticketdesk.ui.worker import QueryRunner


def seed(db_url: str) -> dict[str, int]:
    store = open_database(db_url)
    try:
        system = Session(store, None, FakeClock())
        ids = {}
        for key, name, emails, org in (
                ("Jane Doe", "Jane Doe", ["jane@example.com", "jd@home.example"], "Acme"),
                ("Bob Corp", "Bob Corp", ["bob@corp.example"], "Corp"),
                ("Jane again", "Jane  Doe", [], "")):
            ids[key], _ = customer_records.save_customer(system, None, 0,
                                                          CustomerEdit(name, emails,
                                                                       organisation=org))
        for n in range(250):  # more than a page of rows
            customers.create_customer(system, f"Filler {n:03}")
        for _ in range(3):
            tickets.create_ticket(system, subject="Bob's printer", customer_id=ids["Bob Corp"])
        tickets.create_ticket(system, subject="Jane's invoice", customer_id=ids["Jane Doe"])
        return ids
    finally:
        store.close()


def names(view: CustomersView) -> list[str]:
    model = view.model
    return [model.data(model.index(r, COL_NAME)) for r in range(model.rowCount())]


def listed(qtbot, view: CustomersView, wanted: Callable[[list[str]], bool]) -> None:
    try:
        qtbot.waitUntil(lambda: view.model.complete and wanted(names(view)), timeout=5000)
    except Exception:
        print("LISTED", view.model.complete, names(view)[:5], view.search.text())
        raise


def open_view(qtbot, window: MainWindow) -> CustomersView:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # shortcuts reach an active window
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.customers_view is not None
                    and window.pages.currentWidget() is window.customers_view, timeout=5000)
    view = window.customers_view
    assert view is not None
    listed(qtbot, view, lambda n: len(n) == 253)
    return view


def test_ctrl3_lists_customers_and_a_search_finds_any_address(
        db_url: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    seed(db_url)
    window = open_window()
    view = open_view(qtbot, window)
    assert view.table.objectName() == "customerTable"
    assert window.findChild(type(view.table), "customerTable") is view.table
    qtbot.keyClicks(view.search, "jd@home")
    listed(qtbot, view, lambda n: n == ["Jane Doe"])
    row = [view.model.data(view.model.index(0, c)) for c in range(5)]
    assert row == ["Jane Doe", "jane@example.com, jd@home.example", "", "Acme", "1"]
    assert view.count_label.text() == "1 customers"


def test_sorting_by_tickets_puts_the_busiest_first(
        db_url: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    seed(db_url)
    view = open_view(qtbot, open_window())
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(5) + header.sectionSize(5) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    if header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder:
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    listed(qtbot, view, lambda n: n[:2] == ["Bob Corp", "Jane Doe"])


def test_a_record_is_opened_edited_and_saved_and_the_list_follows(
        db_url: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    ids = seed(db_url)
    view = open_view(qtbot, open_window())
    qtbot.keyClicks(view.search, "Bob Corp")
    listed(qtbot, view, lambda n: n == ["Bob Corp"])
    view.table.setCurrentIndex(view.model.index(0, 0))
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    editor = view.editor
    assert editor is not None
    qtbot.waitUntil(lambda: not editor.busy and editor.name.text() == "Bob Corp", timeout=5000)
    assert editor.tickets.topLevelItemCount() == 3
    editor.name.setText("Bob Corporation")
    editor.emails.setPlainText("bob@corp.example\nsales@corp.example")
    editor.phone.setText("+1 555 0100")
    editor.tags.setText("reseller")
    editor.notes.setPlainText("Calls on Mondays")
    with qtbot.waitSignal(editor.finished, timeout=5000):
        editor.buttons.button(editor.buttons.StandardButton.Save).click()
    view.search.setText("sales@corp")
    view.search.returnPressed.emit()
    listed(qtbot, view, lambda n: n == ["Bob Corporation"])
    detail = customer_records.read_customer(view.session.store, ids["Bob Corp"])
    assert (detail.emails, detail.phone, detail.tags, detail.notes) == (
        ("bob@corp.example", "sales@corp.example"), "+1 555 0100", ("reseller",),
        "Calls on Mondays")
    history = customer_records.customer_history(view.session.store, ids["Bob Corp"])
    assert any(h.kind == customer_records.ADDRESS_ADDED and h.new == "sales@corp.example"
               for h in history)


def test_an_address_another_customer_has_is_refused_with_their_name(
        db_url: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    seed(db_url)
    view = open_view(qtbot, open_window())
    editor = view.new_customer()
    editor.name.setText("Someone")
    editor.emails.setPlainText("JD@home.example")
    editor.save()
    qtbot.waitUntil(lambda: not editor.busy, timeout=5000)
    assert "already belongs to Jane Doe" in editor.message.text()
    assert editor.isVisible()
    assert editor.emails.toPlainText() == "JD@home.example"  # what was typed is kept
    editor.reject()


def test_the_ticket_docks_record_button_opens_the_customer(
        db_url: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    ids = seed(db_url)
    window = open_window()
    window.ticket_dock.show_ticket(4)  # Jane's invoice
    button = window.ticket_dock.detail_tab.customer_box.open_button
    qtbot.waitUntil(button.isEnabled, timeout=5000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    view = window.customers_view
    assert view is not None
    editor = view.editor
    assert editor is not None
    assert editor.customer_id == ids["Jane Doe"]
    qtbot.waitUntil(lambda: not editor.busy and editor.name.text() == "Jane Doe", timeout=5000)
    assert editor.tickets.topLevelItem(0).text(1) == "Jane's invoice"
    editor.reject()


def test_duplicates_are_found_and_merged_from_the_view(
        db_url: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    ids = seed(db_url)
    view = open_view(qtbot, open_window())
    dialog = view.find_duplicates()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.pairs.topLevelItemCount() > 0,
                    timeout=5000)
    item = dialog.pairs.topLevelItem(0)
    assert item.text(2) == "Same name"
    dialog.pairs.setCurrentItem(item)
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Merged.") and not dialog.busy,
                    timeout=5000)  # then "Merged. N likely duplicates left." once re-read
    qtbot.waitUntil(lambda: "likely duplicates left" in dialog.message.text(), timeout=5000)
    dialog.reject()
    listed(qtbot, view, lambda n: len(n) == 252)
    view.search.setText("jane")
    view.search.returnPressed.emit()
    listed(qtbot, view, lambda n: n == ["Jane Doe"])
    assert view.model.customer_id(0) == ids["Jane Doe"]  # the older record is kept


def test_an_organisation_shows_its_tickets_and_customers(
        db_url: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    seed(db_url)
    view = open_view(qtbot, open_window())
    dialog = view.show_organisations()
    qtbot.waitUntil(lambda: dialog.organisations.topLevelItemCount() == 2, timeout=5000)
    corp = dialog.organisations.findItems("Corp", Qt.MatchFlag.MatchExactly)[0]
    dialog.organisations.setCurrentItem(corp)
    qtbot.waitUntil(lambda: dialog.tickets.topLevelItemCount() == 3, timeout=5000)
    dialog.name.setText("Corp Ltd")
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.organisations.findItems("Corp Ltd",
                                                                Qt.MatchFlag.MatchExactly)),
                    timeout=5000)
    renamed = dialog.organisations.findItems("Corp Ltd", Qt.MatchFlag.MatchExactly)[0]
    dialog.organisations.setCurrentItem(renamed)
    qtbot.mouseClick(dialog.customers_button, Qt.MouseButton.LeftButton)
    listed(qtbot, view, lambda n: n == ["Bob Corp"])
    qtbot.waitUntil(lambda: view.model.data(view.model.index(0, 3)) == "Corp Ltd", timeout=5000)


def test_the_customer_model_passes_qts_model_tester(qtmodeltester, db_url: str, qtbot) -> None:
    seed(db_url)
    store = open_database(db_url)
    runner = QueryRunner(store)
    try:
        model = CustomerTableModel(store, runner)
        qtmodeltester.check(model, force_py=True)
        model.set_query(customer_records_query("Jane"))
        qtbot.waitUntil(lambda: model.complete and model.rowCount() == 2, timeout=5000)
        qtbot.waitUntil(lambda: model.data(model.index(1, COL_NAME)) is not None, timeout=5000)
        model.set_query(customer_records_query(""))
        qtbot.waitUntil(lambda: model.complete and model.rowCount() == 253, timeout=5000)
    finally:
        runner.stop()
        store.close()


def customer_records_query(text: str):  # type: ignore[no-untyped-def]
    from ticketdesk.services.customer_list import CustomerQuery

    return CustomerQuery(text)


def test_driving_the_customers_view_makes_no_query_on_the_gui_thread(
        db_url: str, settings: QSettings, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(db_url)
    store = open_database(db_url)
    agent_id = ensure_agent(Session(store, None), None, "Alice Agent")
    guard = Guard(monkeypatch)
    guard.install(store)
    guard.armed = True
    window = MainWindow(store, agent_id, AppSettings(settings))
    qtbot.addWidget(window)
    window.show()
    view = open_view(qtbot, window)
    view.table.scrollToBottom()
    last = view.model.index(view.model.rowCount() - 1, COL_NAME)
    qtbot.waitUntil(lambda: view.model.data(last) is not None, timeout=5000)
    qtbot.keyClicks(view.search, "Jane")
    listed(qtbot, view, lambda n: n == ["Jane Doe", "Jane Doe"])
    view.table.setCurrentIndex(view.model.index(0, 0))
    view.open_current()
    editor = view.editor
    assert editor is not None
    qtbot.waitUntil(lambda: not editor.busy and editor.name.text() != "", timeout=5000)
    editor.phone.setText("123")
    with qtbot.waitSignal(editor.finished, timeout=5000):
        editor.save()
    duplicates = view.find_duplicates()
    qtbot.waitUntil(lambda: not duplicates.busy, timeout=5000)
    duplicates.reject()
    organisations = view.show_organisations()
    qtbot.waitUntil(lambda: organisations.organisations.topLevelItemCount() == 2, timeout=5000)
    organisations.organisations.setCurrentItem(organisations.organisations.topLevelItem(0))
    qtbot.waitUntil(lambda: not organisations.busy, timeout=5000)
    organisations.reject()
    window.ticket_dock.show_ticket(4)  # the record from the ticket dock
    button = window.ticket_dock.detail_tab.customer_box.open_button
    qtbot.waitUntil(button.isEnabled, timeout=5000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    from_dock = view.editor
    assert from_dock is not None
    assert from_dock is not editor
    qtbot.waitUntil(lambda: not from_dock.busy and from_dock.name.text() == "Jane Doe",
                    timeout=5000)
    from_dock.reject()
    guard.armed = False
    assert guard.seen == []
    window.close()


def test_delete_refuses_a_customer_with_tickets_and_bins_one_without_off_the_gui_thread(
        db_url: str, settings: QSettings, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from tests.ui.conftest import answer_modal
    from ticketdesk.services import recycle_bin

    def answer(button: QMessageBox.StandardButton) -> Callable[[object], None]:
        def act(box: object) -> None:
            assert isinstance(box, QMessageBox)
            assert "recycle bin" in box.text()
            box.button(button).click()
        return act

    ids = seed(db_url)
    store = open_database(db_url)
    agent_id = ensure_agent(Session(store, None), None, "Alice Agent")
    guard = Guard(monkeypatch)
    guard.install(store)
    guard.armed = True
    window = MainWindow(store, agent_id, AppSettings(settings))
    qtbot.addWidget(window)
    window.show()
    view = open_view(qtbot, window)

    # Bob Corp has three tickets: refused, with the service's words, nothing changed
    qtbot.keyClicks(view.search, "Bob Corp")
    listed(qtbot, view, lambda n: n == ["Bob Corp"])
    view.table.setCurrentIndex(view.model.index(0, 0))
    answer_modal(answer(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.deleter.box is not None and view.deleter.box.isVisible(),
                    timeout=5000)
    assert "still has 3 tickets" in view.deleter.box.text()
    assert "still has 3 tickets" in view.notice.text()
    view.deleter.box.close()

    # a customer without tickets: No keeps them, Yes moves them to the recycle bin
    view.search.setText("Filler 007")
    view.search.returnPressed.emit()
    listed(qtbot, view, lambda n: n == ["Filler 007"])
    view.table.setCurrentIndex(view.model.index(0, 0))
    answer_modal(answer(QMessageBox.StandardButton.No))
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert not view.deleter.busy
    assert view.notice.text() == ""
    assert names(view) == ["Filler 007"]
    answer_modal(answer(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.notice.text() == "Moved Filler 007 to the recycle bin.",
                    timeout=5000)
    listed(qtbot, view, lambda n: n == [])
    assert QApplication.activeModalWidget() is None
    guard.armed = False
    assert guard.seen == []
    window.close()
    entries = recycle_bin.list_bin(Session(store, agent_id))
    assert [(e.kind, e.label) for e in entries] == [("customer", "Filler 007")]
    assert ids["Bob Corp"] in [c.id for c in customers.find_customers(store, "Bob")]
    store.close()
