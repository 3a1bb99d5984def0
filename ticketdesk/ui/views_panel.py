"""Saved views in a side panel (issue 18): the built-in views and the agent's own and shared
ones, each with how many tickets it lists now; click or Enter opens one (filter, sort and
columns), F2 renames, Delete deletes, Ctrl+Up / Ctrl+Down reorder; View ▸ Save as View…
keeps the current list under a name.

Nothing here waits on the database (ticketdesk/ARCHITECTURE.md, "Threading"): the list of
views, their counts and every save run on the panel's own `QueryRunner`. The counts are the
list's own count query (`services/ticket_list.count`), asked again a moment after the desk
changes (debounced), so a burst of changes costs one round. The views are cached here for the
command palette (ui/palette.py), which must answer without a query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.view_spec import ViewSpec
from ticketdesk.services import saved_views
from ticketdesk.services.changes import Changes
from ticketdesk.services.saved_views import View
from ticketdesk.ui.settings import LAST_VIEW
from ticketdesk.ui.ticket_model import COL_SUBJECT
from ticketdesk.ui.worker import QueryRunner

if TYPE_CHECKING:
    from ticketdesk.ui.main_window import MainWindow

LIST, COUNTS, WRITE = "views.list", "views.counts", "views.write"
DEBOUNCE_MS = 400
"""Counts are asked again this long after the last change of a burst."""
KEY_ROLE = Qt.ItemDataRole.UserRole


class ViewsPanel(QWidget):
    viewsLoaded = Signal()
    countsLoaded = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("viewsPanel")
        self.window_ = window
        self.dock = QDockWidget(self)  # `install` puts the panel in it
        self.runner = QueryRunner(window.store, self)
        self.runner.finished.connect(self._answer)
        self.runner.failed.connect(self._failed)
        self.views: list[View] = []
        self.counts: dict[str, int] = {}
        self.current_key: str | None = None
        self._generation = 0
        self._choices_ready = False
        self._restored = False
        self._pending: View | None = None
        self._counting = False
        self._again = False
        self._last_key = LAST_VIEW.for_desk(window.store.location).read(
            window.settings.qsettings)

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("viewsList")
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setAccessibleName(self.tr("Saved views"))
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.tree.itemActivated.connect(lambda item, _c: self.open_key(item.data(0, KEY_ROLE)))
        self.tree.itemClicked.connect(lambda item, _c: self.open_key(item.data(0, KEY_ROLE)))
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.tree)
        # F2, Delete, Ctrl+Up and Ctrl+Down: read before the tree's own use of them (eventFilter).
        self.tree.installEventFilter(self)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh_counts)
        window.hub.changed.connect(self._desk_changed)
        self.reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, modifiers = event.key(), event.modifiers()
            if modifiers == Qt.KeyboardModifier.ControlModifier and key in (
                    Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.move_current(-1 if key == Qt.Key.Key_Up else 1)
                return True
            if modifiers == Qt.KeyboardModifier.NoModifier and key == Qt.Key.Key_F2:
                self.rename_current()
                return True
            if event.matches(QKeySequence.StandardKey.Delete):
                self.delete_current()
                return True
        return super().eventFilter(watched, event)

    # -- reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        store, agent = self.window_.store, self.window_.session.agent_id
        self._generation += 1
        self.runner.submit(LIST, self._generation, lambda: saved_views.list_views(store, agent))

    def refresh_counts(self) -> None:
        """Count every view again, one round at a time: a change during a round asks for one
        more round after it, never interrupts it (at a million tickets a round takes a few
        seconds of a worker thread; a busy desk would otherwise never see it finish)."""
        if not self.views:
            return
        if self._counting:
            self._again = True
            return
        self._counting, self._again = True, False
        store, views, tz = self.window_.store, list(self.views), self.window_.tz
        self._generation += 1
        self.runner.submit(COUNTS, self._generation,
                           lambda: saved_views.counts(store, views, tz))

    def _desk_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.everything or changes.agents:
            self.reload()  # another desktop's shared views, or who "me" is
        elif changes.tickets or changes.created:
            self._debounce.start()

    def _answer(self, channel: str, _generation: int, result: Any) -> None:
        if channel == LIST:
            self.views = result
            self._fill()
            self.viewsLoaded.emit()
            self.refresh_counts()
            self._maybe_restore()
        elif channel == COUNTS:
            self._counted()
            self.counts = result
            self._show_counts()
            self.countsLoaded.emit()
        elif channel == WRITE:
            callback: Callable[[Any], None] | None = result[0]
            if callback is not None:
                callback(result[1])
            self.reload()

    def _counted(self) -> None:
        self._counting = False
        if self._again:
            self._debounce.start()

    def _failed(self, channel: str, _generation: int, error: object) -> None:
        if channel == COUNTS:
            self._counted()
        if channel == WRITE:
            QMessageBox.warning(self, self.tr("Saved views"), str(error))
            self.reload()
        else:
            self.window_.statusBar().showMessage(str(error), 10_000)

    def label(self, view: View) -> str:
        """The name shown: the built-in views' names in the user's language."""
        names = {saved_views.MINE: self.tr("My open tickets"),
                 saved_views.UNASSIGNED: self.tr("Unassigned"), saved_views.ALL: self.tr("All")}
        name = names.get(view.key, view.name)
        if view.shared and view.owner_id != self.window_.session.agent_id:
            return self.tr("{0} (shared)").format(name)
        return name

    def _fill(self) -> None:
        self.tree.clear()
        for view in self.views:
            item = QTreeWidgetItem([self.label(view), ""])
            item.setData(0, KEY_ROLE, view.key)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if view.shared:
                item.setToolTip(0, self.tr("Shared with everyone"))
            self.tree.addTopLevelItem(item)
            if view.key == self.current_key:
                self.tree.setCurrentItem(item)
        self._show_counts()

    def _items(self) -> list[QTreeWidgetItem]:
        found = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in found if item is not None]

    def _show_counts(self) -> None:
        for item in self._items():
            count = self.counts.get(item.data(0, KEY_ROLE))
            item.setText(1, f"{count:,}" if count is not None else "…")

    # -- opening ------------------------------------------------------------------------------

    def choices_ready(self) -> None:
        """The filter bar knows the desk's agents and tags: a view's choices can be shown."""
        self._choices_ready = True
        pending, self._pending = self._pending, None
        if pending is not None:
            self.open_view(pending)
        self._maybe_restore()

    def _maybe_restore(self) -> None:
        if self._restored or not self._choices_ready or not self.views:
            return
        self._restored = True
        if self._last_key and self.view_for(self._last_key) is not None:
            self.open_key(self._last_key)

    def view_for(self, key: str) -> View | None:
        return next((v for v in self.views if v.key == key), None)

    def open_key(self, key: object) -> None:
        view = self.view_for(str(key))
        if view is not None:
            self.open_view(view)

    def open_view(self, view: View) -> None:
        """Show the view's tickets: its columns, its sort (the arrow too), then its filter."""
        window = self.window_
        if not self._choices_ready:
            # The filter bar shows only the choices it knows (agents, tags): until they are
            # read, a view's assignees or tags would be dropped. It opens when they come.
            self._pending = view
            self._restored = True
            return
        spec = view.spec
        if spec.columns:
            apply_columns(window, spec.columns)
        window.table.set_sort(spec.sort)
        window.filter_bar.apply(spec.filter)  # announces it; the model sorts as the table says
        self.current_key = view.key
        LAST_VIEW.for_desk(window.store.location).write(window.settings.qsettings, view.key)
        for item in self._items():
            if item.data(0, KEY_ROLE) == view.key:
                self.tree.setCurrentItem(item)

    # -- changing -----------------------------------------------------------------------------

    def _write(self, fn: Callable[[], Any], then: Callable[[Any], None] | None = None) -> None:
        self.runner.submit_each(WRITE, lambda: (then, fn()))

    def current_spec(self) -> ViewSpec:
        window = self.window_
        return ViewSpec(window.model.ticket_filter, window.table.sort, shown_columns(window))

    def save_current(self) -> None:
        dialog = SaveViewDialog(not self.window_.store.is_sqlite, self)
        if not dialog.exec():
            return
        session, spec = self.window_.session, self.current_spec()
        name, shared = dialog.name.text(), dialog.shared.isChecked()

        def opened(view: View) -> None:
            self.current_key = view.key
            LAST_VIEW.for_desk(self.window_.store.location).write(
                self.window_.settings.qsettings, view.key)

        self._write(lambda: saved_views.save_view(session, name, spec, shared=shared), opened)

    def _current_saved(self) -> View | None:
        item = self.tree.currentItem()
        view = self.view_for(item.data(0, KEY_ROLE)) if item is not None else None
        return view if view is not None and not view.built_in else None

    def rename_current(self) -> None:
        view = self._current_saved()
        if view is None or view.id is None:
            return
        name, ok = QInputDialog.getText(self, self.tr("Rename view"), self.tr("&Name:"),
                                        QLineEdit.EchoMode.Normal, view.name)
        if ok:
            session, view_id = self.window_.session, view.id
            self._write(lambda: saved_views.update_view(session, view_id, name=name))

    def delete_current(self) -> None:
        view = self._current_saved()
        if view is None or view.id is None:
            return
        answer = QMessageBox.question(self, self.tr("Delete view"),
                                      self.tr("Delete the view “{0}”?").format(view.name))
        if answer == QMessageBox.StandardButton.Yes:
            session, view_id = self.window_.session, view.id
            self._write(lambda: saved_views.delete_view(session, view_id))

    def share_current(self, shared: bool) -> None:
        view = self._current_saved()
        if view is not None and view.id is not None:
            session, view_id = self.window_.session, view.id
            self._write(lambda: saved_views.update_view(session, view_id, shared=shared))

    def move_current(self, step: int) -> None:
        view = self._current_saved()
        me = self.window_.session.agent_id
        mine = [v for v in self.views if not v.built_in and v.owner_id == me]
        if view is None or view not in mine:
            return
        at = mine.index(view)
        to = max(0, min(len(mine) - 1, at + step))
        mine.insert(to, mine.pop(at))
        order = [v.id for v in mine if v.id is not None]
        session = self.window_.session
        self.current_key = view.key
        self._write(lambda: saved_views.reorder(session, order))

    def _menu(self, pos: Any) -> None:
        view = self._current_saved()
        menu = QMenu(self)
        menu.addAction(self.tr("&Save Current List as View…"), self.save_current)
        if view is not None and view.owner_id == self.window_.session.agent_id:
            menu.addAction(self.tr("&Rename…"), self.rename_current)
            menu.addAction(self.tr("&Delete"), self.delete_current)
            menu.addAction(self.tr("Move &Up"), lambda: self.move_current(-1))
            menu.addAction(self.tr("Move Do&wn"), lambda: self.move_current(1))
            if not self.window_.store.is_sqlite:
                share = menu.addAction(self.tr("S&hared with Everyone"))
                share.setCheckable(True)
                share.setChecked(view.shared)
                share.toggled.connect(self.share_current)
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def stop(self) -> None:
        self._debounce.stop()
        self.runner.stop()


