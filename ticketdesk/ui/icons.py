"""Colours and small icons for status and priority, so they read at a glance as well as in text
(colour is never the only signal: the label is always beside it)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF

from ticketdesk.domain.status import Priority, Status

STATUS_COLOURS = {
    Status.OPEN: "#1f77d0",
    Status.IN_PROGRESS: "#d98a00",
    Status.WAITING: "#8e44ad",
    Status.RESOLVED: "#2e9d4f",
    Status.CLOSED: "#7f8c8d",
}
PRIORITY_COLOURS = {
    Priority.LOW: "#7f8c8d",
    Priority.MEDIUM: "#1f77d0",
    Priority.HIGH: "#e67e22",
    Priority.URGENT: "#d62728",
}
SIZE = 16


def _canvas() -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(SIZE * 2, SIZE * 2)  # drawn at 2x so it stays crisp on high-DPI screens
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


@cache
def status_icon(status: Status) -> QIcon:
    """A filled dot; Resolved gets a tick shape and Closed a hollow ring, for colour-blind eyes."""
    pixmap, painter = _canvas()
    colour = QColor(STATUS_COLOURS[status])
    rect = QRectF(3, 3, SIZE - 6, SIZE - 6)
    if status == Status.CLOSED:
        painter.setPen(colour)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(rect)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(rect)
        if status == Status.WAITING:
            painter.setBrush(QColor("white"))
            painter.drawEllipse(QRectF(6.5, 6.5, 3, 3))
    painter.end()
    return QIcon(pixmap)


@cache
def priority_icon(priority: Priority) -> QIcon:
    """Rising bars: one for Low up to four for Urgent."""
    pixmap, painter = _canvas()
    colour = QColor(PRIORITY_COLOURS[priority])
    painter.setPen(Qt.PenStyle.NoPen)
    for i in range(4):
        height = 3 + 3 * i
        painter.setBrush(colour if i <= priority else QColor(colour.red(), colour.green(),
                                                               colour.blue(), 50))
        painter.drawRect(QRectF(2 + 3.2 * i, SIZE - 2 - height, 2.4, height))
    if priority == Priority.URGENT:
        painter.setBrush(colour)
        painter.drawPolygon(QPolygonF([QPointF(13, 1), QPointF(15.5, 1), QPointF(14.25, 4)]))
    painter.end()
    return QIcon(pixmap)
