"""The command palette (Ctrl+K, issue 18): every enabled command of the menus, every saved
view and "go to ticket TKT-…", fuzzy-matched as you type (`domain/fuzzy.py`).

The suggestions come from what the window already holds — its menu bar's actions and the views
panel's cached views — so a keystroke costs no query and the first suggestions show within
milliseconds. A ticket number is looked up on the palette's own `QueryRunner` (off the GUI
thread, ticketdesk/ARCHITECTURE.md "Threading"); its subject joins the suggestion when the
answer comes, and Enter goes to the ticket whether or not it has come yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.fuzzy import rank
from ticketdesk.domain.numbers import format_number, parse_number
from ticketdesk.services import ticket_list
from ticketdesk.services.saved_views import View
from ticketdesk.ui.worker import QueryRunner

if TYPE_CHECKING:
    from ticketdesk.ui.main_window import MainWindow

LOOKUP = "palette.ticket"
LIMIT = 30
ENTRY_ROLE = Qt.ItemDataRole.UserRole
SEPARATOR = " ▸ "


@dataclass(frozen=True)
class Entry:
    kind: str  # "action", "view", "ticket"
    target: Any


def menu_commands(window: QWidget) -> list[tuple[str, QAction]]:
    """Every enabled, visible command of the window's menu bar, labelled with its menu path
    ("View ▸ Analytics"); submenus are walked, their own entries are not commands."""
    found: list[tuple[str, QAction]] = []
    menu_bar = getattr(window, "menuBar", None)
    if menu_bar is None:
        return found

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            label = _plain(action.text())
            sub = action.menu()
            if isinstance(sub, QMenu):
                if sub.isEnabled():
                    walk(sub, f"{path}{SEPARATOR}{label}")
            elif action.isEnabled() and label:
                found.append((f"{path}{SEPARATOR}{label}", action))

    for top in menu_bar().actions():
        sub = top.menu()
        if isinstance(sub, QMenu) and top.isEnabled() and top.isVisible():
            walk(sub, _plain(top.text()))
    return found


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


class CommandPalette(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("commandPalette")
        self.setWindowTitle(self.tr("Command Palette"))
        self.window_ = window
        self.runner: QueryRunner | None = None
        self._generation = 0
        self._found: dict[int, str] = {}
        self.commands: list[tuple[str, QAction]] = []
        self.views: list[View] = []
        column = QVBoxLayout(self)
        self.input = QLineEdit(self)
        self.input.setObjectName("paletteInput")
        self.input.setPlaceholderText(self.tr("Type a command, a view or a ticket number…"))
        self.input.setAccessibleName(self.tr("Command"))
        self.list = QListWidget(self)
        self.list.setObjectName("paletteList")
        self.list.setAccessibleName(self.tr("Suggestions"))
        column.addWidget(self.input)
        column.addWidget(self.list)
        self.resize(560, 380)
        self.input.textChanged.connect(self.suggest)
        self.input.returnPressed.connect(self.run_current)
        self.list.itemActivated.connect(lambda _item: self.run_current())
        self.input.installEventFilter(self)

    def start(self) -> None:
        """Gather the commands and views the window holds now, and show the palette."""
        self.commands = menu_commands(self.window_)
        panel = getattr(self.window_, "views", None)
        self.views = list(panel.views) if panel is not None else []
        self.input.clear()
        self.suggest("")
        self.show()
        self.raise_()
        self.activateWindow()
        self.input.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.input and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown,
                               Qt.Key.Key_PageUp):
                step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10,
                        Qt.Key.Key_PageUp: -10}[Qt.Key(event.key())]
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    # -- suggestions --------------------------------------------------------------------------

    def suggest(self, text: str) -> None:
        self.list.clear()
        number = parse_number(text)
        if number is not None:
            self._add(self._ticket_label(number), Entry("ticket", number))
            self._look_up(number)
        panel = getattr(self.window_, "views", None)
        items: list[tuple[str, Entry]] = [
            (self.tr("View: {0}").format(panel.label(v) if panel else v.name), Entry("view", v))
            for v in self.views]
        items += [(label, Entry("action", action)) for label, action in self.commands]
        for label, entry in rank(text, items, LIMIT):
            item = self._add(label, entry)
            if entry.kind == "action":
                keys = entry.target.shortcut().toString()
                if keys:
                    item.setText(f"{label}    {keys}")
        if self.list.count():
            self.list.setCurrentRow(0)

    def _add(self, label: str, entry: Entry) -> QListWidgetItem:
        item = QListWidgetItem(label, self.list)
        item.setData(ENTRY_ROLE, entry)
        return item

    def _ticket_label(self, number: int) -> str:
        subject = self._found.get(number)
        if subject is None:
            return self.tr("Go to ticket {0}").format(format_number(number))
        return self.tr("Go to ticket {0} — {1}").format(format_number(number), subject)

    def _look_up(self, number: int) -> None:
        if number in self._found:
            return
        if self.runner is None:
            self.runner = QueryRunner(self.window_.store, self)
            self.runner.finished.connect(self._looked_up)
        store = self.window_.store
        self._generation += 1
        self.runner.submit(LOOKUP, self._generation,
                           lambda: (number, ticket_list.rows_by_ids(store, [number])))

    def _looked_up(self, _channel: str, _generation: int, result: Any) -> None:
        number, rows = result
        row = rows.get(number)
        self._found[number] = row.subject if row is not None else self.tr("(no such ticket)")
        for i in range(self.list.count()):
            item = self.list.item(i)
            entry = item.data(ENTRY_ROLE)
            if entry.kind == "ticket" and entry.target == number:
                item.setText(self._ticket_label(number))

    # -- running ------------------------------------------------------------------------------

    def run_current(self) -> None:
        item = self.list.currentItem()
        entry: Entry | None = item.data(ENTRY_ROLE) if item is not None else None
        if entry is None:
            return
        self.hide()
        if entry.kind == "action":
            entry.target.trigger()
        elif entry.kind == "view":
            panel = getattr(self.window_, "views", None)
            if panel is not None:
                self.window_.show_tickets()
                panel.open_view(entry.target)
        elif entry.kind == "ticket":
            go_to_ticket(self.window_, entry.target)

    def stop(self) -> None:
        if self.runner is not None:
            self.runner.stop()


def go_to_ticket(window: MainWindow, ticket_id: int) -> None:
    """Select the ticket in the list if it is listed; otherwise show it in the dock alone."""
    window.show_tickets()
    if not window.table.select_ticket(ticket_id):
        window.ticket_dock.show_ticket(ticket_id)
        window.dock.setWindowTitle(QCoreApplication.translate("CommandPalette", "Ticket {0}")
                                   .format(format_number(ticket_id)))
        window.ticket_keys.update(ticket_id)
    window.dock.show()
