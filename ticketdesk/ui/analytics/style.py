"""The analytics view's colours, taken from the palette the widget has, so every card and chart
reads in the light and the dark scheme and follows a change of scheme while open.

Colour is never the only signal: a change carries ▲/▼ and a sign, the two daily series differ in
line style and marker as well as hue, and every bar has its number written beside it. The hues
are an Okabe–Ito blue/orange pair (told apart with the common colour-vision deficiencies), in a
darker shade on a light background and a lighter one on a dark background; each keeps at least
3:1 against the plot background (4.5:1 for the good/bad text of the cards).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette

from ticketdesk.ui.dock.style import mix
from ticketdesk.ui.theme import ERROR_ON_DARK, ERROR_ON_LIGHT, is_dark

PALETTE_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
R = QPalette.ColorRole


@dataclass(frozen=True)
class ChartColours:
    background: QColor
    text: QColor
    muted: QColor
    """Axis lines, grid and secondary text."""
    grid: QColor
    created: QColor
    closed: QColor
    bar: QColor
    bar_hover: QColor
    bar_inert: QColor
    """Bars that cannot be listed (the "Other" tags)."""


def chart_colours(palette: QPalette) -> ChartColours:
    dark = is_dark(palette)
    background = palette.color(R.Base)
    text = palette.color(R.Text)
    bar = QColor("#5aa9e6" if dark else "#2a74b8")
    return ChartColours(
        background=background,
        text=text,
        muted=mix(background, text, 0.6),
        grid=mix(background, text, 0.14),
        created=QColor("#6cb4ee" if dark else "#1f6fb2"),
        closed=QColor("#f5a25d" if dark else "#b8520a"),
        bar=bar,
        bar_hover=mix(bar, text, 0.35),
        bar_inert=mix(background, text, 0.35),
    )


def change_colour(palette: QPalette, good: bool | None) -> QColor:
    """Green for a change for the better, red for the worse, the text colour otherwise."""
    if good is None:
        return palette.color(R.WindowText)
    dark = is_dark(palette)
    if good:
        return QColor("#81c995" if dark else "#1b7335")
    return QColor(ERROR_ON_DARK if dark else ERROR_ON_LIGHT)


def card_colours(palette: QPalette) -> tuple[QColor, QColor, QColor]:
    """(background, border, muted text) of a card."""
    base = palette.color(R.Base)
    text = palette.color(R.Text)
    return base, mix(base, text, 0.22), mix(base, text, 0.62)
