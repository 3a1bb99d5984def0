"""The Desk menu's commands for the desk's managed records (issue 19): Tags…, Categories…,
Custom Fields…. Each opens its dialog (reads and changes off the GUI thread); what a dialog
changed is announced through the window's `ChangeHub`, so the list, the filter bar and the
dock refresh."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from ticketdesk.services.changes import Changes

if TYPE_CHECKING:
    from ticketdesk.ui.main_window import MainWindow


def add_record_actions(window: MainWindow, menu: QMenu) -> None:
    """Add the three commands to `menu` (the window keeps them as attributes for tests)."""
    from ticketdesk.ui.categories_dialog import CategoriesDialog
    from ticketdesk.ui.custom_fields_dialog import CustomFieldsDialog
    from ticketdesk.ui.tags_dialog import TagsDialog

    def opener(kind: type) -> object:
        def open_dialog() -> None:
            dialog = kind(window.session, lambda changes: _announce(window, changes), window)
            window.record_dialog = dialog
            dialog.exec()
            window.record_dialog = None
            dialog.deleteLater()
        return open_dialog

    for attr, text, name, kind in (
            ("tags_action", QCoreApplication.translate("MainWindow", "&Tags…"), "tagsAction",
             TagsDialog),
            ("categories_action", QCoreApplication.translate("MainWindow", "&Categories…"),
             "categoriesAction", CategoriesDialog),
            ("custom_fields_action", QCoreApplication.translate("MainWindow", "C&ustom Fields…"),
             "customFieldsAction", CustomFieldsDialog)):
        action = QAction(text, window)
        action.setObjectName(name)
        action.triggered.connect(opener(kind))
        menu.addAction(action)
        setattr(window, attr, action)


def _announce(window: MainWindow, changes: Changes) -> None:
    window.hub.announce(changes, window)
