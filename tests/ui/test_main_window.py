"""The main window, driven as a user drives it: typing in search, picking filters, sorting by a
header click, creating a ticket in the dialog and seeing it appear."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget

from tests.conftest import FakeClock
from tests.ui.conftest import answer_modal, wait_listed
from ticketdesk.app import build_main_window
from ticketdesk.db.store import open_database
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, audit, customers, tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.ticket_model import (
    COL_ASSIGNEES,
    COL_CREATED,
    COL_CUSTOMER,
    COL_STATUS,
    COL_SUBJECT,
    COL_TAGS,
    TicketTableModel,
)
from ticketdesk.ui.ticket_table import SUBJECT_MIN

SUBJECTS = ["Refund not received", "Printer on fire", "Password reset loop",
            "Invoice copy needed"]


@pytest.fixture
def seeded(db_url: str) -> str:
    return seed(db_url)


def seed(db_url: str) -> str:
    """Four tickets with customers, tags, assignees and statuses, written through services."""
    store = open_database(db_url)
    clock = FakeClock()
    try:
        system = Session(store, None, clock)
        alice, _ = agents.create_agent(system, "Alice Agent")
        bob, _ = agents.create_agent(system, "Bob Builder")
        jane, _ = customers.create_customer(system, "Jane Doe", email="jane@example.com",
                                            tags=["vip"])
        corp, _ = customers.create_customer(system, "Bob Corp")
        specs = [
            {"customer_id": jane, "tags": ["billing"], "assignee_ids": [alice],
                 "priority": Priority.HIGH},
            {"tags": ["hardware"], "priority": Priority.URGENT},
            {"customer_id": corp, "tags": ["login"], "assignee_ids": [bob]},
            {"customer_id": jane, "tags": ["billing"]},
        ]
        for subject, spec in zip(SUBJECTS, specs, strict=True):
            clock.advance(3600)
            tickets.create_ticket(system, subject=subject, **spec)  # type: ignore[arg-type]
        tickets.set_status(system, 3, 1, Status.WAITING)
        tickets.set_status(system, 4, 1, Status.CLOSED)
    finally:
        store.close()
    return db_url


def subjects(window: MainWindow) -> list[str]:
    model = window.model
    return [model.data(model.index(r, COL_SUBJECT)) for r in range(model.rowCount())]


def test_empty_desk_shows_a_friendly_start(window: MainWindow, qtbot) -> None:
    wait_listed(qtbot, window)
    assert window.list_stack.currentWidget() is window.empty_state
    assert window.empty_state.create_button.isVisible()
    assert window.empty_state.demo_button.isVisible()
    assert window.count_label.text() == "0 tickets"
    assert window.findChild(QWidget, "ticketTable") is window.table
    assert window.findChild(QWidget, "searchBox") is window.filter_bar.search
    assert window.findChild(QWidget, "ticketDock") is window.dock


def _fill_create_dialog(subject: str, customer: str = "", tags: str = "") -> Callable:
    def act(dialog: QWidget) -> None:
        dialog.subject.setText(subject)
        dialog.description.setPlainText("It beeps.")
        dialog.priority.setCurrentIndex(int(Priority.URGENT))
        dialog.customer_edit.setText(customer)
        dialog.customer_edit.textEdited.emit(customer)
        dialog.tags.setText(tags)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return act


def test_create_ticket_from_empty_state_appears_selected_and_recorded_as_mine(
        window: MainWindow, qtbot) -> None:
    wait_listed(qtbot, window)
    answer_modal(_fill_create_dialog("Scanner jams", "New Person", "hardware, scanner"))
    qtbot.mouseClick(window.empty_state.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: subjects(window) == ["Scanner jams"], timeout=5000)
    qtbot.waitUntil(lambda: window.table.selected_ticket() == 1, timeout=5000)
    assert window.list_stack.currentWidget() is window.table
    detail = tickets.get_ticket(1)
    assert detail.priority == Priority.URGENT
    assert detail.customer is not None
    assert detail.customer.name == "New Person"
    assert detail.tags == ("hardware", "scanner")
    me = window.session.agent_id
    assert {a.agent for a in audit.activity_for(1)} == {agents.get_agent(window.store, me).name}
    qtbot.waitUntil(lambda: window.count_label.text() == "1 ticket")


def test_create_dialog_refuses_empty_subject_and_writes_nothing(window: MainWindow,
                                                                qtbot) -> None:
    seen: dict[str, str] = {}

    def act(dialog: QWidget) -> None:
        dialog.subject.setText("   ")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        seen["error"] = dialog.error.text()
        seen["visible"] = str(dialog.isVisible())
        dialog.reject()

    answer_modal(act)
    window.new_ticket_action.trigger()
    assert seen == {"error": "The subject cannot be empty.", "visible": "True"}
    assert tickets.ticket_count() == 0


def test_search_is_debounced_and_filters_the_list(seeded: str, window: MainWindow,
                                                  qtbot) -> None:
    wait_listed(qtbot, window)
    assert len(subjects(window)) == 4
    qtbot.keyClicks(window.filter_bar.search, "refund")
    assert len(subjects(window)) == 4  # not yet: typing is debounced
    qtbot.waitUntil(lambda: subjects(window) == ["Refund not received"], timeout=3000)
    wait_listed(qtbot, window)
    assert window.count_label.text() == "1 of 4 tickets"


def test_full_ticket_number_finds_exactly_that_ticket(seeded: str, window: MainWindow,
                                                      qtbot) -> None:
    window.filter_bar.search.setText("TKT-000003")
    window.filter_bar.search.returnPressed.emit()
    qtbot.waitUntil(lambda: subjects(window) == ["Password reset loop"], timeout=3000)


def test_search_finds_customer_name(seeded: str, window: MainWindow, qtbot) -> None:
    qtbot.keyClicks(window.filter_bar.search, "jane ")
    qtbot.waitUntil(lambda: sorted(subjects(window)) == ["Invoice copy needed",
                                                         "Refund not received"], timeout=3000)


def _choose(button, label: str) -> None:
    action = next(a for a in button.menu_.actions() if a.text() == label)
    action.trigger()


def test_status_priority_tag_and_assignee_filters_combine(seeded: str, window: MainWindow,
                                                          qtbot) -> None:
    wait_listed(qtbot, window)
    _choose(window.filter_bar.tags, "billing")
    qtbot.waitUntil(lambda: sorted(subjects(window)) == ["Invoice copy needed",
                                                         "Refund not received"], timeout=3000)
    _choose(window.filter_bar.status, "Open")
    qtbot.waitUntil(lambda: subjects(window) == ["Refund not received"], timeout=3000)
    assert window.filter_bar.status.text() == "Status: Open"
    window.filter_bar.clear()
    _choose(window.filter_bar.assignees, "Unassigned")
    qtbot.waitUntil(lambda: sorted(subjects(window)) == ["Invoice copy needed",
                                                         "Printer on fire"], timeout=3000)
    _choose(window.filter_bar.assignees, "Me")
    qtbot.waitUntil(lambda: sorted(subjects(window)) == [
        "Invoice copy needed", "Printer on fire", "Refund not received"], timeout=3000)
    window.filter_bar.clear()
    _choose(window.filter_bar.priority, "Urgent")
    qtbot.waitUntil(lambda: subjects(window) == ["Printer on fire"], timeout=3000)
    _choose(window.filter_bar.customer_tags, "vip")
    qtbot.waitUntil(lambda: window.list_stack.currentWidget() is window.no_matches,
                    timeout=3000)


def test_clear_filters_shows_everything_again(seeded: str, window: MainWindow, qtbot) -> None:
    _choose(window.filter_bar.status, "Closed")
    qtbot.waitUntil(lambda: subjects(window) == ["Invoice copy needed"], timeout=3000)
    assert window.filter_bar.clear_button.isEnabled()
    qtbot.mouseClick(window.filter_bar.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(subjects(window)) == 4, timeout=3000)
    assert window.filter_bar.status.text() == "Status"
    assert not window.filter_bar.clear_button.isEnabled()


def _click_header(qtbot, window: MainWindow, column: int) -> None:
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def test_clicking_headers_sorts_in_the_database(seeded: str, window: MainWindow,
                                                qtbot) -> None:
    wait_listed(qtbot, window)
    assert subjects(window) == list(reversed(SUBJECTS))  # newest first by default
    _click_header(qtbot, window, COL_SUBJECT)
    qtbot.waitUntil(lambda: subjects(window) == sorted(SUBJECTS), timeout=3000)
    _click_header(qtbot, window, COL_SUBJECT)
    qtbot.waitUntil(lambda: subjects(window) == sorted(SUBJECTS, reverse=True), timeout=3000)
    _click_header(qtbot, window, COL_STATUS)
    qtbot.waitUntil(lambda: subjects(window)[-1] == "Invoice copy needed", timeout=3000)
    _click_header(qtbot, window, COL_TAGS)  # not sortable: nothing changes
    header = window.table.horizontalHeader()
    assert header.sortIndicatorSection() == COL_STATUS


def test_ctrl_f_focuses_search(seeded: str, window: MainWindow, qtbot) -> None:
    window.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.filter_bar.search.hasFocus, timeout=2000)


def test_selecting_a_row_opens_the_ticket_in_the_dock(seeded: str, window: MainWindow,
                                                      qtbot) -> None:
    wait_listed(qtbot, window)
    window.table.setFocus()
    window.table.selectRow(1)
    qtbot.waitUntil(lambda: window.ticket_dock.ticket_id == 3, timeout=2000)


def test_status_and_priority_show_icon_and_text(seeded: str, window: MainWindow,
                                                qtbot) -> None:
    wait_listed(qtbot, window)
    model = window.model
    row = model.row_of(2)
    assert model.data(model.index(row, COL_STATUS)) == "Open"
    assert not model.data(model.index(row, COL_STATUS), Qt.ItemDataRole.DecorationRole).isNull()
    assert model.data(model.index(row, COL_STATUS + 1)) == "Urgent"


def test_change_made_by_another_process_shows_without_restart(seeded: str,
                                                              window: MainWindow,
                                                              qtbot) -> None:
    wait_listed(qtbot, window)
    script = ("import sys\n"
              "from ticketdesk.db.store import open_database\n"
              "from ticketdesk.services import tickets\n"
              "from ticketdesk.services.session import Session\n"
              "s = open_database(sys.argv[1])\n"
              "tickets.create_ticket(Session(s, None), subject='From the command line')\n"
              "s.close()\n")
    subprocess.run([sys.executable, "-c", script, seeded], check=True, timeout=60)
    qtbot.waitUntil(lambda: "From the command line" in subjects(window), timeout=5000)
    qtbot.waitUntil(lambda: window.count_label.text() == "5 tickets", timeout=5000)


def test_switching_agent_records_changes_as_the_new_agent(seeded: str, window: MainWindow,
                                                          qtbot) -> None:
    bob = agents.find_agent(window.store, "Bob Builder")
    assert bob is not None
    window.set_agent(bob.id)
    qtbot.waitUntil(lambda: window.agent_label.text() == "Working as Bob Builder", timeout=3000)
    answer_modal(_fill_create_dialog("Bob's ticket"))
    window.new_ticket_action.trigger()
    qtbot.waitUntil(lambda: "Bob's ticket" in subjects(window), timeout=3000)
    assert audit.activity_for(5)[-1].agent == "Bob Builder"


def test_window_and_column_layout_are_remembered(seeded: str, open_window, qtbot) -> None:
    first = open_window()
    first.resize(1311, 703)
    header = first.table.horizontalHeader()
    header.resizeSection(COL_CUSTOMER, 233)
    header.moveSection(COL_TAGS, 0)
    first.close()
    second = open_window()
    assert (second.size().width(), second.size().height()) == (1311, 703)
    assert second.table.horizontalHeader().sectionSize(COL_CUSTOMER) == 233
    assert second.table.horizontalHeader().logicalIndex(0) == COL_TAGS


def test_subject_fills_the_room_left_but_never_gets_unreadably_narrow(
        seeded: str, window: MainWindow, qtbot) -> None:
    table, header = window.table, window.table.horizontalHeader()
    window.views.dock.hide()  # the ticket dock alone beside the list, at its narrowest
    window.resizeDocks([window.dock], [window.dock.minimumSizeHint().width()],
                       Qt.Orientation.Horizontal)
    window.resize(1160, 800)  # a laptop screen with the dock open
    wait_listed(qtbot, window)
    qtbot.waitUntil(lambda: table.viewport().width() < 900)
    qtbot.wait(100)  # the header lays its sections out after the viewport's resize
    assert header.sectionSize(COL_SUBJECT) >= SUBJECT_MIN  # the table scrolls sideways instead
    assert header.length() > table.viewport().width()
    assert table.horizontalScrollBar().maximum() > 0
    for column in (COL_CUSTOMER, COL_ASSIGNEES, COL_TAGS):  # hiding columns gives room back
        header.setSectionHidden(column, True)
    qtbot.waitUntil(lambda: header.length() == table.viewport().width())
    assert header.sectionSize(COL_SUBJECT) >= SUBJECT_MIN
    for column in (COL_CUSTOMER, COL_ASSIGNEES, COL_TAGS):
        header.setSectionHidden(column, False)
    window.dock.hide()
    window.resize(1800, 800)
    qtbot.waitUntil(lambda: table.viewport().width() > 1500)
    qtbot.waitUntil(lambda: header.length() == table.viewport().width())  # no sideways scroll
    assert header.sectionSize(COL_SUBJECT) > 1500 - sum(
        header.sectionSize(c) for c in range(header.count()) if c != COL_SUBJECT)


def test_agent_is_remembered_per_desk(seeded: str, open_window, qtbot) -> None:
    first = open_window(agent="Bob Builder")
    first.close()
    second = open_window(agent=None)
    qtbot.waitUntil(lambda: second.agent_label.text() == "Working as Bob Builder", timeout=3000)


def test_about_box_names_versions(window: MainWindow, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    window.about_action.trigger()
    assert "ticketdesk" in shown[0]
    assert "SQLite" in shown[0]
    assert "Qt 6" in shown[0]


def test_model_passes_qt_model_tester(seeded: str, window: MainWindow, qtbot,
                                      qtmodeltester) -> None:
    wait_listed(qtbot, window)
    qtmodeltester.check(window.model)


def test_a_painted_cell_shows_what_data_says(seeded: str, window: MainWindow, qtbot) -> None:
    """The delegate reads a cell the way it paints it (Qt's multiData: every role in one call
    into Python, TicketTableModel.multiData): text and icon as data() gives them."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    wait_listed(qtbot, window)
    model: TicketTableModel = window.model
    qtbot.waitUntil(lambda: model.data(model.index(0, COL_SUBJECT)) is not None, timeout=2000)
    delegate = window.table.itemDelegate()
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            option = QStyleOptionViewItem()
            delegate.initStyleOption(option, index)
            assert option.text == (model.data(index) or "")
            assert option.icon.isNull() == (
                model.data(index, Qt.ItemDataRole.DecorationRole) is None)


