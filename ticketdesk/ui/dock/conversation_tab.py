"""The Conversation tab: the thread with the customer and the box to answer in.

"Send Reply" (Ctrl+Enter) sends what is typed to the customer; "Log Customer Message"
(Ctrl+Shift+Enter) records something the customer said by phone or mail. Files join the next
message from "Attach Files…" or by dropping them on the thread or the box; they wait per ticket
until sent. The typed text is a draft ("reply") kept through ticket switches and restarts.

When the desk has a mailbox and the customer an address, Send Reply queues the reply for mail
(`outbox.queue_reply`: the message and its outbox row in one transaction) and the thread shows
each mail's state (queued, sent, failed with the reason and Retry); otherwise the reply is only
recorded, and the tab says why it was not mailed. Both facts are read with the thread, on the
dock's query thread (ticketdesk/ARCHITECTURE.md, "Mail").

A role that may not write (a viewer, issue 20) reads the thread and its files; the reply box is
read-only, Send, Log, Attach and a file's Remove… are disabled with the reason, and dropped
files are refused with it.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.attachments import human_size
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import attachments, messages
from ticketdesk.services.attachments import NewFile
from ticketdesk.services.drafts import Draft
from ticketdesk.services.mail import outbox
from ticketdesk.services.mail.outbox import OutboxState
from ticketdesk.services.mail.settings import load_settings
from ticketdesk.services.records import AttachmentRecord, MessageRecord, TicketDetail
from ticketdesk.services.session import Session
from ticketdesk.ui import role_gate
from ticketdesk.ui.dock.attachments import AttachmentActions, describe_file, read_files
from ticketdesk.ui.dock.canned_completer import CannedCompleter
from ticketdesk.ui.dock.chips import ChipRow
from ticketdesk.ui.dock.context import DockContext
from ticketdesk.ui.dock.editors import TextEditor, local_files
from ticketdesk.ui.dock.thread_view import ThreadView
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.theme import ErrorLabel


class ConversationTab(QWidget):
    def __init__(self, dock: DockContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dock = dock
        self.setObjectName("conversationTab")
        self.setAcceptDrops(True)
        self.actions_ = AttachmentActions(dock, self)
        self.messages: list[MessageRecord] = []
        self.files: dict[int, AttachmentRecord] = {}
        self.pending: dict[int, list[NewFile]] = {}
        self.states: dict[int, OutboxState] = {}
        self.mail_ready = False
        """The desk has a mailbox (read with the thread; Send Reply then queues a mail)."""
        self.customer_email = ""
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)

        top = QHBoxLayout()
        self.summary = plain_label("", self)
        self.summary.setObjectName("conversationSummary")
        top.addWidget(self.summary, 1)
        self.files_button = QToolButton(self)
        self.files_button.setObjectName("filesButton")
        self.files_button.setText(self.tr("Files"))
        self.files_button.setToolTip(self.tr("Open or save the files of this conversation"))
        self.files_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.files_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.files_menu = QMenu(self.files_button)
        self.files_menu.aboutToShow.connect(self._fill_files_menu)
        self.files_button.setMenu(self.files_menu)
        top.addWidget(self.files_button)
        column.addLayout(top)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        column.addWidget(self.splitter, 1)
        self.thread_view = ThreadView(self.splitter)
        self.thread_view.attachmentActivated.connect(self._attachment_menu)
        self.thread_view.filesDropped.connect(self.add_files)
        self.thread_view.messageActivated.connect(self.open_message_text)
        self.thread_view.retryRequested.connect(self.retry_mail)
        self.splitter.addWidget(self.thread_view)

        composer = QFrame(self.splitter)
        composer.setObjectName("composer")
        composer.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(composer)
        box.setContentsMargins(4, 4, 4, 4)
        self.reply = TextEditor(composer, accept_files=True)
        self.reply.setObjectName("replyEdit")
        self.reply.setAccessibleName(self.tr("Reply"))
        self.canned = CannedCompleter(self.reply, dock)  # "/" or Ctrl+M: canned responses
        self.reply.setPlaceholderText(self.tr(
            "Write a reply to the customer… (Ctrl+Enter sends; drop files here to attach)"))
        self.reply.setMinimumHeight(48)
        self.reply.submitted.connect(self.send_reply)
        self.reply.alternate.connect(self.log_customer_message)
        self.reply.filesDropped.connect(self.add_files)
        self.reply.textChanged.connect(self._typed)
        role_gate.gate(self.reply)
        box.addWidget(self.reply)
        self.pending_row = ChipRow(composer, remove_label=self.tr("Do not send {0}"))
        self.pending_row.setObjectName("pendingFiles")
        self.pending_row.removeRequested.connect(self._unattach)
        self.pending_row.hide()
        box.addWidget(self.pending_row)
        self.error = ErrorLabel(composer)
        self.error.setObjectName("composerError")
        self.error.setWordWrap(True)
        self.error.hide()
        box.addWidget(self.error)
        buttons = QHBoxLayout()
        self.attach_button = QPushButton(self.tr("Attach Fi&les…"), composer)
        self.attach_button.setObjectName("attachButton")
        self.attach_button.clicked.connect(self.choose_files)
        buttons.addWidget(self.attach_button)
        buttons.addStretch(1)
        self.log_button = QPushButton(self.tr("Log Customer &Message"), composer)
        self.log_button.setObjectName("logCustomerButton")
        self.log_button.setToolTip(self.tr(
            "Record what the customer said by phone or mail (Ctrl+Shift+Enter)"))
        self.log_button.clicked.connect(self.log_customer_message)
        buttons.addWidget(self.log_button)
        self.send_button = QPushButton(self.tr("&Send Reply"), composer)
        self.send_button.setObjectName("sendButton")
        self.send_button.setToolTip(self.tr("Send to the customer (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.send_reply)
        buttons.addWidget(self.send_button)
        box.addLayout(buttons)
        self.splitter.addWidget(composer)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([600, 150])

    # -- showing ------------------------------------------------------------------------------

    def load(self, ticket: TicketDetail) -> None:
        """Read the thread off the GUI thread; it is drawn when it comes."""
        def read(session: Session) -> tuple[list[MessageRecord], list[AttachmentRecord],
                                            dict[int, OutboxState], bool]:
            return (messages.read_conversation(session, ticket.id),
                    attachments.read_attachments(session, ticket.id),
                    outbox.outbox_states(ticket.id), _mail_ready())

        self.dock.read("conversation", read, lambda answer: self.show_thread(ticket, *answer))

    def show_thread(self, ticket: TicketDetail, found_messages: list[MessageRecord],
                    found: list[AttachmentRecord],
                    states: dict[int, OutboxState] | None = None,
                    mail_ready: bool = False) -> None:
        self.messages = found_messages
        self.files = {a.id: a for a in found}
        self.states = dict(states or {})
        self.mail_ready = mail_ready
        self.customer_email = ticket.customer.email if ticket.customer else ""
        loose = [a for a in found if a.message_id is None]
        customer = ticket.customer.name if ticket.customer else ""
        self.thread_view.show_messages(self.messages, customer, loose, self.states)
        incoming = sum(1 for m in self.messages if m.incoming)
        replies = len(self.messages) - incoming
        self.summary.setText(self.tr("{0} from the customer · {1}").format(
            incoming, self.tr("1 reply") if replies == 1 else self.tr("{0} replies").format(
                replies)) if self.messages else self.tr("No messages yet."))
        self.files_button.setEnabled(bool(self.files))
        self._show_pending()

    def clear(self) -> None:
        self.messages = []
        self.files = {}
        self.states = {}
        self.customer_email = ""
        self.thread_view.clear_thread()
        self.summary.setText("")
        self.reply.clear()
        self.error.hide()

    def restore_drafts(self, found: dict[str, Draft]) -> None:
        """Put the reply draft (or nothing) in the box; called quietly by the dock."""
        draft = found.get("reply")
        text = draft.body if draft else ""
        if self.reply.toPlainText() != text:
            self.reply.setPlainText(text)
            self.reply.moveCursor(self.reply.textCursor().MoveOperation.End)
        self.error.hide()
        self._show_pending()

    def _typed(self) -> None:
        body = self.reply.toPlainText()
        self.dock.keep_draft("reply", body if body.strip() else None)

    # -- sending ------------------------------------------------------------------------------

    def send_reply(self) -> None:
        self._send(incoming=False)

    def log_customer_message(self) -> None:
        self._send(incoming=True)

    def _send(self, *, incoming: bool) -> None:
        tid = self.dock.ticket_id
        if tid is None:
            return
        body = self.reply.toPlainText()
        files = list(self.pending.get(tid, ()))
        session = self.dock.session
        by_mail = not incoming and self.mail_ready and bool(self.customer_email)
        why_not = ""
        if not incoming and not by_mail:
            why_not = (self.tr("Recorded, not sent by mail: no mailbox is connected to this "
                               "desk (Desk ▸ Mail Settings…).") if not self.mail_ready else
                       self.tr("Recorded, not sent by mail: the customer has no email "
                               "address."))

        def done() -> None:
            with self.dock.quiet():
                self.reply.clear()
            self.pending.pop(tid, None)
            self._show_pending()
            self.error.hide()
            self.thread_view.scroll_to_end()
            if why_not:
                self.dock.notify(why_not)

        if by_mail:
            self.dock.append(lambda: outbox.queue_reply(session, tid, body, files=files),
                             done=done, draft="reply", busy=[self.send_button, self.log_button])
            return
        self.dock.append(lambda: messages.add_message(
            session, tid, body, incoming=incoming, files=files), done=done, draft="reply",
            busy=[self.send_button, self.log_button])

    def retry_mail(self, outbox_id: int) -> None:
        """Put a failed mail back in the queue; the background sender takes it next."""
        session = self.dock.session
        self.dock.append(lambda: outbox.retry(session, outbox_id), busy=[self.send_button])

    # -- files waiting to be sent -------------------------------------------------------------

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Attach files"))
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[str]) -> None:
        tid = self.dock.ticket_id
        if tid is None:
            return
        refused = role_gate.reason_for(self, role_gate.WRITE)
        if refused is not None:
            self.dock.notify(refused)
            return
        found, errors = read_files(paths)
        self.pending.setdefault(tid, []).extend(found)
        self._show_pending()
        if errors:
            self.error.setText("\n".join(errors))
            self.error.show()
        else:
            self.error.hide()
        self.reply.setFocus(Qt.FocusReason.OtherFocusReason)

    def _unattach(self, index: object) -> None:
        tid = self.dock.ticket_id
        waiting = self.pending.get(tid, []) if tid is not None else []
        if isinstance(index, int) and 0 <= index < len(waiting):
            del waiting[index]
        self._show_pending()

    def _show_pending(self) -> None:
        tid = self.dock.ticket_id
        waiting = self.pending.get(tid, []) if tid is not None else []
        self.pending_row.set_items([(i, describe_file(f)) for i, f in enumerate(waiting)])
        self.pending_row.setVisible(bool(waiting))

    def pending_count(self) -> int:
        return sum(len(v) for v in self.pending.values())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = local_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.add_files(files)

    # -- stored files -------------------------------------------------------------------------

    def _fill_files_menu(self) -> None:
        self.files_menu.clear()
        for record in self.files.values():
            sub = self.files_menu.addMenu(f"{record.name} ({human_size(record.size)})")
            self._add_file_actions(sub, record)

    def _add_file_actions(self, menu: QMenu, record: AttachmentRecord) -> None:
        menu.addAction(self.tr("&Open"), lambda: self.open_file(record.id))
        menu.addAction(self.tr("&Save As…"), lambda: self.save_file(record.id))
        menu.addSeparator()
        remove = menu.addAction(self.tr("&Remove…"), lambda: self.remove_file(record.id))
        refused = role_gate.reason_for(self, role_gate.WRITE)
        if refused is not None:
            remove.setEnabled(False)
            remove.setToolTip(refused)
            remove.setStatusTip(refused)
            menu.setToolTipsVisible(True)

    def _attachment_menu(self, attachment_id: int, where: QPoint) -> None:
        record = self.files.get(attachment_id)
        if record is None:
            return
        menu = QMenu(self)
        menu.setObjectName("attachmentMenu")
        self._add_file_actions(menu, record)
        menu.popup(where)

    def open_file(self, attachment_id: int) -> None:
        record = self.files.get(attachment_id)
        if record is not None:
            self.actions_.open(record)

    def save_file(self, attachment_id: int) -> None:
        record = self.files.get(attachment_id)
        if record is not None:
            self.actions_.save_as(record)

    def open_message_text(self, message_id: int) -> None:
        """A message too long for the thread, handed whole to the desktop's text viewer."""
        found = next((m for m in self.messages if m.id == message_id), None)
        if found is not None:
            error = self.actions_.open_text(f"message-{message_id}.txt", found.body)
            if error:
                self.dock.notify(error)

    def remove_file(self, attachment_id: int) -> None:
        record = self.files.get(attachment_id)
        if record is None or not self.actions_.confirm_remove(record):
            return
        session = self.dock.session
        self.dock.append(lambda: attachments.remove_attachment(session, attachment_id),
                         busy=[self.files_button])


def _mail_ready() -> bool:
    """True when the desk has mail settings (an unreadable setting counts as none here: the
    mail worker reports it)."""
    try:
        return load_settings() is not None
    except TicketdeskError:
        return False
