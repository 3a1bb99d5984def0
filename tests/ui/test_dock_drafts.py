"""Nothing typed is lost: a reply, a note, an open field edit come back after switching tickets,
after closing and reopening the window, and (written while typing) after a crash."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.dock_support import ctrl_enter, open_ticket, seed, settle
from ticketdesk.db.store import open_database
from ticketdesk.services import drafts, messages
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.ticket_dock import CONVERSATION, NOTES


def _stored(window, agent_id: int, ticket_id: int) -> dict[str, str]:
    return {k: d.body for k, d in
            drafts.drafts_for(Session(window.store, agent_id), ticket_id).items()}


def test_reply_and_note_survive_switching_tickets(db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    qtbot.keyClicks(dock.conversation_tab.reply, "Dear Jane, we are")
    dock.tabs.setCurrentIndex(NOTES)
    settle(qtbot)
    qtbot.keyClicks(dock.notes_tab.new_note, "Check the fuser")

    open_ticket(qtbot, window, desk.scanner)
    assert dock.conversation_tab.reply.toPlainText() == ""
    assert dock.notes_tab.new_note.toPlainText() == ""
    assert _stored(window, desk.alice, desk.printer) == {"reply": "Dear Jane, we are",
                                                         "note": "Check the fuser"}
    qtbot.keyClicks(dock.notes_tab.new_note, "Scanner note")

    open_ticket(qtbot, window, desk.printer)
    assert dock.conversation_tab.reply.toPlainText() == "Dear Jane, we are"
    assert dock.notes_tab.new_note.toPlainText() == "Check the fuser"
    assert _stored(window, desk.alice, desk.scanner) == {"note": "Scanner note"}

    # sending the reply forgets its draft; the note's stays
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    qtbot.keyClicks(dock.conversation_tab.reply, " on it.")
    ctrl_enter(qtbot, dock.conversation_tab.reply)
    settle(qtbot)
    assert [m.body for m in messages.messages_for(desk.printer)] == ["Dear Jane, we are on it."]
    assert _stored(window, desk.alice, desk.printer) == {"note": "Check the fuser"}


def test_drafts_and_open_edits_survive_closing_the_window(db_url: str, open_window,
                                                          qtbot) -> None:
    desk = seed(db_url)
    first = open_window("Alice Agent")
    dock = open_ticket(qtbot, first, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    qtbot.keyClicks(dock.conversation_tab.reply, "Half a reply")
    qtbot.mouseClick(dock.detail_tab.subject.edit_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    dock.detail_tab.subject.editor.selectAll()
    qtbot.keyClicks(dock.detail_tab.subject.editor, "Printer on fire, tray 2")
    assert first.close()

    second = open_window("Alice Agent")
    dock = open_ticket(qtbot, second, desk.printer)
    assert dock.conversation_tab.reply.toPlainText() == "Half a reply"
    subject = dock.detail_tab.subject
    assert subject.is_editing
    assert subject.editor_text() == "Printer on fire, tray 2"
    qtbot.keyClick(subject.editor, Qt.Key.Key_Return)  # saves: the ticket had not changed
    settle(qtbot)
    assert not dock.conflict.isVisible()
    assert dock.detail_tab.subject.value() == "Printer on fire, tray 2"
    assert _stored(second, desk.alice, desk.printer) == {"reply": "Half a reply"}


def test_typing_is_written_within_a_second_so_a_crash_keeps_it(db_url: str, open_window,
                                                               qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    qtbot.keyClicks(dock.conversation_tab.reply, "Typed before the crash")
    assert _stored(window, desk.alice, desk.printer) == {}  # debounced, not per keystroke
    qtbot.waitUntil(lambda: _stored(window, desk.alice, desk.printer) == {
        "reply": "Typed before the crash"}, timeout=3000)
    # another process (as after a crash and restart) finds it
    other = open_database(db_url)
    try:
        assert drafts.drafts_for(Session(other, desk.alice), desk.printer)["reply"].body == \
            "Typed before the crash"
    finally:
        other.close()


def test_drafts_belong_to_the_agent_who_typed_them(db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    qtbot.keyClicks(dock.conversation_tab.reply, "Alice writing")
    window.set_agent(desk.bob)
    settle(qtbot)
    assert dock.conversation_tab.reply.toPlainText() == ""
    qtbot.keyClicks(dock.conversation_tab.reply, "Bob writing")
    window.set_agent(desk.alice)
    settle(qtbot)
    assert dock.conversation_tab.reply.toPlainText() == "Alice writing"
    assert _stored(window, desk.bob, desk.printer) == {"reply": "Bob writing"}


def test_emptying_the_box_discards_the_draft(db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(NOTES)
    settle(qtbot)
    qtbot.keyClicks(dock.notes_tab.new_note, "x")
    dock.drafts.flush()
    settle(qtbot)
    assert _stored(window, desk.alice, desk.printer) == {"note": "x"}
    qtbot.keyClick(dock.notes_tab.new_note, Qt.Key.Key_Backspace)
    settle(qtbot)
    dock.drafts.flush()
    settle(qtbot)
    assert _stored(window, desk.alice, desk.printer) == {}
