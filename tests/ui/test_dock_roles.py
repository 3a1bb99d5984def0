"""Issue 20 in the ticket dock: a viewer opening a ticket finds every control that would save
disabled (a text box read-only, its text still selectable) with the viewer's reason as tooltip,
and so it stays after showing another ticket and after the ticket changes elsewhere; an agent
keeps them all; a desk file withholds nothing (ui/role_gate.py: `gate`, `enable`). Each window
signs in to a real PostgreSQL team desk as a real login (the fixtures of test_role_gate.py)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from tests.ui.dock_support import open_ticket, settle
from tests.unit.test_postgres_roles import url_as
from tests.unit.test_postgres_roles_security import Team, team
from ticketdesk.app import build_main_window
from ticketdesk.domain.status import Status
from ticketdesk.services import assignees, custom_fields, merge, messages, tickets
from ticketdesk.services.attachments import NewFile
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.ticket_dock import ACTIVITY, CONVERSATION, DETAIL, NOTES, TicketDock
from ticketdesk.ui.main_window import MainWindow

__all__ = ["team"]
VIEWER_REASON = ("You are signed in as a viewer: you can read and analyse this desk, not "
                 "change it.")
READING = {"openCustomerButton", "filesButton"}
"""Dock controls that only read: a viewer keeps them."""


def _window(qtbot: Any, url: str, settings: QSettings) -> MainWindow:
    window = build_main_window(url, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.role_gate.known, timeout=5000)
    return window


def _desk(team: Team) -> tuple[int, int]:
    """Ticket A (tagged, assigned, linked to B, two custom fields set) and B (resolved)."""
    owner = team.owner
    ann, _ = team.add("Ann", "agent")
    a = int(tickets.create_ticket(owner, subject="Printer on fire", category="Hardware",
                                  description="Smoke from tray 2.", tags=["urgent"],
                                  assignee_ids=[ann]).new_id)
    b = int(tickets.create_ticket(owner, subject="Scanner jams").new_id)
    tickets.set_status(owner, b, 1, Status.RESOLVED, note="Cleared the feeder.")
    merge.link(owner, a, b)
    seats, _ = custom_fields.add_field(owner, "Seats", "number")
    plan, _ = custom_fields.add_field(owner, "Plan", "list", "Basic\nPro")
    version = tickets.ticket_version(owner, a)
    assert version is not None
    custom_fields.set_values(owner, a, version, {seats: "12", plan: "Pro"})
    messages.add_message(owner, a, "Photo attached", incoming=True,
                         files=[NewFile("tray.txt", b"smoke")])
    return a, b


def _tab_of(dock: TicketDock, index: int) -> QWidget:
    tab = dock.tabs.widget(index)
    assert tab is not None
    return tab


def _controls(dock: TicketDock) -> list[tuple[QWidget, QWidget]]:
    """Every control of every tab that a user could act on if it were enabled: buttons, boxes,
    and text boxes that are not read-only by nature, with the tab they are in."""
    found = []
    for index in (DETAIL, CONVERSATION, NOTES, ACTIVITY):
        tab = _tab_of(dock, index)
        for widget in tab.findChildren(QWidget):
            if not widget.isVisibleTo(tab):
                continue
            if isinstance(widget, QAbstractButton | QComboBox | QLineEdit) or (
                    isinstance(widget, QPlainTextEdit) and widget.property("roleGateNeeds")):
                found.append((tab, widget))
    return found


def _writable(widget: QWidget) -> bool:
    if isinstance(widget, QLineEdit | QPlainTextEdit):
        return widget.isEnabled() and not widget.isReadOnly()
    return widget.isEnabled()


def _name(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QAbstractButton) else ""
    return f"{type(widget).__name__} {widget.objectName()!r} {text!r}"


def assert_viewer_sees_nothing_to_change(qtbot: Any, dock: TicketDock,
                                        also: tuple[str, ...] = ()) -> None:
    """Every tab shown (each loads when first shown), then every control that saves is
    disabled or read-only with the viewer's reason; only the reading controls are left."""
    for index in (CONVERSATION, NOTES, ACTIVITY, DETAIL):
        dock.tabs.setCurrentIndex(index)
        settle(qtbot, dock)
    controls = _controls(dock)
    names = {w.objectName() for _, w in controls}
    for expected in ("statusCombo", "priorityCombo", "escalateButton", "resolveButton",
                     "closeTicketButton", "subjectEditButton", "categoryEditButton",
                     "descriptionEditButton", "addAssigneeButton", "addTagButton",
                     "changeCustomerButton", "saveFieldsButton", "csatRecord", "csatComment",
                     "linkTicketButton", "replyEdit", "sendButton", "logCustomerButton",
                     "attachButton", "newNoteEdit", "addNoteButton", *also):
        assert expected in names or (expected == "resolveButton" and "reopenButton" in names), \
            expected
    left = [_name(w) for _, w in controls
            if _writable(w) and w.objectName() not in READING]
    assert left == []
    unexplained = [_name(w) for _, w in controls
                   if w.objectName() not in READING and w.toolTip() != VIEWER_REASON]
    assert unexplained == []
    subject = dock.detail_tab.subject.label
    assert subject.isEnabled()
    assert subject.hasSelectedText() is False
    assert subject.textInteractionFlags()  # the text stays selectable and copyable
    reply = dock.conversation_tab.reply
    assert reply.isEnabled()
    assert reply.isReadOnly()


