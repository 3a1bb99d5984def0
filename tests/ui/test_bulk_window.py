"""Many tickets at once in the window (ui/bulk_actions.py, ui/ticket_table.py), driven as a
user does: Shift/Ctrl clicks and Ctrl+A in the list, the dock saying how many are selected, a
bulk action from the Edit menu's submenu, its collision report, Ctrl+Z, merge and link. The
GUI thread makes no query throughout (the guard of tests/ui/test_window_never_waits.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.ui.conftest import wait_listed
from tests.ui.test_window_never_waits import Guard, guard  # noqa: F401 (the fixture)
from ticketdesk.db.models import Tag, Ticket, TicketTag
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import demo, merge, tickets
from ticketdesk.services.bulk import Action, BulkChange
from ticketdesk.services.session import Session
from ticketdesk.ui.agent_picker import ensure_agent
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.settings import AppSettings
from ticketdesk.ui.ticket_model import COL_SUBJECT

BIG_ISH = 2_500


def _with_store(url: str, act: Callable[[Store], object]) -> object:
    """Run `act` on a connection of its own on another thread (another desktop, say)."""
    out: list[object] = []

    def run() -> None:
        store = open_database(url)
        try:
            out.append(act(store))
        finally:
            store.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    return out[0] if out else None


def _make(url: str, n: int) -> None:
    def fill(store: Store) -> None:
        session = Session(store, None)
        for i in range(n):
            tickets.create_ticket(session, subject=f"Ticket {i}")

    _with_store(url, fill)


def _window(qtbot, url: str, settings: QSettings) -> MainWindow:
    store = open_database(url)
    agent_id = ensure_agent(Session(store, None), None, "Alice Agent")
    window = MainWindow(store, agent_id, AppSettings(settings))
    qtbot.addWidget(window)
    window.show()
    wait_listed(qtbot, window)
    return window


def _click(qtbot, window: MainWindow, row: int,
           modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    table = window.table
    rect = table.visualRect(window.model.index(row, COL_SUBJECT))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _idle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.bulk.running is None, timeout=20_000)
    wait_listed(qtbot, window)


def _count_tagged(url: str, name: str) -> int:
    def count(store: Store) -> int:
        with store.read():
            return int(TicketTag.select().join(Tag).where(Tag.name == name).count())

    return int(_with_store(url, count))  # type: ignore[arg-type]


def test_shift_and_ctrl_select_several_and_the_dock_says_how_many(
        db_url: str, settings: QSettings, qtbot) -> None:
    _make(db_url, 12)
    window = _window(qtbot, db_url, settings)
    _click(qtbot, window, 0)
    qtbot.waitUntil(lambda: window.ticket_dock.ticket is not None, timeout=5000)
    _click(qtbot, window, 4, Qt.KeyboardModifier.ShiftModifier)
    _click(qtbot, window, 7, Qt.KeyboardModifier.ControlModifier)
    assert window.table.selection_count() == 6
    expected = [window.model.ticket_id(r) for r in (0, 1, 2, 3, 4, 7)]
    assert window.table.selected_ids().tolist() == expected
    assert window.ticket_dock.empty.text() == "6 tickets selected"
    assert window.ticket_dock.pages.currentWidget() is window.ticket_dock.empty
    _click(qtbot, window, 2)  # one again: the dock shows it
    qtbot.waitUntil(lambda: window.ticket_dock.ticket is not None
                    and window.ticket_dock.ticket.id == window.model.ticket_id(2), timeout=5000)
    window.close()


def test_select_all_at_a_big_ish_desk_then_tag_and_undo(
        db_url: str, settings: QSettings, qtbot) -> None:
    _with_store(db_url, lambda store: demo.generate(store, tickets=BIG_ISH, seed=3))
    window = _window(qtbot, db_url, settings)
    fb = window.filter_bar
    next(a for a in fb.status.menu_.actions() if a.text() == "Closed").trigger()
    wait_listed(qtbot, window)
    matching = window.model.matching
    assert matching is not None
    assert 100 < matching < BIG_ISH
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert window.table.all_selected
    assert window.table.selection_count() == matching
    assert window.ticket_dock.empty.text() == f"{matching:,} tickets selected"

    def open_ids(store: Store) -> list[int]:
        with store.read():
            return [t for (t,) in Ticket.select(Ticket.id)
                    .where(Ticket.status == Status.CLOSED).tuples()]

    wanted = sorted(_with_store(db_url, open_ids))  # type: ignore[type-var]
    assert sorted(window.table.selected_ids().tolist()) == wanted

    window.bulk.run(BulkChange(Action.TAG, "bulk-test"))
    _idle(qtbot, window)
    assert _count_tagged(db_url, "bulk-test") == matching
    assert window.bulk.undo_action.text() == f"&Undo Tag {matching:,} Tickets “bulk-test”"
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table, timeout=5000)
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    _idle(qtbot, window)
    assert _count_tagged(db_url, "bulk-test") == 0
    assert not window.bulk.undo_action.isEnabled()
    window.close()


def test_a_ticket_changed_meanwhile_is_reported_not_overwritten(
        db_url: str, settings: QSettings, qtbot) -> None:
    _make(db_url, 5)
    window = _window(qtbot, db_url, settings)
    window.table.selectAll()
    victim = int(window.table.selected_ids()[1])
    _with_store(db_url, lambda store: tickets.set_priority(Session(store, None), victim, 1,
                                                           Priority.LOW))
    window.bulk.close_action.trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox)
                    or any(isinstance(w, QMessageBox) and w.isVisible()
                           for w in QApplication.topLevelWidgets()), timeout=10_000)
    box = next(w for w in QApplication.topLevelWidgets()
               if isinstance(w, QMessageBox) and w.objectName() == "collisionReport")
    assert f"TKT-{victim:06d}" in box.text()
    box.close()

    def statuses(store: Store) -> dict[int, int]:
        with store.read():
            return dict(Ticket.select(Ticket.id, Ticket.status).tuples())

    found = _with_store(db_url, statuses)
    assert isinstance(found, dict)
    assert found.pop(victim) == Status.OPEN
    assert set(found.values()) == {Status.CLOSED}
    window.close()


def test_undo_refuses_after_a_newer_change(db_url: str, settings: QSettings, qtbot) -> None:
    _make(db_url, 3)
    window = _window(qtbot, db_url, settings)
    window.table.selectAll()
    window.bulk.run(BulkChange(Action.PRIORITY, Priority.HIGH))
    _idle(qtbot, window)
    first = int(window.table.model().ticket_id(0) or 0)
    _with_store(db_url, lambda store: tickets.set_priority(Session(store, None), first, 2,
                                                           Priority.LOW))
    shown: list[str] = []
    window.files.show_task_error = lambda _title, error: shown.append(str(error))  # type: ignore[method-assign]
    window.bulk.undo_action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown[0].startswith("Cannot undo: 1 of the tickets changed since")
    window.close()


def test_bulk_actions_merge_and_link_make_no_query_on_the_gui_thread(
        db_url: str, settings: QSettings, qtbot, guard: Guard) -> None:  # noqa: F811
    _make(db_url, 6)
    store = open_database(db_url)
    agent_id = ensure_agent(Session(store, None), None, "Alice Agent")
    guard.install(store)
    guard.armed = True
    window = MainWindow(store, agent_id, AppSettings(settings))
    qtbot.addWidget(window)
    window.show()
    wait_listed(qtbot, window)
    bulk = window.bulk
    window.table.selectAll()
    bulk.menu.popup(QPoint(0, 0))
    bulk.menu.close()
    bulk.status_menu.actions()[int(Status.WAITING)].trigger()
    _idle(qtbot, window)
    bulk.assign_menu.aboutToShow.emit()
    bulk.assign_menu.actions()[0].trigger()
    _idle(qtbot, window)
    bulk.undo_action.trigger()
    _idle(qtbot, window)
    ids = [int(i) for i in window.table.selected_ids()]
    window.table.clearSelection()
    _click(qtbot, window, 0)
    _click(qtbot, window, 1, Qt.KeyboardModifier.ControlModifier)
    bulk.link_action.trigger()
    _idle(qtbot, window)
    bulk.merge_into(ids[0], ids[:3])
    _idle(qtbot, window)
    _click(qtbot, window, window.model.row_of(ids[0]) or 0)
    dock = window.ticket_dock
    qtbot.waitUntil(lambda: dock.detail_tab.links_box.links is not None
                    and len(dock.detail_tab.links_box.links.merged_from) == 2, timeout=10_000)
    bulk.undo_action.trigger()  # the merge
    _idle(qtbot, window)
    guard.armed = False
    assert guard.seen == []
    window.close()

    def merged(store: Store) -> object:
        return merge.read_links(Session(store, None), ids[1])

    links = _with_store(db_url, merged)
    assert links is not None
    assert links.merged_into is None  # type: ignore[attr-defined]
    assert np.asarray(ids).size == 6


def test_a_second_action_right_after_the_first_sees_no_collisions(
        db_url: str, settings: QSettings, qtbot) -> None:
    _make(db_url, 8)
    window = _window(qtbot, db_url, settings)
    window.table.selectAll()
    window.bulk.run(BulkChange(Action.PRIORITY, Priority.HIGH))
    qtbot.waitUntil(lambda: window.bulk.running is None, timeout=10_000)
    window.bulk.run(BulkChange(Action.CLOSE))  # at once: the list is still being re-read
    qtbot.waitUntil(lambda: window.bulk.running is None, timeout=10_000)
    assert window.statusBar().currentMessage() == "8 tickets changed"
    assert window.bulk.undo_action.text() == "&Undo Close 8 Tickets"
    window.close()


def test_select_all_survives_the_rows_being_reordered(
        db_url: str, settings: QSettings, qtbot) -> None:
    """A refresh that reorders the rows in place keeps "all selected" without Qt tracking a
    persistent index per selected cell (a long freeze at a million rows)."""
    from ticketdesk.ui import ticket_table

    _make(db_url, 30)
    window = _window(qtbot, db_url, settings)
    ticket_table.KEEP_MOST = 10
    try:
        window.table.selectAll()
        window.model._relayout(window.model.all_ids()[::-1].copy())
        assert window.table.all_selected
        assert window.table.selection_count() == 30
        assert len(window.model.persistentIndexList()) < 10
    finally:
        ticket_table.KEEP_MOST = 1_000
    window.close()


def _arrive(qtbot, window: MainWindow, url: str, subject: str) -> int:
    """A ticket made by another desktop (a mail fetched elsewhere, say); the list picks it up
    with its next look at the desk."""
    new_id = int(_with_store(url, lambda store: tickets.create_ticket(  # type: ignore[arg-type]
        Session(store, None), subject=subject).new_id))
    qtbot.waitUntil(lambda: window.model.row_of(new_id) is not None, timeout=10_000)
    wait_listed(qtbot, window)
    return new_id


def test_a_new_ticket_arriving_at_the_top_keeps_a_selection_of_several(
        db_url: str, settings: QSettings, qtbot) -> None:
    _make(db_url, 12)
    window = _window(qtbot, db_url, settings)
    _click(qtbot, window, 2)
    _click(qtbot, window, 5, Qt.KeyboardModifier.ShiftModifier)
    chosen = window.table.selected_ids().tolist()
    assert len(chosen) == 4
    new_id = _arrive(qtbot, window, db_url, "Fresh from the mailbox")
    assert window.model.ticket_id(0) == new_id  # newest first: at the top
    assert window.table.selected_ids().tolist() == chosen  # the same tickets, still selected
    assert window.ticket_dock.empty.text() == "4 tickets selected"
    window.close()


def test_a_ticket_arriving_after_select_all_is_not_taken_into_it(
        db_url: str, settings: QSettings, qtbot) -> None:
    _make(db_url, 12)
    window = _window(qtbot, db_url, settings)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    before = set(window.table.selected_ids().tolist())
    assert len(before) == 12
    new_id = _arrive(qtbot, window, db_url, "Arrived after Ctrl+A")
    assert not window.table.all_selected
    assert set(window.table.selected_ids().tolist()) == before  # a bulk action takes these
    assert new_id not in window.table.selected_ids().tolist()
    window.close()


def test_scrolled_down_the_list_keeps_its_place_when_tickets_arrive_at_the_top(
        db_url: str, settings: QSettings, qtbot) -> None:
    _make(db_url, 300)
    window = _window(qtbot, db_url, settings)
    table = window.table
    table.scrollTo(window.model.index(150, 0), table.ScrollHint.PositionAtTop)
    top = window.model.ticket_id(table.indexAt(table.viewport().rect().topLeft()).row())
    _arrive(qtbot, window, db_url, "Arrived while reading further down")
    qtbot.waitUntil(lambda: window.model.ticket_id(
        table.indexAt(table.viewport().rect().topLeft()).row()) == top, timeout=5000)
    window.close()


def test_a_big_selection_is_changed_undone_and_refused_in_a_child_process(
        db_url: str, settings: QSettings, qtbot, monkeypatch) -> None:
    """Over `bulk.CHILD_FROM` tickets the action and its undo run in a child process that opens
    the desk itself (services/child.py); what the user sees is the same: the change, Ctrl+Z,
    and Undo refused (its message whole) after a newer change."""
    from ticketdesk.services import bulk, child

    _make(db_url, 30)
    monkeypatch.setattr(bulk, "CHILD_FROM", 20)
    ran: list[str] = []
    real_call = child.call
    monkeypatch.setattr(child, "call", lambda fn, *a, **k: (ran.append(fn.__name__),
                                                            real_call(fn, *a, **k))[1])
    window = _window(qtbot, db_url, settings)
    window.table.selectAll()
    window.bulk.run(BulkChange(Action.TAG, "in-a-child"))
    _idle(qtbot, window)
    assert ran == ["apply_at"]
    assert _count_tagged(db_url, "in-a-child") == 30
    assert window.bulk.undo_action.text() == "&Undo Tag 30 Tickets “in-a-child”"
    window.bulk.undo_action.trigger()
    _idle(qtbot, window)
    assert ran == ["apply_at", "undo_at"]
    assert _count_tagged(db_url, "in-a-child") == 0

    window.table.selectAll()
    window.bulk.run(BulkChange(Action.PRIORITY, Priority.URGENT))
    _idle(qtbot, window)
    first = int(window.model.ticket_id(0) or 0)

    def lower(store: Store) -> None:
        with store.read():
            version = Ticket.get_by_id(first).version
        tickets.set_priority(Session(store, None), first, version, Priority.LOW)

    _with_store(db_url, lower)
    shown: list[str] = []
    window.files.show_task_error = lambda _title, error: shown.append(str(error))  # type: ignore[method-assign]
    window.bulk.undo_action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert ran == ["apply_at", "undo_at", "apply_at", "undo_at"]
    assert shown[0].startswith(f"Cannot undo: 1 of the tickets changed since (TKT-{first:06d})")
    window.close()