def test_model_shows_number_at_once_and_fetches_rows_outside_data(
        seeded: str, window: MainWindow, qtbot) -> None:
    wait_listed(qtbot, window)
    model: TicketTableModel = window.model
    model._rows.clear()  # as after scrolling far away
    index = model.index(0, COL_SUBJECT)
    assert model.data(index) is None  # not cached: no query inside data()
    assert model.data(model.index(0, 0)) == "TKT-000004"
    qtbot.waitUntil(lambda: model.data(index) == "Invoice copy needed", timeout=2000)


def test_updated_column_is_hidden_at_first_and_shown_from_the_header_menu(
        seeded: str, window: MainWindow, qtbot) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ticketdesk.ui.ticket_model import COL_UPDATED

    header = window.table.horizontalHeader()
    assert header.isSectionHidden(COL_UPDATED)
    picked: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(10, pick)
            return
        action = next(a for a in menu.actions() if a.text() == "Updated")
        picked.append(action.text())
        action.trigger()
        menu.close()

    QTimer.singleShot(0, pick)
    header.customContextMenuRequested.emit(QPoint(5, 5))
    assert picked == ["Updated"]
    assert not header.isSectionHidden(COL_UPDATED)


def test_a_draft_typed_in_another_window_does_not_reload_this_one(
        sqlite_url: str, open_window, qtbot) -> None:
    """SQLite desks poll for changes; PostgreSQL ones are told (tests/ui/test_team_*)."""
    from ticketdesk.services import drafts

    seed(sqlite_url)
    mine = open_window(url=sqlite_url)
    other = open_window(agent="Bob Builder", url=sqlite_url)
    wait_listed(qtbot, mine)
    heard: list[object] = []
    mine.hub.changed.connect(lambda changes, initiator: heard.append(initiator))
    drafts.save_drafts(other.session, [drafts.DraftEdit(1, "reply", "Dear Jane, …")])
    qtbot.wait(2500)  # two polls
    assert heard == []
    tickets.set_priority(other.session, 1, 1, Priority.URGENT)
    qtbot.waitUntil(lambda: "external" in heard, timeout=3000)


