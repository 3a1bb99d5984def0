"""The strip at the top of the window that says the database server cannot be reached.

It appears only while the connection is really down (a session ended and re-opened at once never
shows it), counts down to the next attempt, and offers "Retry now". While it shows, writes are
refused with a message and whatever the user was typing stays where it is.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

from ticketdesk.ui.text import plain_label, plain_tooltip


class ConnectionBanner(QFrame):
    retryRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.ToolTipBase)
        self.setForegroundRole(self.palette().ColorRole.ToolTipText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        layout.addWidget(icon)
        self.message = plain_label("", self)
        self.message.setObjectName("connectionBannerMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message, 1)
        self.retry_button = QPushButton(self.tr("Retry Now"), self)
        self.retry_button.setObjectName("connectionRetryButton")
        self.retry_button.clicked.connect(self._retry)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.reason = ""
        self._retry_at = 0.0
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_text)
        self.hide()

    def show_lost(self, reason: str, retry_in: float) -> None:
        self.reason = reason
        self._retry_at = time.monotonic() + retry_in
        self._update_text()
        self._tick.start()
        self.show()

    def show_restored(self) -> None:
        self._tick.stop()
        self.reason = ""
        self.hide()

    def _retry(self) -> None:
        self._retry_at = time.monotonic()
        self.message.setText(self.tr("Not connected to the database server. Reconnecting…"))
        self.retryRequested.emit()

    def _update_text(self) -> None:
        seconds = max(0, math.ceil(self._retry_at - time.monotonic()))
        when = (self.tr("Reconnecting…") if seconds == 0 else
                self.tr("Trying again in {0} s.").format(seconds))
        self.message.setText(self.tr(
            "Not connected to the database server. {0} Nothing can be saved until the "
            "connection is back; what you are typing is kept.").format(when))
        self.message.setToolTip(plain_tooltip(self.reason) if self.reason else "")