class SaveViewDialog(QDialog):
    def __init__(self, can_share: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saveViewDialog")
        self.setWindowTitle(self.tr("Save as View"))
        form = QFormLayout(self)
        self.name = QLineEdit(self)
        self.name.setObjectName("viewName")
        form.addRow(self.tr("&Name:"), self.name)
        self.shared = QCheckBox(self.tr("&Share with everyone on this desk"), self)
        self.shared.setObjectName("viewShared")
        self.shared.setVisible(can_share)
        form.addRow(self.shared)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _accept(self) -> None:
        if self.name.text().strip():
            self.accept()


def shown_columns(window: MainWindow) -> tuple[int, ...]:
    header = window.table.horizontalHeader()
    logical = (header.logicalIndex(v) for v in range(header.count()))
    return tuple(c for c in logical if not header.isSectionHidden(c))


def apply_columns(window: MainWindow, columns: tuple[int, ...]) -> None:
    header = window.table.horizontalHeader()
    wanted = [c for c in columns if 0 <= c < header.count()]
    if not wanted:
        return
    for column in range(header.count()):
        header.setSectionHidden(column, column not in wanted and column != COL_SUBJECT)
    for position, column in enumerate(wanted):
        header.moveSection(header.visualIndex(column), position)


def install(window: MainWindow, view_menu: QMenu) -> ViewsPanel:
    """The panel in a dock on the left, and its commands in the View menu."""
    panel = ViewsPanel(window)
    dock = panel.dock
    dock.setParent(window)
    dock.setWindowTitle(QCoreApplication.translate("ViewsPanel", "Views"))
    dock.setObjectName("viewsDock")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    toggle = dock.toggleViewAction()
    toggle.setText(QCoreApplication.translate("ViewsPanel", "Views &Panel"))
    toggle.setShortcut(QKeySequence("Ctrl+Shift+V"))
    toggle.setObjectName("viewsPanelAction")
    save = view_menu.addAction(QCoreApplication.translate("ViewsPanel", "Save as &View…"))
    save.setObjectName("saveViewAction")
    save.setShortcut(QKeySequence("Ctrl+Shift+S"))
    save.triggered.connect(panel.save_current)
    window.addAction(save)
    view_menu.addAction(toggle)
    return panel