@pytest.mark.postgres
def test_a_viewer_opening_a_ticket_can_change_nothing_in_any_tab_and_is_told_why(
        qtbot: Any, team: Team, settings: QSettings) -> None:
    a, b = _desk(team)
    _, login = team.add("Vera", "viewer")
    window = _window(qtbot, url_as(team.url, login), settings)
    try:
        dock = open_ticket(qtbot, window, a)
        assert dock.detail_tab.custom_box.isVisibleTo(dock.detail_tab)
        assert [c.text for c in dock.detail_tab.tags.chips] == ["urgent"]
        a_has = ("chipRemove", f"unlink{b}", f"customField_{1}")
        assert_viewer_sees_nothing_to_change(qtbot, dock, a_has)

        conversation = dock.conversation_tab  # a file can be opened and saved, not removed
        conversation.files_menu.aboutToShow.emit()
        (file_menu,) = [a.menu() for a in conversation.files_menu.actions()]
        assert file_menu is not None
        items = {a.text(): a for a in file_menu.actions() if a.text()}
        assert items["&Open"].isEnabled()
        assert items["&Save As…"].isEnabled()
        assert not items["&Remove…"].isEnabled()
        assert items["&Remove…"].toolTip() == VIEWER_REASON
        keys = window.ticket_keys  # the Ticket menu's commands that save, too
        for action in (keys.assign_action, keys.close_action):
            assert not action.isEnabled()
            assert action.toolTip() == VIEWER_REASON
        assert keys.reply_action.isEnabled()  # it only moves the focus to the reply box

        dock = open_ticket(qtbot, window, b)  # resolved: Reopen and Record rating are its own
        assert dock.detail_tab.reopen_button.isVisibleTo(dock.detail_tab)
        assert_viewer_sees_nothing_to_change(qtbot, dock)

        dock = open_ticket(qtbot, window, a)
        owner = team.owner
        version = tickets.ticket_version(owner, a)
        assert version is not None
        assignees.add_tag(owner, a, version, "printer")  # elsewhere: a new chip comes
        qtbot.waitUntil(lambda: "printer" in dock.detail_tab.tags.texts(), timeout=10_000)
        settle(qtbot, dock)
        assert_viewer_sees_nothing_to_change(qtbot, dock, a_has)
    finally:
        window.close()


@pytest.mark.postgres
def test_a_viewers_save_is_not_sent_but_explained(
        qtbot: Any, team: Team, settings: QSettings) -> None:
    """Whatever starts a save without a button (a mail's Retry link, a file dropped on the
    thread) is answered with the reason in the dock, and nothing reaches the server."""
    a, _ = _desk(team)
    _, login = team.add("Vera", "viewer")
    window = _window(qtbot, url_as(team.url, login), settings)
    try:
        dock = open_ticket(qtbot, window, a)
        before = tickets.ticket_version(team.owner, a)
        dock.detail_tab.escalate()
        dock.conversation_tab.add_files(["/nonexistent"])
        settle(qtbot, dock)
        assert dock.notice.isVisibleTo(dock)
        assert VIEWER_REASON in dock.notice.label.text()
        assert tickets.ticket_version(team.owner, a) == before
        assert dock.conversation_tab.pending_count() == 0
    finally:
        window.close()


@pytest.mark.postgres
def test_an_agent_keeps_every_control_of_the_dock(
        qtbot: Any, team: Team, settings: QSettings) -> None:
    a, b = _desk(team)
    _, login = team.add("Bob", "agent")
    window = _window(qtbot, url_as(team.url, login), settings)
    try:
        for ticket in (a, b):
            dock = open_ticket(qtbot, window, ticket)
            for index in (CONVERSATION, NOTES, DETAIL):
                dock.tabs.setCurrentIndex(index)
                settle(qtbot, dock)
            withheld = [_name(w) for _, w in _controls(dock) if w.objectName() not in READING
                        and (not _writable(w) or w.toolTip() == VIEWER_REASON)]
            assert window.ticket_keys.close_action.isEnabled()
            # The dock's own rules, not the role's: Record rating waits for a resolution.
            assert withheld == ([] if ticket == b else
                                ["QPushButton 'csatRecord' 'Record rating'"])
        detail = dock.detail_tab
        detail.escalate()  # a save: busy while it is out, enabled again after
        settle(qtbot, dock)
        assert detail.escalate_button.isEnabled()
        assert dock.ticket is not None
        assert dock.ticket.priority.name == "HIGH"
    finally:
        window.close()


def test_a_desk_file_withholds_nothing_in_the_dock(
        qtbot: Any, sqlite_url: str, settings: QSettings) -> None:
    from ticketdesk.db.store import open_database
    store = open_database(sqlite_url)
    try:
        ticket = int(tickets.create_ticket(Session(store, None), subject="Printer").new_id)
    finally:
        store.close()
    window = _window(qtbot, sqlite_url, settings)
    try:
        dock = open_ticket(qtbot, window, ticket)
        for index in (CONVERSATION, NOTES, DETAIL):
            dock.tabs.setCurrentIndex(index)
            settle(qtbot, dock)
        withheld = [_name(w) for _, w in _controls(dock) if w.objectName() not in READING
                    and (not _writable(w) or w.toolTip() == VIEWER_REASON)]
        assert withheld == ["QPushButton 'csatRecord' 'Record rating'"]
    finally:
        window.close()
