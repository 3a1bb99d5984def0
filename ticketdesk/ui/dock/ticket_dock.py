"""The ticket dock: everything an agent does to the selected ticket.

Four tabs (Detail, Conversation, Notes, Activity) over one ticket. Opening a ticket reads its
detail, counts and the agent's drafts (a few indexed queries); the other tabs load when first
shown, so a ticket with 500 messages opens as fast as one with none, and the Conversation tab
draws 500 messages in one plain-text document (see thread_view.py).

Writes: every change calls ONE service function through `write` (with the version this dock
read, or the version an open edit started from) or `append` (messages, notes, files: no
version), then announces the `Changes` on the hub with this dock as initiator; the main window
refreshes the table row from it. A `ConflictError` is shown in the dock (not a modal box) with
who changed what; the agent's text stays in its editor, and "Reload and Re-apply" runs the same
change again on the current version.

Changes from elsewhere (another view, or "external": another process) reload what is shown,
but never an open edit, the reply being written or a note being written.

Drafts: see drafts.py. Everything typed is kept per agent and ticket in the database while the
agent types, and restored when the ticket is shown again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import Qt
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

from ticketdesk.domain.errors import ConflictError, TicketdeskError
from ticketdesk.services import tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import TicketDetail
from ticketdesk.services.session import Session
from ticketdesk.services.ticket_counts import TicketCounts, ticket_counts
from ticketdesk.ui.dock.activity_tab import ActivityTab
from ticketdesk.ui.dock.conflict import ConflictBanner, NoticeBanner
from ticketdesk.ui.dock.conversation_tab import ConversationTab
from ticketdesk.ui.dock.detail_tab import DetailTab
from ticketdesk.ui.dock.drafts import DraftKeeper
from ticketdesk.ui.dock.editors import ElidedLabel
from ticketdesk.ui.dock.notes_tab import NotesTab
from ticketdesk.ui.hub import ChangeHub
from ticketdesk.ui.icons import status_icon
from ticketdesk.ui.labels import status_text
from ticketdesk.ui.text import plain_label, plain_tooltip

DETAIL, CONVERSATION, NOTES, ACTIVITY = range(4)
Action = Callable[[int], Changes]


@dataclass
class _Retry:
    """A refused write, kept so "Reload and Re-apply" can run it again."""

    action: Action
    what: str
    current: Callable[[], int | None] | None
    done: Callable[[], None] | None
    discard: Callable[[], None] | None


class TicketDock(QWidget):
    def __init__(self, session: Session, hub: ChangeHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketDockContents")
        self._session = session
        self.hub = hub
        self.ticket_id: int | None = None
        self.ticket: TicketDetail | None = None
        self.counts = TicketCounts(0, 0, 0)
        self.drafts = DraftKeeper(session, self)
        self.drafts.failed.connect(self._draft_failed)
        self._quiet = 0
        self._stale: set[int] = set()
        self._retry: _Retry | None = None

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
        self.conflict.reapplyRequested.connect(self.reapply)
        self.conflict.discardRequested.connect(self.discard_mine)
        column.addWidget(self.conflict)
        self.notice = NoticeBanner(page)
        column.addWidget(self.notice)

        self.tabs = QTabWidget(page)
        self.tabs.setObjectName("dockTabs")
        self.tabs.setDocumentMode(True)
        self.detail_tab = DetailTab(self)
        self.conversation_tab = ConversationTab(self)
        self.notes_tab = NotesTab(self)
        self.activity_tab = ActivityTab(self)
        self.tabs.addTab(self.detail_tab, self.tr("De&tail"))
        self.tabs.addTab(self.conversation_tab, self.tr("&Conversation"))
        self.tabs.addTab(self.notes_tab, self.tr("&Notes"))
        self.tabs.addTab(self.activity_tab, self.tr("&Activity"))
        self.tabs.currentChanged.connect(self._tab_shown)
        column.addWidget(self.tabs, 1)
        self.pages.addWidget(page)
        self.content = page
        self.pages.setCurrentWidget(self.empty)
        hub.changed.connect(self._changed)

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

    # -- showing a ticket ---------------------------------------------------------------------

    def show_ticket(self, ticket_id: int | None) -> None:
        if ticket_id == self.ticket_id:
            return
        self.drafts.flush()
        self._close_ticket()
        self._open(ticket_id)

    def _close_ticket(self) -> None:
        with self.quiet():
            self.detail_tab.reset_edits()
            self.notes_tab.clear()
            self.conversation_tab.clear()
            self.activity_tab.clear()
        self.conflict.hide()
        self.notice.hide()
        self._retry = None
        self.ticket_id = None
        self.ticket = None

    def empty_text(self) -> str:
        return self.tr("Select a ticket in the list to see it here.")

    def _open(self, ticket_id: int | None) -> None:
        self.ticket_id = ticket_id
        if ticket_id is None:
            self.empty.setText(self.empty_text())
            self.pages.setCurrentWidget(self.empty)
            return
        try:
            with self.session.store.read():
                ticket = tickets.get_ticket(ticket_id)
                counts = ticket_counts(self.session.store, ticket_id)
                found = self.drafts.load(ticket_id)
        except TicketdeskError as exc:
            self.ticket_id = None
            self.empty.setText(str(exc))
            self.pages.setCurrentWidget(self.empty)
            return
        self.pages.setCurrentWidget(self.content)
        self._show_detail(ticket, counts)
        self._stale = {CONVERSATION, NOTES, ACTIVITY}
        with self.quiet():
            self.detail_tab.restore_drafts(found)
            self.conversation_tab.restore_drafts(found)
            self.notes_tab.restore_drafts(found)
        self._load_tab(self.tabs.currentIndex())

    def _show_detail(self, ticket: TicketDetail, counts: TicketCounts) -> None:
        self.ticket = ticket
        self.counts = counts
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
        self.tabs.setTabText(ACTIVITY, self.tr("&Activity ({0})").format(c.activity)
                             if c.activity else self.tr("&Activity"))

    def _tab_shown(self, index: int) -> None:
        self._load_tab(index)

    def _load_tab(self, index: int) -> None:
        """Bring the tab at `index` up to date if it is stale (tabs load when first shown)."""
        ticket = self.ticket
        if ticket is None or index not in self._stale:
            return
        try:
            if index == CONVERSATION:
                self.conversation_tab.load(ticket)
            elif index == NOTES:
                self.notes_tab.load(ticket.id)
            elif index == ACTIVITY:
                self.activity_tab.load(ticket.id)
        except TicketdeskError as exc:
            self.notify(str(exc))
            return
        self._stale.discard(index)

    def refresh(self, changes: Changes | None = None) -> None:
        """Re-read the ticket after a change (ours or someone else's); what is being typed is
        never touched. `changes` None means anything may have changed."""
        tid = self.ticket_id
        if tid is None:
            return
        try:
            with self.session.store.read():
                ticket = tickets.get_ticket(tid)
                counts = ticket_counts(self.session.store, tid)
        except TicketdeskError as exc:  # gone, or the desk is unreachable: say so, keep the rest
            self.notify(str(exc))
            return
        if ticket != self.ticket or counts != self.counts:
            self._show_detail(ticket, counts)
        c = changes if changes is not None else Changes(everything=True)
        if c.everything or c.conversation or c.attachments or c.customers or c.agents:
            self._stale.add(CONVERSATION)
        if c.everything or c.notes or c.agents:
            self._stale.add(NOTES)
        self._stale.add(ACTIVITY)
        self._load_tab(self.tabs.currentIndex())

    def _changed(self, changes: Changes, initiator: object) -> None:
        tid = self.ticket_id
        if initiator is self or tid is None:
            return
        if changes.everything or tid in changes.touched or changes.customers or changes.agents:
            self.refresh(changes)

    # -- writing ------------------------------------------------------------------------------

    def write(self, action: Action, what: str, *, version: int | None = None,
              current: Callable[[], int | None] | None = None,
              done: Callable[[], None] | None = None,
              discard: Callable[[], None] | None = None) -> bool:
        """Run one versioned service call. `version` defaults to the ticket's as shown;
        `current` says which version a re-apply should use (default: the ticket's)."""
        if self.ticket is None:
            return False
        used = version if version is not None else self.ticket.version
        try:
            changes = action(used)
        except ConflictError as exc:
            self._retry = _Retry(action, what, current, done, discard)
            self.notice.hide()
            self.conflict.show_conflict(exc, what)
            return False
        except TicketdeskError as exc:
            self.notify(str(exc))
            return False
        self.conflict.hide()
        self._retry = None
        self._succeeded(changes, done)
        return True

    def append(self, action: Callable[[], Changes], *,
               done: Callable[[], None] | None = None) -> bool:
        """Run one service call that adds to the ticket (no version: appends never conflict)."""
        if self.ticket is None:
            return False
        try:
            changes = action()
        except TicketdeskError as exc:
            self.notify(str(exc))
            return False
        self._succeeded(changes, done)
        return True

    def _succeeded(self, changes: Changes, done: Callable[[], None] | None) -> None:
        self.notice.hide()
        if done is not None:
            done()
        self.refresh(changes)
        self.hub.announce(changes, self)

    def reapply(self) -> None:
        retry, self._retry = self._retry, None
        self.conflict.hide()
        self.refresh()
        if retry is None or self.ticket is None:
            return
        version = retry.current() if retry.current is not None else self.ticket.version
        if version is None:
            self.notify(self.tr("What you changed no longer exists; nothing was saved."))
            return
        self.write(retry.action, retry.what, version=version, current=retry.current,
                   done=retry.done, discard=retry.discard)

    def discard_mine(self) -> None:
        retry, self._retry = self._retry, None
        self.conflict.hide()
        self.refresh()
        if retry is not None and retry.discard is not None:
            retry.discard()

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
        """Before the window closes: write every draft. False only if the agent chooses to stay
        (a draft could not be written, or files are waiting to be sent)."""
        if not self.drafts.flush() and not self._ask_close(self.tr(
                "Your unsent text could not be saved: {0}\n\nClose anyway and lose it?")
                .format(self.drafts.last_error)):
            return False
        waiting = self.conversation_tab.pending_count()
        if waiting and not self._ask_close(self.tr(
                "{0} file(s) are attached to a reply you have not sent. Files are not kept "
                "when the window closes (your text is).\n\nClose anyway?").format(waiting)):
            return False
        self.conversation_tab.actions_.cleanup()
        return True

    def _ask_close(self, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Close ticketdesk"), text,
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("closeQuestion")
        box.setTextFormat(Qt.TextFormat.PlainText)
        close = box.addButton(self.tr("Close Anyway"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is close