def test_text_search_runs_off_the_gui_thread_keeping_the_old_rows_meanwhile(
        seeded: str, window: MainWindow, qtbot, monkeypatch) -> None:
    import threading

    from ticketdesk.domain.filters import TicketFilter
    from ticketdesk.services import ticket_list

    wait_listed(qtbot, window)
    ran_in: list[str] = []
    real = ticket_list.first_page

    def first_page(*args, **kwargs):  # type: ignore[no-untyped-def]
        ran_in.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(ticket_list, "first_page", first_page)
    window.model.set_query(TicketFilter(text="refund"), window.table.sort)
    assert window.model.searching
    assert len(subjects(window)) == 4  # the previous rows stay until the answer comes
    assert window.count_label.text() == "Searching…"
    qtbot.waitUntil(lambda: subjects(window) == ["Refund not received"], timeout=3000)
    assert not window.model.searching
    assert ran_in
    assert threading.main_thread().name not in ran_in
    qtbot.waitUntil(lambda: window.count_label.text() == "1 of 4 tickets", timeout=3000)


def test_after_a_restart_the_sort_arrow_matches_the_order_of_the_rows(
        seeded: str, open_window, settings, qtbot) -> None:
    first = open_window()
    wait_listed(qtbot, first)
    _click_header(qtbot, first, COL_SUBJECT)
    qtbot.waitUntil(lambda: subjects(first) == sorted(SUBJECTS), timeout=3000)
    first.close()
    second = open_window()  # the sort comes back with the columns
    wait_listed(qtbot, second)
    header = second.table.horizontalHeader()
    assert subjects(second) == sorted(SUBJECTS)
    assert header.sortIndicatorSection() == COL_SUBJECT
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    second.close()
    settings.remove("table/sort")  # columns saved by a version that did not keep the sort
    third = open_window()
    wait_listed(qtbot, third)
    header = third.table.horizontalHeader()
    assert subjects(third) == list(reversed(SUBJECTS))  # newest first, and the arrow says so
    assert header.sortIndicatorSection() == COL_CREATED
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


