"""Colours derived from the palette, so the dock reads in the light and the dark scheme (a fixed
light-yellow strip is unreadable under white-on-dark text), and follows a change of scheme while
the window is open (`Tinted` frames paint with the palette they have; the thread rebuilds its
document)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QWidget

from ticketdesk.ui.theme import is_dark

WARNING = QColor("#e0a100")
ERROR = QColor("#d0392b")
INTERNAL = QColor("#d4a017")
PALETTE_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)


def mix(base: QColor, other: QColor, amount: float) -> QColor:
    """`amount` of `other` over `base` (0: base, 1: other)."""
    return QColor(
        round(base.red() + (other.red() - base.red()) * amount),
        round(base.green() + (other.green() - base.green()) * amount),
        round(base.blue() + (other.blue() - base.blue()) * amount),
    )


def tinted(palette: QPalette, colour: QColor, amount: float = 0.18) -> QColor:
    """A background of `colour` faint enough for the palette's text to stay readable."""
    base = palette.color(QPalette.ColorRole.Base)
    return mix(base, colour, amount * (1.4 if is_dark(palette) else 1.0))


def incoming_background(palette: QPalette) -> QColor:
    return mix(palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text),
               0.08)


def outgoing_background(palette: QPalette) -> QColor:
    return tinted(palette, palette.color(QPalette.ColorRole.Highlight), 0.16)


class Tinted(QFrame):
    """A frame with a faint `colour` background and a border of it, in any scheme.

    Painted directly rather than with a style sheet: a style sheet per note card cost about
    10 ms each to polish, which a ticket with a few notes felt."""

    def __init__(self, colour: QColor, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._colour = colour

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self._colour, 1))
        painter.setBrush(tinted(self.palette(), self._colour, 0.22))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        painter.end()
        super().paintEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in PALETTE_EVENTS:
            self.update()
