"""The ticket dock: everything an agent does to the selected ticket.

Four tabs (Detail, Conversation, Notes, Activity) over one ticket. The GUI thread never waits
on the database (ticketdesk/ARCHITECTURE.md): opening a ticket shows its number and "Loading…"
at once and reads its detail, counts and the agent's drafts on the dock's query thread; the
other tabs load the same way when first shown, each on a channel of its own with a generation,
so an answer for a ticket no longer shown is dropped. The Conversation tab draws 500 messages
in one plain-text document (see thread_view.py).

Writes: every change is ONE service call queued on the dock's write queue (ui/write_queue.py)
through `write` (versioned) or `append` (messages, notes, files: no version); saving.py says how
versions, busy controls, the wait banner with Cancel and conflicts work. The `Changes` is
announced on the hub with this dock as initiator; the main window refreshes the table row from
it. A `ConflictError` is shown in the dock (not a modal box) with who changed what; the agent's
text stays in its editor, and "Reload and Re-apply" runs the same change again on the current
version.

Threads: the dock owns its query thread and its write queue; `shutdown` (called by `close_work`
and at application exit) stops both and closes their connections.

The tabs get this dock as a `DockContext` (context.py) and never import this module.

Changes from elsewhere (another view, or "external": another process) reload what is shown,
but never an open edit, the reply being written or a note being written.

Drafts: see drafts.py. Everything typed is kept per agent and ticket in the database while the
agent types, and restored when the ticket is shown again.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.numbers import format_number
from ticketdesk.services import tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.drafts import Draft
from ticketdesk.services.records import TicketDetail
from ticketdesk.services.session import Session
from ticketdesk.services.ticket_counts import TicketCounts
from ticketdesk.ui import role_gate
from ticketdesk.ui.dock.activity_tab import ActivityTab
from ticketdesk.ui.dock.conflict import ConflictBanner, NoticeBanner, WaitBanner
from ticketdesk.ui.dock.context import Action, Done
from ticketdesk.ui.dock.conversation_tab import ConversationTab
from ticketdesk.ui.dock.detail_tab import DetailTab
from ticketdesk.ui.dock.drafts import DraftKeeper
from ticketdesk.ui.dock.editors import ElidedLabel
from ticketdesk.ui.dock.notes_tab import NotesTab
from ticketdesk.ui.dock.saving import Current, Saver
from ticketdesk.ui.hub import ChangeHub
from ticketdesk.ui.icons import status_icon
from ticketdesk.ui.labels import status_text
from ticketdesk.ui.text import plain_label, plain_tooltip
from ticketdesk.ui.worker import QueryRunner
from ticketdesk.ui.write_queue import WriteQueue

DETAIL, CONVERSATION, NOTES, ACTIVITY = range(4)
CLOSE_WAIT_MS = 15_000
"""How long closing the window waits for drafts still being written (past the busy timeout)."""


def dock_access_keys() -> list[tuple[str, str]]:
    """The dock's keys, for the window's list of shortcuts (Help > Keyboard Shortcuts)."""
    def t(text: str) -> str:
        return QCoreApplication.translate("TicketDock", text)

    return [
        ("Alt+T / Alt+C / Alt+N / Alt+Y", t("Detail, Conversation, Notes, Activity tab")),
        ("Alt+U", t("Status (Detail tab)")),
        ("Alt+P", t("Priority (Detail tab)")),
        ("Alt+O", t("Resolve with a note (Detail tab)")),
        ("Alt+G", t("Change the customer (Detail tab)")),
        ("Alt+L / Alt+M / Alt+S", t("Attach files, log a customer message, send the reply")),
        ("Alt+A", t("Add the note (Notes tab)")),
        ("Alt+I / Alt+R", t("After a conflict: discard my change, reload and re-apply")),
        ("Ctrl+Enter", t("Send the reply, save a note or an edit")),
        ("Ctrl+Shift+Enter", t("Log what the customer said (Conversation tab)")),
        ("Esc", t("Cancel an edit")),
    ]


class TicketDock(QWidget):
    settled = Signal()
    """Every read and save this dock started has been answered (tests wait for this)."""

    def __init__(self, session: Session, hub: ChangeHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketDockContents")
        self._session = session
        self.hub = hub
        self.ticket_id: int | None = None
        self.ticket: TicketDetail | None = None
        self.counts = TicketCounts(0, 0, 0)
        self.reads = QueryRunner(session.store, self)
        self.reads.finished.connect(self._read_done)
        self.reads.failed.connect(self._read_failed)
        self.writes = WriteQueue(session.store, self)
        self.writes.idle.connect(self._maybe_settled)
        self.drafts = DraftKeeper(session, self.writes, self)
        self.drafts.failed.connect(self._draft_failed)
        self.saver = Saver(self)
        self._generation = itertools.count(1)
        self._reading: dict[str, tuple[int, int | None, Callable[[Any], None]]] = {}
        self._quiet = 0
        self._stale: set[int] = set()
        self._stopped = False
        self._build()
        hub.changed.connect(self._changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.pages = QStackedWidget(self)
        outer.addWidget(self.pages)
        self.empty = plain_label(self.empty_text(), self)
        self.empty.setObjectName("dockEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        self.pages.addWidget(self.empty)

        page = QWidget(self)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.status_badge = QLabel(page)
        self.status_badge.setObjectName("statusBadge")
        header.addWidget(self.status_badge)
        self.title = ElidedLabel(page)
        self.title.setObjectName("dockTitle")
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        header.addWidget(self.title, 1)
        column.addLayout(header)
        self.conflict = ConflictBanner(page)
        self.conflict.reapplyRequested.connect(self.saver.reapply)
        self.conflict.discardRequested.connect(self.saver.discard_mine)
        column.addWidget(self.conflict)
        self.notice = NoticeBanner(page)
        column.addWidget(self.notice)
        self.wait_banner = WaitBanner(page)
        self.wait_banner.cancelRequested.connect(self.saver.cancel_waiting)
        column.addWidget(self.wait_banner)

        self.tabs = QTabWidget(page)
        self.tabs.setObjectName("dockTabs")
        self.tabs.setDocumentMode(True)
        self.detail_tab = DetailTab(self, self.tabs)
        self.conversation_tab = ConversationTab(self, self.tabs)
        self.notes_tab = NotesTab(self, self.tabs)
        self.activity_tab = ActivityTab(self, self.tabs)
        self.tabs.addTab(self.detail_tab, self.tr("De&tail"))
        self.tabs.addTab(self.conversation_tab, self.tr("&Conversation"))
        self.tabs.addTab(self.notes_tab, self.tr("&Notes"))
        self.tabs.addTab(self.activity_tab, self.tr("Activit&y"))
        self.tabs.currentChanged.connect(self._tab_shown)
        column.addWidget(self.tabs, 1)
        self.pages.addWidget(page)
        self.content = page
        self.pages.setCurrentWidget(self.empty)

    # -- who is working -----------------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session

    def set_session(self, session: Session) -> None:
        """Another agent works in this window now: keep the first agent's drafts as theirs,
        then show the ticket with the new agent's drafts."""
        self.drafts.set_session(session)
        self._session = session
        ticket_id = self.ticket_id
        self._close_ticket()
        self._open(ticket_id)

    # -- reading ------------------------------------------------------------------------------

    def read(self, channel: str, fn: Callable[[Session], Any],
             show: Callable[[Any], None]) -> None:
        """Run `fn(session)` on the query thread; `show(answer)` here if it is still the newest
        read of `channel` and the same ticket is shown."""
        generation = next(self._generation)
        session = self.session
        self._reading[channel] = (generation, self.ticket_id, show)
        self.reads.submit(channel, generation, lambda: fn(session))

    def _take(self, channel: str, generation: int) -> Callable[[Any], None] | None:
        entry = self._reading.get(channel)
        if entry is None or entry[0] != generation:
            return None
        del self._reading[channel]
        return entry[2] if entry[1] == self.ticket_id else None

    def _read_done(self, channel: str, generation: int, result: object) -> None:
        show = self._take(channel, generation)
        if show is not None:
            show(result)
        self._maybe_settled()

    def _read_failed(self, channel: str, generation: int, exc: object) -> None:
        show = self._take(channel, generation)
        try:
            if show is None:
                return
            if not isinstance(exc, TicketdeskError):
                raise exc if isinstance(exc, BaseException) else RuntimeError(str(exc))
            if channel == "open":
                self.ticket_id = None
                self.empty.setText(str(exc))
                self.pages.setCurrentWidget(self.empty)
            else:
                self.notify(str(exc))
        finally:
            self._maybe_settled()

    def is_idle(self) -> bool:
        """No read or save of this dock is waiting for its answer."""
        return not self._reading and self.writes.is_idle()

    def _maybe_settled(self) -> None:
        if self.is_idle():
            self.settled.emit()

    # -- showing a ticket ---------------------------------------------------------------------

    def set_tag_colors(self, colors: dict[str, str]) -> None:
        """The tags' colours (Desk ▸ Tags…), read by the window with its filter choices."""
        self.detail_tab.tags.set_colors(colors)

    def show_ticket(self, ticket_id: int | None) -> None:
        if ticket_id == self.ticket_id:
            return
        self.drafts.flush()
        self._close_ticket()
        self._open(ticket_id)

    def show_many(self, count: int) -> None:
        """Several tickets are selected in the list: say how many instead of showing one."""
        self.drafts.flush()
        self._close_ticket()
        self._reading.clear()
        self.empty.setText(self.tr("{0} tickets selected").format(f"{count:,}"))
        self.pages.setCurrentWidget(self.empty)
        self._maybe_settled()

    def _close_ticket(self) -> None:
        with self.quiet():
            self.detail_tab.reset_edits()
            self.notes_tab.clear()
            self.conversation_tab.clear()
            self.activity_tab.clear()
        self.conflict.hide()
        self.notice.hide()
        self.saver.forget_retry()
        self.ticket_id = None
        self.ticket = None

    def empty_text(self) -> str:
        return self.tr("Select a ticket in the list to see it here.")

    def _open(self, ticket_id: int | None) -> None:
        self.ticket_id = ticket_id
        self._reading.clear()
        if ticket_id is None:
            self.empty.setText(self.empty_text())
            self.pages.setCurrentWidget(self.empty)
            self._maybe_settled()
            return
        self.pages.setCurrentWidget(self.content)
        self.title.set_full_text(self.tr("{0} · Loading…").format(format_number(ticket_id)))
        self.title.setToolTip("")
        self.status_badge.clear()
        self.detail_tab.show_detail(None)
        self._stale = {CONVERSATION, NOTES, ACTIVITY}
        drafts = self.drafts

        def read(session: Session) -> tuple[TicketDetail, TicketCounts, dict[str, Draft]]:
            ticket, counts = tickets.read_ticket(session, ticket_id)
            return ticket, counts, drafts.read(session, ticket_id)

        self.read("open", read, self._opened)

    def _opened(self, answer: tuple[TicketDetail, TicketCounts, dict[str, Draft]]) -> None:
        ticket, counts, stored = answer
        self._show_detail(ticket, counts)
        found = self.drafts.loaded(ticket.id, stored)
        with self.quiet():
            self.detail_tab.restore_drafts(found)
            self.conversation_tab.restore_drafts(found)
            self.notes_tab.restore_drafts(found)
        self.detail_tab.load_choices()
        self._load_tab(self.tabs.currentIndex())

    def _show_detail(self, ticket: TicketDetail, counts: TicketCounts) -> None:
        self.ticket = ticket
        self.counts = counts
        self.saver.saw_version(ticket)
        self.detail_tab.show_detail(ticket)
        self.title.set_full_text(f"{ticket.number} · {ticket.subject}")
        self.title.setToolTip(plain_tooltip(ticket.subject))
        self.status_badge.setPixmap(status_icon(ticket.status).pixmap(16, 16))
        self.status_badge.setToolTip(status_text(ticket.status))
        self._title_tabs()

    def _title_tabs(self) -> None:
        c = self.counts
        self.tabs.setTabText(CONVERSATION, self.tr("&Conversation ({0})").format(c.messages)
                             if c.messages else self.tr("&Conversation"))
        self.tabs.setTabText(NOTES, self.tr("&Notes ({0})").format(c.notes)
                             if c.notes else self.tr("&Notes"))
        self.tabs.setTabText(ACTIVITY, self.tr("Activit&y ({0})").format(c.activity)
                             if c.activity else self.tr("Activit&y"))

    def _tab_shown(self, index: int) -> None:
        self._load_tab(index)

    def _load_tab(self, index: int) -> None:
        """Bring the tab at `index` up to date if it is stale (tabs load when first shown)."""
        ticket = self.ticket
        if ticket is None or index not in self._stale:
            return
        self._stale.discard(index)
        if index == CONVERSATION:
            self.conversation_tab.load(ticket)
        elif index == NOTES:
            self.notes_tab.load(ticket.id)
        elif index == ACTIVITY:
            self.activity_tab.load(ticket.id)

    def refresh(self, changes: Changes | None = None) -> None:
        """Re-read the ticket after a change (ours or someone else's); what is being typed is
        never touched. `changes` None means anything may have changed."""
        tid = self.ticket_id
        if tid is None:
            return
        c = changes if changes is not None else Changes(everything=True)

        def show(answer: tuple[TicketDetail, TicketCounts]) -> None:
            ticket, counts = answer
            if ticket != self.ticket or counts != self.counts:
                self._show_detail(ticket, counts)
            if c.everything or c.conversation or c.attachments or c.customers or c.agents:
                self._stale.add(CONVERSATION)
            if c.everything or c.notes or c.agents:
                self._stale.add(NOTES)
            self._stale.add(ACTIVITY)
            if c.everything or c.agents:
                self.detail_tab.load_choices()
            self._load_tab(self.tabs.currentIndex())

        if self.ticket is None and "open" in self._reading:
            return  # still opening: that read answers with the newest state
        self.read("detail", lambda session: tickets.read_ticket(session, tid), show)

    def _changed(self, changes: Changes, initiator: object) -> None:
        if changes.everything or changes.tags:  # a category added (here too), renamed...
            self.detail_tab.category_completion.lists_changed()
        tid = self.ticket_id
        if initiator is self or tid is None:
            return
        if changes.everything or tid in changes.touched or changes.customers or changes.agents \
                or changes.tags:  # a tag, category or custom field renamed (issue 19)
            self.refresh(changes)

    # -- writing (saving.py) -------------------------------------------------------------------

    def write(self, action: Action, what: str, *, version: int | None = None,
              current: Current | None = None, done: Done | None = None,
              discard: Done | None = None, draft: str | None = None,
              busy: Sequence[QWidget] = ()) -> None:
        self.saver.write(action, what, version=version, current=current, done=done,
                         discard=discard, draft=draft, busy=busy)

    def append(self, action: Callable[[], Changes], *, done: Done | None = None,
               draft: str | None = None, busy: Sequence[QWidget] = ()) -> None:
        self.saver.append(action, done=done, draft=draft, busy=busy)

    def reapply(self) -> None:
        self.saver.reapply()

    def discard_mine(self) -> None:
        self.saver.discard_mine()

    def reshow(self) -> None:
        if self.ticket is not None:
            self.detail_tab.show_detail(self.ticket)

    def is_busy(self, widget: QWidget) -> bool:
        return self.saver.busy.is_busy(widget)

    def write_refused(self) -> str | None:
        return role_gate.reason_for(self, role_gate.WRITE)

    def notify(self, message: str) -> None:
        self.notice.show_message(message)

    # -- drafts -------------------------------------------------------------------------------

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Editors changed by the dock itself (restoring, clearing) are not new drafts."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def keep_draft(self, kind: str, body: str | None, base_version: int | None = None) -> None:
        if self._quiet or self.ticket_id is None:
            return
        self.drafts.keep(self.ticket_id, kind, body, base_version)

    def discard_draft(self, kind: str) -> None:
        if self.ticket_id is not None:
            self.drafts.discard(self.ticket_id, kind)

    def _draft_failed(self, message: str) -> None:
        self.notify(self.tr("Your unsent text could not be saved yet ({0}); it is kept here and "
                            "saved again shortly.").format(message))

    # -- closing ------------------------------------------------------------------------------

    def close_work(self) -> bool:
        """Before the window closes: write every draft (waiting for it without blocking the
        window). False only if the agent chooses to stay (a draft could not be written, or
        files are waiting to be sent)."""
        self.drafts.flush()
        self.writes.wait_idle(CLOSE_WAIT_MS)
        if self.drafts.has_pending() and not self._ask_close(self.tr(
                "Your unsent text could not be saved: {0}\n\nClose anyway and lose it?")
                .format(self.drafts.last_error or self.tr("the desk is busy"))):
            return False
        waiting = self.conversation_tab.pending_count()
        if waiting and not self._ask_close(self.tr(
                "{0} file(s) are attached to a reply you have not sent. Files are not kept "
                "when the window closes (your text is).\n\nClose anyway?").format(waiting)):
            return False
        self.conversation_tab.actions_.cleanup()
        self.shutdown()
        return True

    def shutdown(self) -> None:
        """Stop the dock's query and write threads (their connections close). Safe twice."""
        if self._stopped:
            return
        self._stopped = True
        self.writes.stop()
        self.reads.stop()

    def _ask_close(self, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Close ticketdesk"), text,
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("closeQuestion")
        box.setTextFormat(Qt.TextFormat.PlainText)
        close = box.addButton(self.tr("Close Anyway"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is close
