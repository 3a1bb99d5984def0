"""A ticket's whole life, driven in the dock as an agent drives it: open it, assign two agents,
tag it, note, reply with an attachment, wait on the customer, resolve, reopen, close. After
each step the database and the Activity tab say the same thing, and the table row follows."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.ui.dock_support import activity_lines, ctrl_enter, open_ticket, seed, settle
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import assignees, audit, messages, notes, tickets
from ticketdesk.ui.dock.ticket_dock import CONVERSATION, DETAIL, NOTES
from ticketdesk.ui.ticket_model import COL_ASSIGNEES, COL_STATUS, COL_TAGS


def _row(window, ticket_id: int, column: int) -> str | None:
    model = window.model
    row = model.row_of(ticket_id)
    return None if row is None else model.data(model.index(row, column))


def test_a_ticket_from_opening_to_closing(db_url: str, open_window, qtbot, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    tid = desk.printer

    # open: the dock shows the ticket and its history so far
    dock = open_ticket(qtbot, window, tid)
    detail = dock.detail_tab
    assert detail.subject.value() == "Printer on fire"
    assert detail.customer_name.text() == "Jane Doe"
    assert activity_lines(dock) == ["Customer changed: Jane Doe", "Created: Printer on fire"]

    # assign two agents from "+ Add"
    dock.tabs.setCurrentIndex(DETAIL)
    for name in ("Alice Agent", "Bob Builder"):
        detail.agent_menu.aboutToShow.emit()
        action = next(a for a in detail.agent_menu.actions() if a.text() == name)
        action.trigger()
        settle(qtbot, dock)
    assert [a.name for a in tickets.get_ticket(tid).assignees] == ["Alice Agent", "Bob Builder"]
    assert detail.assignees.texts() == ["Alice Agent", "Bob Builder"]
    assert activity_lines(dock)[:2] == ["Assigned: Bob Builder", "Assigned: Alice Agent"]
    qtbot.waitUntil(lambda: _row(window, tid, COL_ASSIGNEES) == "Alice Agent, Bob Builder",
                    timeout=3000)

    # tag it: "+ Add", type, Enter
    dock.tabs.setCurrentIndex(DETAIL)
    qtbot.mouseClick(detail.add_tag_button, Qt.MouseButton.LeftButton)
    assert detail.tag_editor.isVisible()
    qtbot.keyClicks(detail.tag_editor, "Hardware")
    qtbot.keyClick(detail.tag_editor, Qt.Key.Key_Return)
    settle(qtbot, dock)
    assert tickets.get_ticket(tid).tags == ("hardware",)
    assert detail.tags.texts() == ["hardware"]
    assert not detail.tag_editor.isVisible()
    assert activity_lines(dock)[0] == "Tag added: hardware"
    qtbot.waitUntil(lambda: _row(window, tid, COL_TAGS) == "hardware", timeout=3000)

    # an internal note, saved with Ctrl+Enter
    dock.tabs.setCurrentIndex(NOTES)
    settle(qtbot, dock)
    qtbot.keyClicks(dock.notes_tab.new_note, "Tray 2 is the culprit.")
    ctrl_enter(qtbot, dock.notes_tab.new_note)
    settle(qtbot, dock)
    assert [n.body for n in notes.notes_for(tid)] == ["Tray 2 is the culprit."]
    assert dock.notes_tab.texts() == ["Tray 2 is the culprit."]
    assert dock.notes_tab.new_note.toPlainText() == ""
    assert activity_lines(dock)[0] == "Note added: Tray 2 is the culprit."

    # a reply with an attachment chosen in the file dialog
    log = tmp_path / "printer.log"
    log.write_bytes(b"E-42 at 09:14\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: ([str(log)], "")))
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot, dock)
    conversation = dock.conversation_tab
    qtbot.mouseClick(conversation.attach_button, Qt.MouseButton.LeftButton)
    assert conversation.pending_row.texts() == ["printer.log (14 bytes)"]
    qtbot.keyClicks(conversation.reply, "Please switch it off.")
    qtbot.mouseClick(conversation.send_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    [reply] = messages.messages_for(tid)
    assert (reply.incoming, reply.agent, reply.body) == (False, "Alice Agent",
                                                         "Please switch it off.")
    assert [a.name for a in reply.attachments] == ["printer.log"]
    assert tickets.get_ticket(tid).first_response_at is not None
    assert "Please switch it off." in conversation.thread_view.toPlainText()
    assert "printer.log" in conversation.thread_view.toPlainText()
    assert conversation.reply.toPlainText() == ""
    assert not conversation.pending_row.isVisible()
    assert activity_lines(dock)[:2] == ["File attached: printer.log",
                                        "Reply sent: Please switch it off."]

    # wait on the customer: the status box, from the keyboard
    dock.tabs.setCurrentIndex(DETAIL)
    detail.status.setFocus()
    qtbot.keyClick(detail.status, Qt.Key.Key_Down)  # In Progress
    settle(qtbot, dock)
    qtbot.keyClick(detail.status, Qt.Key.Key_Down)  # Waiting
    settle(qtbot, dock)
    assert tickets.get_ticket(tid).status == Status.WAITING
    assert activity_lines(dock)[:2] == ["Status changed: In Progress → Waiting",
                                        "Status changed: Open → In Progress"]
    qtbot.waitUntil(lambda: _row(window, tid, COL_STATUS) == "Waiting", timeout=3000)

    # resolve with a note
    dock.tabs.setCurrentIndex(DETAIL)
    qtbot.mouseClick(detail.resolve_button, Qt.MouseButton.LeftButton)
    assert detail.resolution.isVisible()
    qtbot.keyClicks(detail.resolution_note, "Replaced the fuser.")
    qtbot.mouseClick(detail.confirm_resolve, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    resolved = tickets.get_ticket(tid)
    assert resolved.status == Status.RESOLVED
    assert resolved.resolved_at is not None
    assert resolved.resolution == "Replaced the fuser."
    assert notes.notes_for(tid)[-1].body == "Tray 2 is the culprit."
    assert detail.resolution_text.isVisible()
    assert detail.resolution_text.text() == "Replaced the fuser."
    assert detail.resolution_text.textFormat() == Qt.TextFormat.PlainText
    assert not detail.resolution.isVisible()
    assert detail.reopen_button.isVisible()
    assert not detail.resolve_button.isVisible()
    assert detail.times["resolved"].text() != "—"
    assert activity_lines(dock)[:2] == ["Resolution: Replaced the fuser.",
                                        "Status changed: Waiting → Resolved"]

    # reopen
    dock.tabs.setCurrentIndex(DETAIL)
    qtbot.mouseClick(detail.reopen_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    reopened = tickets.get_ticket(tid)
    assert reopened.status == Status.OPEN
    assert reopened.resolved_at is None
    assert reopened.resolution == ""
    assert not detail.resolution_text.isVisible()
    assert activity_lines(dock)[:2] == ["Resolution: Replaced the fuser. → (none)",
                                        "Reopened: Resolved → Open"]

    # escalate once, then close
    dock.tabs.setCurrentIndex(DETAIL)
    qtbot.mouseClick(detail.escalate_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    assert tickets.get_ticket(tid).priority == Priority.HIGH
    assert detail.priority.currentText() == "High"
    qtbot.mouseClick(detail.close_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dock)
    closed = tickets.get_ticket(tid)
    assert closed.status == Status.CLOSED
    assert closed.closed_at is not None
    assert activity_lines(dock)[:2] == ["Status changed: Open → Closed",
                                        "Priority changed: Medium → High"]
    qtbot.waitUntil(lambda: _row(window, tid, COL_STATUS) == "Closed", timeout=3000)

    # the whole trail, as the Activity tab shows it and as the database holds it
    shown = activity_lines(dock)
    assert shown == [a.text for a in audit.activity_for(tid)]
    assert shown == [
        "Status changed: Open → Closed", "Priority changed: Medium → High",
        "Resolution: Replaced the fuser. → (none)", "Reopened: Resolved → Open",
        "Resolution: Replaced the fuser.",
        "Status changed: Waiting → Resolved", "Status changed: In Progress → Waiting",
        "Status changed: Open → In Progress", "File attached: printer.log",
        "Reply sent: Please switch it off.", "Note added: Tray 2 is the culprit.",
        "Tag added: hardware", "Assigned: Bob Builder", "Assigned: Alice Agent",
        "Customer changed: Jane Doe", "Created: Printer on fire"]
    assert {a.agent for a in audit.activity_for(tid)[:-2]} == {"Alice Agent"}
    assert dock.tabs.tabText(NOTES) == "&Notes (1)"
    assert dock.tabs.tabText(CONVERSATION) == "&Conversation (1)"
    assert assignees.list_tags(window.store) == ["hardware"]
