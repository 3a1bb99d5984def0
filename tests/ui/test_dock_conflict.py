"""Two windows on one desk: a save based on what one agent read, after another agent changed the
ticket, is refused in the dock with who changed what; the agent's text is kept, and re-applying
saves it on top of the other change. Changes from elsewhere reload the dock without touching
what is being typed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.dock_support import activity_lines, open_ticket, seed, settle
from ticketdesk.domain.status import Priority
from ticketdesk.services import messages, notes, tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.ticket_dock import CONVERSATION, NOTES


def test_stale_subject_save_shows_the_conflict_and_reapplies(db_url: str, open_window,
                                                             qtbot) -> None:
    desk = seed(db_url)
    alice_window = open_window("Alice Agent")
    bob_window = open_window("Bob Builder")
    alice = open_ticket(qtbot, alice_window, desk.printer)
    bob = open_ticket(qtbot, bob_window, desk.printer)

    # Alice starts editing the subject...
    qtbot.mouseClick(alice.detail_tab.subject.edit_button, Qt.MouseButton.LeftButton)
    editor = alice.detail_tab.subject.editor
    editor.selectAll()
    qtbot.keyClicks(editor, "Printer on fire in room 4")
    # ...while Bob escalates the ticket in his window
    qtbot.mouseClick(bob.detail_tab.escalate_button, Qt.MouseButton.LeftButton)
    settle(qtbot, bob)
    assert tickets.get_ticket(desk.printer).priority == Priority.HIGH
    qtbot.wait(1300)  # Alice's window may notice Bob's change meanwhile: her typing stays
    assert editor.text() == "Printer on fire in room 4"

    qtbot.keyClick(editor, Qt.Key.Key_Return)
    settle(qtbot, alice)
    assert alice.conflict.isVisible()
    message = alice.conflict.text()
    assert "changed by someone else" in message
    assert "Bob Builder" in message
    assert "Priority changed: Medium → High" in message
    assert "Subject → “Printer on fire in room 4”" in message
    assert alice.detail_tab.subject.is_editing
    assert editor.text() == "Printer on fire in room 4"
    assert tickets.get_ticket(desk.printer).subject == "Printer on fire"

    qtbot.mouseClick(alice.conflict.reapply_button, Qt.MouseButton.LeftButton)
    settle(qtbot, alice)
    saved = tickets.get_ticket(desk.printer)
    assert (saved.subject, saved.priority) == ("Printer on fire in room 4", Priority.HIGH)
    assert not alice.conflict.isVisible()
    assert not alice.detail_tab.subject.is_editing
    assert alice.detail_tab.subject.value() == "Printer on fire in room 4"
    assert alice.detail_tab.priority.currentText() == "High"
    assert activity_lines(alice)[:2] == ["Subject changed: Printer on fire → Printer on fire "
                                         "in room 4", "Priority changed: Medium → High"]


def test_discarding_my_change_after_a_conflict_shows_theirs(db_url: str, open_window,
                                                            qtbot) -> None:
    desk = seed(db_url)
    alice_window = open_window("Alice Agent")
    bob_window = open_window("Bob Builder")
    alice = open_ticket(qtbot, alice_window, desk.printer)
    bob = open_ticket(qtbot, bob_window, desk.printer)
    qtbot.mouseClick(alice.detail_tab.description.edit_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(alice.detail_tab.description.editor, " Mine.")
    qtbot.mouseClick(bob.detail_tab.description.edit_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(bob.detail_tab.description.editor, " Theirs.")
    qtbot.mouseClick(bob.detail_tab.description.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, bob)
    qtbot.mouseClick(alice.detail_tab.description.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, alice)
    assert alice.conflict.isVisible()
    assert "Bob Builder" in alice.conflict.text()
    assert "Description edited" in alice.conflict.text()
    qtbot.mouseClick(alice.conflict.discard_button, Qt.MouseButton.LeftButton)
    settle(qtbot, alice)
    assert not alice.detail_tab.description.is_editing
    assert alice.detail_tab.description.value() == "Smoke from tray 2. Theirs."
    assert tickets.get_ticket(desk.printer).description == "Smoke from tray 2. Theirs."


def test_stale_note_edit_is_refused_and_reapplied(db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    alice_window = open_window("Alice Agent")
    alice = open_ticket(qtbot, alice_window, desk.printer)
    store = alice_window.store
    bob = Session(store, desk.bob)
    note_id, _ = notes.add_note(bob, desk.printer, "First words")
    alice.refresh()
    alice.tabs.setCurrentIndex(NOTES)
    settle(qtbot, alice)
    card = alice.notes_tab.cards[note_id]
    qtbot.mouseClick(card.edit_button, Qt.MouseButton.LeftButton)
    card.editor.setPlainText("Alice's words")
    notes.edit_note(bob, note_id, 1, "Bob's words")  # meanwhile, elsewhere
    qtbot.mouseClick(card.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, alice)
    assert alice.conflict.isVisible()
    assert card.editor.toPlainText() == "Alice's words"
    qtbot.mouseClick(alice.conflict.reapply_button, Qt.MouseButton.LeftButton)
    settle(qtbot, alice)
    assert [n.body for n in notes.notes_for(desk.printer)] == ["Alice's words"]
    assert alice.notes_tab.texts() == ["Alice's words"]


def test_changes_from_elsewhere_reload_without_touching_typed_text(db_url: str, open_window,
                                                                   qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot, dock)
    qtbot.keyClicks(dock.conversation_tab.reply, "Half a reply")
    qtbot.mouseClick(dock.detail_tab.subject.edit_button, Qt.MouseButton.LeftButton)
    dock.detail_tab.subject.editor.setText("My new subject")
    other = Session(window.store, desk.bob)
    changes = messages.add_message(other, desk.printer, "Any news?", incoming=True)
    changes |= tickets.set_priority(other, desk.printer, 1, Priority.URGENT)
    window.hub.announce(changes, "external")
    settle(qtbot, dock)
    assert "Any news?" in dock.conversation_tab.thread_view.toPlainText()
    assert dock.conversation_tab.reply.toPlainText() == "Half a reply"
    assert dock.detail_tab.priority.currentText() == "Urgent"
    assert dock.detail_tab.subject.is_editing
    assert dock.detail_tab.subject.editor.text() == "My new subject"
    assert dock.detail_tab.subject.value() == "Printer on fire"
    window.hub.announce(Changes(everything=True), "external")
    settle(qtbot, dock)
    assert dock.conversation_tab.reply.toPlainText() == "Half a reply"
