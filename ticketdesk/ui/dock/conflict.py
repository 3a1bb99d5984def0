"""Refused saves, shown in the dock without a modal dialog.

`ConflictBanner`: the ticket changed elsewhere since the agent read it. It lists who changed what
(from `ConflictError.changes`), says what the agent's own change was, and offers "Reload and
Re-apply" (the same change on top of the current ticket) or "Discard My Change". The agent's text
stays in its editor the whole time. `NoticeBanner`: any other refusal (bad input, a busy disk),
in the agent's words from the service.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QToolButton, QVBoxLayout, QWidget

from ticketdesk.domain.errors import ConflictError
from ticketdesk.ui.dock.style import ERROR, WARNING, Tinted
from ticketdesk.ui.text import local_time, plain_label


def describe_conflict(error: ConflictError) -> list[str]:
    """Lines naming each change made since the agent read the ticket."""
    return [f"• {c.agent}, {local_time(c.at)}: {c.what}" for c in error.changes]


class ConflictBanner(Tinted):
    reapplyRequested = Signal()
    discardRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(WARNING, "conflictBanner", parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        self.title = plain_label("", self)
        self.title.setObjectName("conflictTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        column.addWidget(self.title)
        self.details = plain_label("", self)
        self.details.setObjectName("conflictDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.details)
        self.mine = plain_label("", self)
        self.mine.setObjectName("conflictMine")
        self.mine.setWordWrap(True)
        column.addWidget(self.mine)
        row = QHBoxLayout()
        row.addStretch(1)
        self.discard_button = QPushButton(self.tr("D&iscard My Change"), self)
        self.discard_button.setObjectName("conflictDiscard")
        self.discard_button.clicked.connect(self.discardRequested)
        self.reapply_button = QPushButton(self.tr("&Reload and Re-apply"), self)
        self.reapply_button.setObjectName("conflictReapply")
        self.reapply_button.clicked.connect(self.reapplyRequested)
        row.addWidget(self.discard_button)
        row.addWidget(self.reapply_button)
        column.addLayout(row)
        self.hide()

    def show_conflict(self, error: ConflictError, what: str) -> None:
        self.title.setText(self.tr("Not saved: {0} was changed by someone else since you "
                                   "opened it.").format(error.number))
        lines = describe_conflict(error)
        self.details.setText("\n".join(lines) if lines else self.tr(
            "(The change is not in the activity trail: it was a note or a customer.)"))
        self.mine.setText(self.tr("Your change: {0}. Your text is kept; re-apply it on top of "
                                  "the current ticket, or discard it.").format(what))
        self.show()
        self.reapply_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def text(self) -> str:
        return "\n".join((self.title.text(), self.details.text(), self.mine.text()))


class NoticeBanner(Tinted):
    """A refusal in plain words, until dismissed or the next successful save."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(ERROR, "noticeBanner", parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        self.label = plain_label("", self)
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.label, 1)
        close = QToolButton(self)
        close.setText("×")
        close.setAutoRaise(True)
        close.setAccessibleName(self.tr("Dismiss"))
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, message: str) -> None:
        self.label.setText(message)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class WaitBanner(Tinted):
    """A save that has waited a moment for the desk's write lock (another program is writing):
    says so, and offers Cancel, which abandons the waiting saves (nothing of them is kept)."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(WARNING, "waitBanner", parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        self.label = plain_label(self.tr("Waiting for another program using this desk…"), self)
        self.label.setObjectName("waitText")
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("waitCancel")
        self.cancel_button.setToolTip(self.tr("Stop waiting; this change is not saved"))
        self.cancel_button.clicked.connect(self.cancelRequested)
        row.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""
