"""A long ticket costs the dock no more widgets than a short one: the conversation is one
document and the activity a model, so opening 500 messages stays fast (tests/bench/bench_dock.py
times it on the 1M desk). Tabs load when shown, and only then."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from tests.ui.dock_support import open_ticket, seed, settle
from ticketdesk.services import messages, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.ticket_dock import ACTIVITY, CONVERSATION, DETAIL


def test_a_long_conversation_adds_no_widgets(db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    session = Session(window.store, desk.bob)
    for i in range(60):
        messages.add_message(session, desk.scanner, f"Message {i}\n\nwith two paragraphs",
                             incoming=i % 2 == 0)
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    dock.tabs.setCurrentIndex(ACTIVITY)
    settle(qtbot)
    def widgets() -> int:
        return sum(len(tab.findChildren(QWidget))
                   for tab in (dock.conversation_tab, dock.activity_tab))

    before = widgets()

    open_ticket(qtbot, window, desk.scanner)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    assert len(dock.conversation_tab.messages) == 60
    text = dock.conversation_tab.thread_view.toPlainText()
    assert text.index("Message 0") < text.index("Message 59")  # oldest first
    dock.tabs.setCurrentIndex(ACTIVITY)
    settle(qtbot)
    assert dock.activity_tab.model.rowCount() == 61
    assert widgets() == before


def test_tabs_load_when_first_shown(db_url: str, open_window, qtbot, monkeypatch) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    loaded: list[int] = []
    monkeypatch.setattr(messages, "messages_for",
                        lambda tid, _f=messages.messages_for: loaded.append(tid) or _f(tid))
    dock = open_ticket(qtbot, window, desk.printer)
    dock.tabs.setCurrentIndex(DETAIL)
    settle(qtbot)
    open_ticket(qtbot, window, desk.scanner)
    assert loaded == []  # the conversation was never shown
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    dock.tabs.setCurrentIndex(DETAIL)
    settle(qtbot)
    dock.tabs.setCurrentIndex(CONVERSATION)
    settle(qtbot)
    assert loaded == [desk.scanner]  # once, not again on every visit


def test_a_long_subject_does_not_widen_the_dock(db_url: str, open_window, qtbot) -> None:
    desk = seed(db_url)
    window = open_window("Alice Agent")
    long_subject = "Printer " + "very " * 55 + "broken"
    tickets.edit_ticket(Session(window.store, desk.bob), desk.scanner, 1, subject=long_subject)
    dock = open_ticket(qtbot, window, desk.printer)
    narrow = dock.minimumSizeHint().width()
    open_ticket(qtbot, window, desk.scanner)
    assert dock.minimumSizeHint().width() == narrow
    assert dock.title.full.endswith(long_subject)
    assert dock.title.text().endswith("…")
