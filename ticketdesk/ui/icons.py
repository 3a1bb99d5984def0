"""Icons for status and priority, so they read at a glance as well as in text.

Colour is never the only signal: every status has its own shape (Open a ring with a dot, In
Progress a half-filled ring, Waiting a pause sign, Resolved a tick on a disc, Closed a tick in a
thin ring), every priority its number of bars (one for Low up to four for Urgent), and the label
is always beside the icon. The SVG files live in resources/icons/; they are vector, so they stay
crisp at any screen scale, and their colours keep at least 3:1 contrast on both the light and
the dark palette.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap

from ticketdesk.domain.sla import SlaState
from ticketdesk.domain.status import Priority, Status
from ticketdesk.ui.resources import app_icon_path, resource_path

STATUS_FILES = {
    Status.OPEN: "open.svg",
    Status.IN_PROGRESS: "in-progress.svg",
    Status.WAITING: "waiting.svg",
    Status.RESOLVED: "resolved.svg",
    Status.CLOSED: "closed.svg",
}
PRIORITY_FILES = {
    Priority.LOW: "low.svg",
    Priority.MEDIUM: "medium.svg",
    Priority.HIGH: "high.svg",
    Priority.URGENT: "urgent.svg",
}
SLA_FILES = {
    SlaState.BREACHED: "breached.svg",
    SlaState.AT_RISK: "at-risk.svg",
    SlaState.ON_TRACK: "on-track.svg",
    SlaState.PAUSED: "paused.svg",
    SlaState.MET: "met.svg",
}


def _with_selected_form(icon: QIcon) -> QIcon:
    """The icon, plus the same shape in the highlighted-text colour for selected rows: drawn on
    the selection's blue, the blue icons (Open, Medium) would vanish."""
    colour = QGuiApplication.palette().color(QPalette.ColorRole.HighlightedText)
    for size in (16, 24, 32):
        plain = icon.pixmap(size, size)
        tinted = QPixmap(plain.size())
        tinted.setDevicePixelRatio(plain.devicePixelRatio())
        tinted.fill(Qt.GlobalColor.transparent)
        painter = QPainter(tinted)
        painter.drawPixmap(0, 0, plain)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(tinted.rect(), colour)
        painter.end()
        icon.addPixmap(tinted, QIcon.Mode.Selected)
    return icon


@cache
def status_icon(status: Status) -> QIcon:
    return _with_selected_form(QIcon(str(resource_path("icons", "status", STATUS_FILES[status]))))


@cache
def priority_icon(priority: Priority) -> QIcon:
    return _with_selected_form(
        QIcon(str(resource_path("icons", "priority", PRIORITY_FILES[priority]))))


@cache
def sla_icon(state: SlaState) -> QIcon | None:
    """The SLA badge's shape (breached an octagon, at risk a triangle, on track a clock, paused
    a pause sign, met a tick); None for a ticket without an SLA."""
    name = SLA_FILES.get(state)
    if name is None:
        return None
    return _with_selected_form(QIcon(str(resource_path("icons", "sla", name))))


def warm_up() -> None:
    """Make every status, priority and SLA icon now (about 0.6 ms each: the SVG read and drawn
    in three sizes, with its selected form), in one idle moment after start, rather than inside
    the first paint that shows each one (a first search that brought five new ones to the
    screen paid for them there)."""
    for status in Status:
        status_icon(status)
    for priority in Priority:
        priority_icon(priority)
    for state in SlaState:
        sla_icon(state)


@cache
def app_icon() -> QIcon:
    return QIcon(str(app_icon_path()))
