"""Issue 19 in the ticket dock: the Detail tab's category completes from the desk's list while it
is typed (any case, anywhere in the name), says which category the text will be saved as, and a
name that is new still joins the list; the list is read off the GUI thread and again when the
desk's lists change (ui/dock/category_completion.py)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.ui.dock_support import open_ticket, seed, settle
from tests.ui.test_dock_never_waits import gui_thread_queries
from ticketdesk.db.store import open_database
from ticketdesk.services import categories, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.editors import InlineField
from ticketdesk.ui.dock.ticket_dock import TicketDock

__all__ = ["gui_thread_queries"]


def _with_categories(db_url: str, *names: str) -> None:
    store = open_database(db_url)
    try:
        for name in names:
            categories.add_category(Session(store, None), name)
    finally:
        store.close()


def _edit_category(qtbot: Any, dock: TicketDock) -> InlineField:
    field = dock.detail_tab.category
    qtbot.mouseClick(field.edit_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    assert field.is_editing
    return field


def _offered(qtbot: Any, dock: TicketDock, typed: str) -> list[str]:
    """Type `typed` into the category's editor as a user does; what the popup offers."""
    field = dock.detail_tab.category
    qtbot.keyClicks(field.editor, typed)
    popup = dock.detail_tab.category_completion.completer.popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    model = popup.model()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def test_typing_part_of_a_category_offers_it_and_choosing_it_saves_the_lists_name(
        db_url: str, open_window: Any, qtbot: Any, gui_thread_queries: list[str]) -> None:
    desk = seed(db_url)
    _with_categories(db_url, "Billing", "Shipping", "Rebilled refunds")
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    field = _edit_category(qtbot, dock)
    assert _offered(qtbot, dock, "bil") == ["Billing", "Rebilled refunds"]
    popup = dock.detail_tab.category_completion.completer.popup()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert field.editor_text() == "Billing"
    assert not popup.isVisible()
    qtbot.keyClick(field.editor, Qt.Key.Key_Return)  # Enter saves once the popup is gone
    settle(qtbot, dock)
    assert not field.is_editing
    assert tickets.get_ticket(desk.printer).category == "Billing"
    assert field.value() == "Billing"
    assert gui_thread_queries == []  # the list came from the dock's query thread


def test_the_editor_says_which_category_the_text_becomes(
        db_url: str, open_window: Any, qtbot: Any) -> None:
    desk = seed(db_url)
    _with_categories(db_url, "Billing")
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    field = _edit_category(qtbot, dock)
    qtbot.keyClicks(field.editor, "billing")
    assert field.hint.isVisible()
    assert field.hint.text() == "Saved as “Billing”, as the desk's list spells it."
    field.editor.selectAll()
    qtbot.keyClicks(field.editor, "Warranty")
    assert field.hint.text() == "“Warranty” is new: it joins the desk's categories."
    field.editor.selectAll()
    qtbot.keyClicks(field.editor, "Billing")
    assert not field.hint.isVisible()
    popup = dock.detail_tab.category_completion.completer.popup()
    assert popup is not None
    if popup.isVisible():  # "Billing" is offered: the first Esc closes the popup
        qtbot.keyClick(popup, Qt.Key.Key_Escape)
        assert field.is_editing
    qtbot.keyClick(field.editor, Qt.Key.Key_Escape)
    assert not field.is_editing
    assert not field.hint.isVisible()


def test_a_new_name_still_joins_the_list_and_is_offered_next_time(
        db_url: str, open_window: Any, qtbot: Any) -> None:
    desk = seed(db_url)
    _with_categories(db_url, "Billing")
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    field = _edit_category(qtbot, dock)
    qtbot.keyClicks(field.editor, "Warranty claims")
    qtbot.keyClick(field.editor, Qt.Key.Key_Return)
    settle(qtbot, dock)
    assert tickets.get_ticket(desk.printer).category == "Warranty claims"
    assert categories.category_names(window.session) == ["Billing", "Warranty claims"]
    dock = open_ticket(qtbot, window, desk.scanner)
    _edit_category(qtbot, dock)
    assert _offered(qtbot, dock, "CLAIM") == ["Warranty claims"]


def test_a_category_renamed_elsewhere_is_offered_by_its_new_name(
        db_url: str, open_window: Any, qtbot: Any) -> None:
    desk = seed(db_url)
    _with_categories(db_url, "Biling")
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    settle(qtbot, dock)
    assert dock.detail_tab.category_completion.names == ["Biling"]
    (found,) = categories.list_categories(window.session)
    # What Desk ▸ Categories… does: the change, then its announcement on the window's hub.
    window.hub.announce(categories.rename_category(window.session, found.id, "Billing"), window)
    settle(qtbot, dock)
    _edit_category(qtbot, dock)
    assert _offered(qtbot, dock, "bill") == ["Billing"]
