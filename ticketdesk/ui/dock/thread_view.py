"""The conversation as one read-only plain-text document, oldest first.

One QPlainTextEdit holds the whole thread. Each message is a header block (who, when) and its
body, inserted with `QTextCursor.insertText`, so customer text is never read as HTML and nothing
in it can load a resource. Incoming messages have a neutral background and "◀ Customer" in the
header; replies are tinted and say "Reply ▶"; colour is never the only signal. Attachments are
anchors (`td-attachment:<id>`) whose text is the file name as plain text.

Why not a QTextBrowser with framed bubbles, or one widget per message: at 500 messages the
framed document took 150–250 ms (frames, and a full layout to scroll to the newest message),
and widgets cost more. The plain-text layout lays out only what is on screen, so building and
showing 500 messages takes about 20 ms.

Long texts: a block is laid out whole, and a 1 MB line without spaces took Qt about 50 s (300,000
characters: 4.6 s) every time the tab opened. A body longer than `SHOWN_CHARS` shows its start and
a link, "Open the whole message as text", that hands the full text to the desktop's text viewer
(`messageActivated`); so opening the tab costs the same for any message length.

A reply that went out by mail has a plain-text line under it with its outbox state: queued,
sent, or failed with the server's reason and a "Retry" link (`td-retry:<outbox id>`,
`retryRequested`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QMouseEvent,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QFrame, QPlainTextDocumentLayout, QPlainTextEdit, QWidget

from ticketdesk.domain.attachments import human_size
from ticketdesk.services.mail.outbox import FAILED, QUEUED, SENDING, SENT, OutboxState
from ticketdesk.services.records import AttachmentRecord, MessageRecord
from ticketdesk.ui.dock.editors import local_files
from ticketdesk.ui.dock.style import PALETTE_EVENTS, incoming_background, outgoing_background
from ticketdesk.ui.dock.times import time_formatter
from ticketdesk.ui.text import plain_tooltip

SCHEME = "td-attachment"
MESSAGE_SCHEME = "td-message"
RETRY_SCHEME = "td-retry"
SHOWN_CHARS = 10_000
"""The most of one message body the thread lays out (the rest opens as text)."""


def shown_body(body: str) -> tuple[str, int]:
    """The part of `body` the thread shows, and how many characters are left out."""
    if len(body) <= SHOWN_CHARS:
        return body, 0
    return body[:SHOWN_CHARS], len(body) - SHOWN_CHARS


def attachment_url(attachment_id: int) -> QUrl:
    return QUrl(f"{SCHEME}:{attachment_id}")


def attachment_id(href: str) -> int | None:
    url = QUrl(href)
    if url.scheme() != SCHEME:
        return None
    try:
        return int(url.path())
    except ValueError:
        return None


class ThreadView(QPlainTextEdit):
    attachmentActivated = Signal(int, QPoint)  # attachment id, where (global) to offer actions
    messageActivated = Signal(int)  # message id whose whole text the reader asked for
    filesDropped = Signal(list)
    retryRequested = Signal(int)  # outbox id of a failed mail to send again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadView")
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setTabChangesFocus(True)
        self.setAcceptDrops(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.viewport().setMouseTracking(True)
        self.message_ids: tuple[int, ...] = ()
        self._signature: tuple[Any, ...] = ()
        self._doc: QTextDocument | None = None
        self._shown: tuple[Sequence[MessageRecord], str, Sequence[AttachmentRecord],
                           Mapping[int, OutboxState]] = ((), "", (), {})
        self.setPlaceholderText(self.tr("No messages yet."))

    # -- building -----------------------------------------------------------------------------

    def show_messages(self, messages: Sequence[MessageRecord], customer: str,
                      loose_files: Sequence[AttachmentRecord] = (),
                      states: Mapping[int, OutboxState] | None = None) -> bool:
        """Rebuild the thread; False (and nothing redrawn) when it is unchanged. Keeps the
        reader's place unless they were at the end, where new messages appear. `states` maps
        a message id to its outbox state (replies that went out by mail)."""
        states = dict(states or {})
        signature = (customer, tuple((m.id, m.agent, tuple(a.id for a in m.attachments))
                                     for m in messages), tuple(a.id for a in loose_files),
                     tuple(sorted((k, v.state, v.last_error) for k, v in states.items())))
        if signature == self._signature:
            return False
        bar = self.verticalScrollBar()
        at_end = not self._signature or bar.value() >= bar.maximum() - 1
        previous = bar.value()
        self._signature = signature
        self._shown = (messages, customer, loose_files, states)
        self.message_ids = tuple(m.id for m in messages)
        doc = QTextDocument(self)
        doc.setDocumentLayout(QPlainTextDocumentLayout(doc))
        doc.setUndoRedoEnabled(False)
        doc.setDefaultFont(self.font())
        self._build(doc, messages, customer, loose_files, states)
        old, self._doc = self._doc, doc
        self.setDocument(doc)
        if old is not None:
            old.deleteLater()
        if at_end:
            self.scroll_to_end()
        else:
            bar.setValue(previous)
        return True

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in PALETTE_EVENTS and self._signature:
            self._signature = ()  # the colours are in the document: build it again
            self.show_messages(*self._shown)

    def scroll_to_end(self) -> None:
        self.moveCursor(QTextCursor.MoveOperation.End)
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def clear_thread(self) -> None:
        self._signature = ()
        self.message_ids = ()
        self.setPlainText("")

    def _build(self, doc: QTextDocument, messages: Sequence[MessageRecord], customer: str,
               loose_files: Sequence[AttachmentRecord],
               states: Mapping[int, OutboxState] | None = None) -> None:
        states = states or {}
        palette = self.palette()
        text_colour = palette.color(QPalette.ColorRole.Text)
        muted = QColor(text_colour)
        muted.setAlpha(165)
        incoming = QTextBlockFormat()
        incoming.setBackground(QBrush(incoming_background(palette)))
        outgoing = QTextBlockFormat()
        outgoing.setBackground(QBrush(outgoing_background(palette)))
        gap_block = QTextBlockFormat()

        header = QTextCharFormat()
        header.setFontWeight(QFont.Weight.Bold)
        header.setForeground(text_colour)
        when = QTextCharFormat()
        when.setForeground(muted)
        body = QTextCharFormat()
        body.setForeground(text_colour)
        gap = QTextCharFormat()
        small = QFont(self.font())
        small.setPointSizeF(max(2.0, small.pointSizeF() / 2.5))
        gap.setFont(small)
        link = QTextCharFormat()
        link.setForeground(palette.color(QPalette.ColorRole.Link))
        link.setFontUnderline(True)
        link.setAnchor(True)

        customer_said = (self.tr("◀ Customer · {0}").format(customer) if customer
                         else self.tr("◀ Customer"))
        logged_by = self.tr(" (logged by {0})")
        reply_by = self.tr("Reply · {0} ▶")
        files_label = self.tr("Attached: ")
        when_text = time_formatter()
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        first = True
        if loose_files:
            cursor.setBlockFormat(gap_block)
            cursor.insertText(self.tr("Files on this ticket: "), header)
            self._insert_files(cursor, loose_files, link, when)
            first = False
        for m in messages:
            if m.incoming:
                block = incoming
                who = customer_said if m.agent_id is None else \
                    customer_said + logged_by.format(m.agent)
            else:
                block = outgoing
                who = reply_by.format(m.agent)
            if first:
                cursor.setBlockFormat(block)
                first = False
            else:
                cursor.insertBlock(gap_block, gap)
                cursor.insertBlock(block, header)
            cursor.insertText(who, header)
            cursor.insertText("   " + when_text(m.created_at), when)
            if m.body:
                cursor.insertBlock(block, body)
                shown, left_out = shown_body(m.body)
                cursor.insertText(shown, body)
                if left_out:
                    more = QTextCharFormat(link)
                    more.setAnchorHref(f"{MESSAGE_SCHEME}:{m.id}")
                    cursor.insertBlock(block, body)
                    cursor.insertText(self.tr("… {0} more characters. Open the whole message "
                                              "as text").format(left_out), more)
            if m.attachments:
                cursor.insertBlock(block, body)
                cursor.insertText(files_label, when)
                self._insert_files(cursor, m.attachments, link, when)
            state = states.get(m.id)
            if state is not None:
                cursor.insertBlock(block, body)
                cursor.insertText(self.mail_state_text(state), when)
                if state.state == FAILED:
                    retry = QTextCharFormat(link)
                    retry.setAnchorHref(f"{RETRY_SCHEME}:{state.outbox_id}")
                    cursor.insertText("   ", when)
                    cursor.insertText(self.tr("Retry"), retry)
        cursor.endEditBlock()

    def mail_state_text(self, state: OutboxState) -> str:
        """The line under a mailed reply: what happened to it, in words."""
        if state.state == SENT:
            return self.tr("✉ Sent by mail")
        if state.state == FAILED:
            return self.tr("✉ Not delivered: {0}").format(state.last_error or self.tr(
                "the server refused it"))
        if state.state in (QUEUED, SENDING) and state.last_error:
            return self.tr("✉ Queued, will try again: {0}").format(state.last_error)
        if state.state == SENDING:
            return self.tr("✉ Sending…")
        return self.tr("✉ Queued for mail")

    def state_lines(self) -> list[str]:
        """The mail-state lines shown, top to bottom (what a reader sees under the replies)."""
        return [b.text() for b in _blocks(self.document()) if b.text().startswith("✉")]

    def _insert_files(self, cursor: QTextCursor, found: Sequence[AttachmentRecord],
                      link: QTextCharFormat, size: QTextCharFormat) -> None:
        for i, a in enumerate(found):
            if i:
                cursor.insertText("   ", size)
            fmt = QTextCharFormat(link)
            fmt.setAnchorHref(f"{SCHEME}:{a.id}")
            fmt.setToolTip(plain_tooltip(self.tr("Open or save {0}").format(a.name)))
            cursor.insertText(a.name, fmt)
            cursor.insertText(f" ({human_size(a.size)})", size)

    # -- links --------------------------------------------------------------------------------

    def attachment_at(self, pos: QPoint) -> int | None:
        """The attachment whose name is under `pos` (viewport coordinates)."""
        cursor = self.cursorForPosition(pos)
        fmt = cursor.charFormat()
        if not fmt.isAnchor():
            # the cursor sits after the character hit; look at the one it passed
            cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
            fmt = cursor.charFormat()
        return attachment_id(fmt.anchorHref()) if fmt.isAnchor() else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = self.attachment_at(event.position().toPoint()) is not None
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor if over
                                  else Qt.CursorShape.IBeamCursor)
        super().mouseMoveEvent(event)

    def message_link_at(self, pos: QPoint) -> int | None:
        """The message whose "open as text" link is under `pos` (viewport coordinates)."""
        cursor = self.cursorForPosition(pos)
        for _ in range(2):
            fmt = cursor.charFormat()
            url = QUrl(fmt.anchorHref()) if fmt.isAnchor() else None
            if url is not None and url.scheme() == MESSAGE_SCHEME and url.path().isdigit():
                return int(url.path())
            cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
        return None

    def retry_link_at(self, pos: QPoint) -> int | None:
        """The outbox id whose "Retry" link is under `pos` (viewport coordinates)."""
        cursor = self.cursorForPosition(pos)
        for _ in range(2):
            fmt = cursor.charFormat()
            url = QUrl(fmt.anchorHref()) if fmt.isAnchor() else None
            if url is not None and url.scheme() == RETRY_SCHEME and url.path().isdigit():
                return int(url.path())
            cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
        return None

    def retry_link_rect(self, outbox_id: int) -> Any:
        """Where the "Retry" link of `outbox_id` is drawn (viewport coordinates), or None."""
        href = f"{RETRY_SCHEME}:{outbox_id}"
        doc = self.document()
        cursor = doc.find(self.tr("Retry"))
        while not cursor.isNull():
            if cursor.charFormat().anchorHref() == href:
                cursor.setPosition(cursor.selectionStart() + 1)
                return self.cursorRect(cursor)
            cursor = doc.find(self.tr("Retry"), cursor)
        return None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            retry = self.retry_link_at(event.position().toPoint())
            if retry is not None:
                self.retryRequested.emit(retry)
                return
            message = self.message_link_at(event.position().toPoint())
            if message is not None:
                self.messageActivated.emit(message)
                return
            found = self.attachment_at(event.position().toPoint())
            if found is not None:
                self.attachmentActivated.emit(found, event.globalPosition().toPoint())

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        found = self.attachment_at(event.pos())
        if found is not None:
            self.attachmentActivated.emit(found, event.globalPos())
            return
        super().contextMenuEvent(event)

    # -- drops --------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = local_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.filesDropped.emit(files)
        else:
            event.ignore()


def _blocks(doc: QTextDocument) -> list[Any]:
    found = []
    block = doc.begin()
    while block.isValid():
        found.append(block)
        block = block.next()
    return found
