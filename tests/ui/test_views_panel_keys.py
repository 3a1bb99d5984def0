"""The views panel by keyboard (issue 18): F2 renames the selected view, Ctrl+Down moves it,
Delete deletes it after asking; the built-in views cannot be renamed or deleted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox, QWidget

from tests.ui.conftest import answer_modal, wait_listed
from ticketdesk.domain.view_spec import ViewSpec
from ticketdesk.services import saved_views
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.views_panel import KEY_ROLE


def names(window: MainWindow) -> list[str]:
    return [v.name for v in window.views.views if not v.built_in]


def select(window: MainWindow, name: str) -> None:
    tree = window.views.tree
    key = next(v.key for v in window.views.views if v.name == name or (
        v.built_in and window.views.label(v) == name))
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        if item is not None and item.data(0, KEY_ROLE) == key:
            tree.setCurrentItem(item)
    tree.setFocus()


def test_rename_move_and_delete_a_view_by_keyboard(window: MainWindow, qtbot,
                                                   monkeypatch) -> None:
    wait_listed(qtbot, window)
    for name in ("First", "Second"):
        saved_views.save_view(window.session, name, ViewSpec())
    window.views.reload()
    qtbot.waitUntil(lambda: names(window) == ["First", "Second"], timeout=5000)

    def rename(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        edit = dialog.findChild(QLineEdit)
        assert edit is not None
        edit.selectAll()
        qtbot.keyClicks(edit, "Renamed")
        dialog.accept()

    select(window, "First")
    answer_modal(rename)
    qtbot.keyClick(window.views.tree, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: names(window) == ["Renamed", "Second"], timeout=5000)

    select(window, "Renamed")
    qtbot.keyClick(window.views.tree, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: names(window) == ["Second", "Renamed"], timeout=5000)

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    select(window, "Second")
    qtbot.keyClick(window.views.tree, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: names(window) == ["Renamed"], timeout=5000)

    select(window, "All")  # a built-in view: F2 and Delete do nothing
    qtbot.keyClick(window.views.tree, Qt.Key.Key_Delete)
    qtbot.keyClick(window.views.tree, Qt.Key.Key_F2)
    assert QApplication.activeModalWidget() is None
    assert len(window.views.views) == 4