def test_unassigned_tickets_say_so_in_the_assignees_column(seeded: str, window: MainWindow,
                                                           qtbot) -> None:
    wait_listed(qtbot, window)
    model = window.model
    assignees = {model.data(model.index(r, COL_SUBJECT)): model.data(model.index(r, COL_ASSIGNEES))
                 for r in range(model.rowCount())}
    assert assignees == {"Refund not received": "Alice Agent", "Printer on fire": "Unassigned",
                         "Password reset loop": "Bob Builder", "Invoice copy needed": "Unassigned"}


def test_model_stays_consistent_while_answers_arrive_in_the_background(
        seeded: str, window: MainWindow, qtbot, qtmodeltester) -> None:
    """Qt's model tester watches every signal while filters, searches, sorts, refreshes and a
    new ticket reach the list from the worker threads."""
    qtmodeltester.check(window.model)
    wait_listed(qtbot, window)
    _choose(window.filter_bar.tags, "billing")
    qtbot.waitUntil(lambda: len(subjects(window)) == 2, timeout=3000)
    qtbot.keyClicks(window.filter_bar.search, "refund")
    qtbot.waitUntil(lambda: subjects(window) == ["Refund not received"], timeout=3000)
    window.filter_bar.clear()
    qtbot.waitUntil(lambda: len(subjects(window)) == 4, timeout=3000)
    _click_header(qtbot, window, COL_SUBJECT)
    qtbot.waitUntil(lambda: subjects(window) == sorted(SUBJECTS), timeout=3000)
    window.refresh_action.trigger()
    tickets.create_ticket(window.session, subject="Another one")
    window.hub.announce(Changes(created=(5,)), window)
    qtbot.waitUntil(lambda: "Another one" in subjects(window), timeout=3000)


