"""Colours derived from the palette, so the dock reads in the system's light and dark themes
(a fixed light-yellow strip is unreadable under white-on-dark text)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

WARNING = QColor("#e0a100")
ERROR = QColor("#d0392b")
INTERNAL = QColor("#d4a017")


def mix(base: QColor, other: QColor, amount: float) -> QColor:
    """`amount` of `other` over `base` (0: base, 1: other)."""
    return QColor(
        round(base.red() + (other.red() - base.red()) * amount),
        round(base.green() + (other.green() - base.green()) * amount),
        round(base.blue() + (other.blue() - base.blue()) * amount),
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tinted(palette: QPalette, colour: QColor, amount: float = 0.18) -> QColor:
    """A background of `colour` faint enough for the palette's text to stay readable."""
    base = palette.color(QPalette.ColorRole.Base)
    return mix(base, colour, amount * (1.4 if is_dark(palette) else 1.0))


def readable(palette: QPalette, colour: QColor) -> QColor:
    """`colour` as a text colour: lightened on dark backgrounds."""
    return colour.lighter(150) if is_dark(palette) else colour


def incoming_background(palette: QPalette) -> QColor:
    return mix(palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text),
               0.08)


def outgoing_background(palette: QPalette) -> QColor:
    return tinted(palette, palette.color(QPalette.ColorRole.Highlight), 0.14)


def banner_style(palette: QPalette, colour: QColor, name: str) -> str:
    """A style sheet for the frame called `name` only (its children keep their own look)."""
    back = tinted(palette, colour, 0.22).name()
    return (f"QFrame#{name} {{ background: {back}; border: 1px solid {colour.name()}; "
            "border-radius: 4px; }")
