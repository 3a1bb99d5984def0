"""Colours derived from the palette, so the dock reads in the light and the dark scheme (a fixed
light-yellow strip is unreadable under white-on-dark text), and follows a change of scheme while
the window is open (`Tinted` frames re-colour themselves; the thread rebuilds its document)."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QWidget

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


def banner_style(palette: QPalette, colour: QColor, name: str) -> str:
    """A style sheet for the frame called `name` only (its children keep their own look)."""
    back = tinted(palette, colour, 0.22).name()
    return (f"QFrame#{name} {{ background: {back}; border: 1px solid {colour.name()}; "
            "border-radius: 4px; }")


class Tinted(QFrame):
    """A frame with a faint `colour` background and a border of it, in any scheme."""

    def __init__(self, colour: QColor, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._colour = colour
        self._recolour()

    def _recolour(self) -> None:
        # The application's palette, not the frame's own: the style sheet changes the latter,
        # which would call this again with other colours, forever.
        sheet = banner_style(QApplication.palette(), self._colour, self.objectName())
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in PALETTE_EVENTS:
            self._recolour()

