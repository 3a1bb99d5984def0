"""Light and dark: the scheme comes from the environment, else the remembered choice, else the
desktop; our own colours stay readable on both palettes; View > Colour Scheme switches at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QMenu

from ticketdesk.ui import theme
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.settings import COLOR_SCHEME
from ticketdesk.ui.theme import ENV_SCHEME, ErrorLabel, Scheme, apply_scheme, requested_scheme


def contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return (0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF())
                + 0.0722 * channel(c.blueF()))
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The application, put back to the desktop's palette afterwards."""
    yield qapp
    apply_scheme(qapp, Scheme.SYSTEM)


@pytest.fixture
def ini(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "theme.ini"), QSettings.Format.IniFormat)


def test_the_environment_wins_over_the_remembered_choice(
        monkeypatch: pytest.MonkeyPatch, ini: QSettings) -> None:
    monkeypatch.delenv(ENV_SCHEME, raising=False)
    assert requested_scheme(ini) == Scheme.SYSTEM
    ini.setValue(COLOR_SCHEME.key, "dark")
    assert requested_scheme(ini) == Scheme.DARK
    monkeypatch.setenv(ENV_SCHEME, "Light")
    assert requested_scheme(ini) == Scheme.LIGHT
    monkeypatch.setenv(ENV_SCHEME, "purple")  # nonsense is ignored, not an error
    assert requested_scheme(ini) == Scheme.DARK


@pytest.mark.parametrize("scheme", [Scheme.LIGHT, Scheme.DARK])
def test_text_and_error_text_are_readable_on_each_palette(app: QApplication,
                                                          scheme: Scheme) -> None:
    apply_scheme(app, scheme)
    palette = app.palette()
    assert theme.is_dark(palette) == (scheme == Scheme.DARK)
    for background in (palette.color(QPalette.ColorRole.Window),
                       palette.color(QPalette.ColorRole.Base)):
        assert contrast(palette.color(QPalette.ColorRole.Text), background) >= 7
        assert contrast(theme.error_colour(palette), background) >= 4.5
    assert app.style().name().lower() == "fusion"


def test_an_error_label_changes_colour_with_the_scheme(app: QApplication, qtbot) -> None:
    apply_scheme(app, Scheme.LIGHT)
    label = ErrorLabel()
    qtbot.addWidget(label)
    label.setText("<b>not bold</b>")
    assert label.palette().color(QPalette.ColorRole.WindowText) == QColor(theme.ERROR_ON_LIGHT)
    apply_scheme(app, Scheme.DARK)
    qtbot.waitUntil(lambda: label.palette().color(QPalette.ColorRole.WindowText)
                    == QColor(theme.ERROR_ON_DARK))
    assert label.textFormat().name == "PlainText"


def test_view_menu_switches_the_scheme_and_remembers_it(
        app: QApplication, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_SCHEME, raising=False)
    menu = window.findChild(QMenu, "colorSchemeMenu")
    assert menu is not None
    actions = {a.objectName(): a for a in menu.actions()}
    assert set(actions) == {"colorScheme_system", "colorScheme_light", "colorScheme_dark"}
    actions["colorScheme_dark"].trigger()
    assert theme.is_dark(app.palette())
    assert window.settings.qsettings.value(COLOR_SCHEME.key) == "dark"
    actions["colorScheme_system"].trigger()
    assert window.settings.qsettings.value(COLOR_SCHEME.key) == "system"


def test_the_window_can_be_shown_in_both_schemes(
        app: QApplication, open_window: Callable[..., MainWindow], qtbot) -> None:
    for scheme in (Scheme.DARK, Scheme.LIGHT):
        apply_scheme(app, scheme)
        window = open_window()
        qtbot.waitExposed(window)
        assert theme.is_dark(window.palette()) == (scheme == Scheme.DARK)
