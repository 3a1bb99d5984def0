"""Light and dark: follow the desktop's colour scheme, or a scheme the user chose.

ticketdesk draws with Qt's Fusion style, which takes the desktop's light or dark palette (Qt 6.5+
asks the desktop portal) and follows it when it changes. The user can force Light or Dark from
View ▸ Colour Scheme (remembered), and tests and screenshot scripts set the environment variable
TICKETDESK_COLOR_SCHEME=light|dark|system, which wins over the remembered choice.

The few colours of our own (error text; the status and priority icons, which keep 3:1 contrast on
both palettes) are chosen from the palette the widget actually has, never hard-coded for one.
"""

from __future__ import annotations

import os
from enum import StrEnum

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QWidget

from ticketdesk.ui.settings import COLOR_SCHEME

ENV_SCHEME = "TICKETDESK_COLOR_SCHEME"
STYLE = "Fusion"

ERROR_ON_LIGHT = "#b3261e"  # 6:1 on the light window colour
ERROR_ON_DARK = "#ff8a80"  # 5.7:1 on the dark window colour


class Scheme(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"

    @classmethod
    def parse(cls, value: object) -> Scheme | None:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            return None


def _palette(colours: dict[QPalette.ColorRole, str],
             disabled: dict[QPalette.ColorRole, str]) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role, colour in disabled.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return palette


R = QPalette.ColorRole


def light_palette() -> QPalette:
    """Fusion's light palette, as Qt gives it on a light desktop."""
    placeholder = QColor("#000000")
    placeholder.setAlpha(128)
    palette = _palette({
        R.Window: "#efefef", R.WindowText: "#000000", R.Base: "#ffffff",
        R.AlternateBase: "#f7f7f7", R.Text: "#000000", R.Button: "#efefef",
        R.ButtonText: "#000000", R.BrightText: "#ffffff", R.Light: "#ffffff",
        R.Midlight: "#cacaca", R.Mid: "#b8b8b8", R.Dark: "#9f9f9f", R.Shadow: "#767676",
        R.Highlight: "#308cc6", R.HighlightedText: "#ffffff", R.Link: "#0b57d0",
        R.LinkVisited: "#6a3ab2", R.ToolTipBase: "#ffffdc", R.ToolTipText: "#000000",
        R.Accent: "#308cc6",
    }, {R.WindowText: "#8c8c8c", R.Text: "#8c8c8c", R.ButtonText: "#8c8c8c",
        R.Base: "#efefef", R.Highlight: "#919191"})
    palette.setColor(R.PlaceholderText, placeholder)
    return palette


def dark_palette() -> QPalette:
    """Fusion's dark palette, as Qt gives it on a dark GNOME desktop, with readable links."""
    placeholder = QColor("#f0f0f0")
    placeholder.setAlpha(128)
    palette = _palette({
        R.Window: "#323232", R.WindowText: "#f0f0f0", R.Base: "#242424",
        R.AlternateBase: "#2b2b2b", R.Text: "#f0f0f0", R.Button: "#323232",
        R.ButtonText: "#f0f0f0", R.BrightText: "#ffffff", R.Light: "#4b4b4b",
        R.Midlight: "#2a2a2a", R.Mid: "#262626", R.Dark: "#212121", R.Shadow: "#191919",
        R.Highlight: "#308cc6", R.HighlightedText: "#f0f0f0", R.Link: "#6cb4ee",
        R.LinkVisited: "#b79ce8", R.ToolTipBase: "#3c3c3c", R.ToolTipText: "#f0f0f0",
        R.Accent: "#308cc6",
    }, {R.WindowText: "#828282", R.Text: "#828282", R.ButtonText: "#828282",
        R.Base: "#323232", R.Highlight: "#5a5a5a"})
    palette.setColor(R.PlaceholderText, placeholder)
    return palette


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the palette in use is a dark one (light text on a dark window)."""
    palette = palette if palette is not None else QGuiApplication.palette()
    return palette.color(R.Window).lightness() < palette.color(R.WindowText).lightness()


def error_colour(palette: QPalette | None = None) -> QColor:
    return QColor(ERROR_ON_DARK if is_dark(palette) else ERROR_ON_LIGHT)


def requested_scheme(settings: QSettings | None) -> Scheme:
    """The environment variable, else the remembered choice, else the desktop's."""
    forced = Scheme.parse(os.environ.get(ENV_SCHEME, ""))
    if forced is not None:
        return forced
    if settings is not None:
        chosen = Scheme.parse(COLOR_SCHEME.read(settings) or Scheme.SYSTEM.value)
        if chosen is not None:
            return chosen
    return Scheme.SYSTEM


def apply_scheme(app: QApplication, scheme: Scheme) -> None:
    """Use Fusion and `scheme`'s palette; SYSTEM goes back to whatever the desktop says."""
    if app.style().name().lower() != STYLE.lower():
        app.setStyle(STYLE)
    hints = app.styleHints()
    if scheme == Scheme.SYSTEM:
        if hasattr(hints, "unsetColorScheme"):  # Qt >= 6.8
            hints.unsetColorScheme()
        app.setPalette(QPalette())  # an empty palette follows the desktop again
        return
    if hasattr(hints, "setColorScheme"):  # tells the desktop too (window decorations)
        hints.setColorScheme(Qt.ColorScheme.Dark if scheme == Scheme.DARK
                             else Qt.ColorScheme.Light)
    app.setPalette(dark_palette() if scheme == Scheme.DARK else light_palette())


class ErrorLabel(QLabel):
    """Plain text in a red that reads well on the palette it is shown on, light or dark."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._recolour()

    def _recolour(self) -> None:
        palette = self.palette()
        wanted = error_colour(palette)
        if palette.color(R.WindowText) != wanted:
            palette.setColor(R.WindowText, wanted)
            self.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._recolour()


def scheme_menu(parent: QWidget, settings: QSettings) -> QMenu:
    """View ▸ Colour Scheme: System, Light, Dark; the choice applies at once and is remembered."""
    translate = QCoreApplication.translate
    menu = QMenu(translate("theme", "Colour &Scheme"), parent)
    menu.setObjectName("colorSchemeMenu")
    group = QActionGroup(menu)
    current = requested_scheme(settings)
    names = {Scheme.SYSTEM: translate("theme", "Follow the &System"),
             Scheme.LIGHT: translate("theme", "&Light"), Scheme.DARK: translate("theme", "&Dark")}
    for scheme, text in names.items():
        action = QAction(text, menu)
        action.setObjectName(f"colorScheme_{scheme.value}")
        action.setCheckable(True)
        action.setChecked(scheme == current)
        action.setData(scheme.value)
        group.addAction(action)
        menu.addAction(action)

    def chosen(action: QAction) -> None:
        scheme = Scheme(action.data())
        COLOR_SCHEME.write(settings, scheme.value)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_scheme(app, scheme)

    group.triggered.connect(chosen)
    return menu
