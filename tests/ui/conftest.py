"""GUI fixtures: a main window on a desk of each backend, settings in a temporary folder, and
helpers to answer the modal dialogs a user would answer (novelWriter-style)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from ticketdesk.app import build_main_window
from ticketdesk.ui.main_window import MainWindow


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Settings in a file of the test's own, never the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_window(qtbot, db_url: str, settings: QSettings) -> Iterator[Callable[..., MainWindow]]:
    opened: list[MainWindow] = []

    def make(agent: str = "Alice Agent", url: str | None = None) -> MainWindow:
        window = build_main_window(url or db_url, agent_name=agent, settings=settings)
        qtbot.addWidget(window)
        window.show()
        opened.append(window)
        return window

    yield make
    for window in opened:
        window.close()


@pytest.fixture
def window(open_window: Callable[..., MainWindow]) -> MainWindow:
    return open_window()


def wait_listed(qtbot, window: MainWindow) -> None:
    """Wait until the list shows the complete answer for the current filter."""
    qtbot.waitUntil(lambda: window.model.is_complete and window.model.matching is not None
                    and window.model.total is not None, timeout=5000)


def answer_modal(act: Callable[[QWidget], None]) -> None:
    """Run `act` on the next modal dialog as soon as it is open (from inside its exec loop)."""
    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, attempt)
            return
        act(dialog)

    QTimer.singleShot(0, attempt)