def test_a_filter_change_keeps_the_previous_rows_until_the_new_first_page_arrives(
        seeded: str, window: MainWindow, qtbot, monkeypatch) -> None:
    import threading

    from ticketdesk.domain.filters import TicketFilter
    from ticketdesk.services import ticket_list

    wait_listed(qtbot, window)
    ran_in: list[str] = []
    real = ticket_list.first_page

    def first_page(*args, **kwargs):  # type: ignore[no-untyped-def]
        ran_in.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(ticket_list, "first_page", first_page)
    window.model.set_query(TicketFilter(statuses=frozenset({Status.CLOSED})), window.table.sort)
    assert window.model.pending
    assert len(subjects(window)) == 4  # the previous rows stay until the answer comes
    assert window.list_stack.currentWidget() is window.table
    qtbot.waitUntil(lambda: subjects(window) == ["Invoice copy needed"], timeout=3000)
    assert not window.model.pending
    assert ran_in
    assert threading.main_thread().name not in ran_in


def test_closing_takes_the_window_off_the_screen_before_the_desk_is_closed(
        window: MainWindow, qtbot, monkeypatch) -> None:
    """Closing the desk waits for the query threads and SQLite's last checkpoint: the window is
    gone by then, not shown frozen."""
    qtbot.waitExposed(window)
    shown_while_closing: list[bool] = []
    close = window.store.close
    monkeypatch.setattr(window.store, "close",
                        lambda: (shown_while_closing.append(window.isVisible()), close()))
    window.close()
    assert shown_while_closing == [False]


def test_the_window_takes_its_start_out_of_the_garbage_collectors_sight(
        db_url: str, settings, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full collection walks the whole heap holding Python's lock (stalls of 41-87 ms behind
    bulk actions and mail on a team desk); the objects of the window's start are frozen out of
    it once the start is over."""
    import gc

    from ticketdesk.ui import main_window

    monkeypatch.setattr(main_window, "FREEZE_HEAP", True)
    monkeypatch.setattr(main_window, "FREEZE_HEAP_MS", 10)
    gc.unfreeze()
    window = build_main_window(db_url, agent_name="Alice Agent", settings=settings)
    qtbot.addWidget(window)
    window.show()
    try:
        assert gc.get_freeze_count() == 0
        qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=5000)
    finally:
        gc.unfreeze()
        window.close()
