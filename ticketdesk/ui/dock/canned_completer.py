"""Inserting a canned response into the reply or note box (issue 18): type `/` at the start of
a line, or press Ctrl+M anywhere, then a few letters of its title; a small popup offers the
matching responses, Enter or a click inserts one with its placeholders filled.

The responses are read once on the dock's query thread when the box first asks, and again after
the desk changes; the placeholders' values (the customer's first name, the ticket's number, the
agent's name and signature...) are read there too when one is chosen, and the text replaces
what was typed when the answer comes. A response's actions (status, priority, tags) are one
save through the dock's write path. Nothing here waits on the database.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QStringListModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import QAbstractItemView, QCompleter

from ticketdesk.services import canned
from ticketdesk.services.canned import Canned
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.context import DockContext
from ticketdesk.ui.dock.editors import TextEditor

TRIGGER = "/"


class CannedCompleter(QObject):
    """Attached to one `TextEditor` of the dock."""

    edition = 0
    """Raised when the responses change (ui/canned_dialog.py): every box reads them again."""

    @classmethod
    def invalidate(cls) -> None:
        cls.edition += 1

    def __init__(self, editor: TextEditor, dock: DockContext) -> None:
        super().__init__(editor)
        self.editor = editor
        self.dock = dock
        self._anchor: int | None = None
        """Where the typed title starts (the `/`, or the cursor when Ctrl+M was pressed)."""
        self._slash = False
        self.responses: list[Canned] = []
        """The desk's responses as last read."""
        self._loaded = -1  # the edition read
        self._channel = f"canned.{editor.objectName() or id(self)}"
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setWidget(editor)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.activated[str].connect(self.choose)  # type: ignore[index]
        editor.textChanged.connect(self._typed)
        editor.completion_popup = self.completer.popup()
        shortcut = QShortcut(QKeySequence("Ctrl+M"), editor)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.start)

    # -- the list of responses ----------------------------------------------------------------

    def load(self) -> None:
        def read(session: Session) -> list[Canned]:
            return canned.list_canned(session.store)

        edition = CannedCompleter.edition
        self.dock.read(f"{self._channel}.list", read,
                       lambda found: self._loaded_list(found, edition))

    def _loaded_list(self, found: list[Canned], edition: int) -> None:
        self.responses = found
        self._loaded = edition
        self.model.setStringList([c.title for c in found])
        if self._anchor is not None:
            self._typed()

    # -- typing -------------------------------------------------------------------------------

    def start(self) -> None:
        """Ctrl+M: what is typed from here on names a response."""
        if self.editor.isReadOnly():
            return
        self._anchor = self.editor.textCursor().position()
        self._slash = False
        self._show("")

    def _typed(self) -> None:
        cursor = self.editor.textCursor()
        block = cursor.block()
        before = block.text()[:cursor.positionInBlock()]
        if self._anchor is not None and not self._slash:
            if cursor.position() < self._anchor or "\n" in self._between(cursor.position()):
                self._stop()
                return
            self._show(self._between(cursor.position()))
            return
        if before.startswith(TRIGGER) and " " not in before[:1] and "\n" not in before:
            self._anchor = block.position()
            self._slash = True
            self._show(before[len(TRIGGER):])
        elif self._anchor is not None:
            self._stop()

    def _between(self, end: int) -> str:
        text = self.editor.toPlainText()
        return text[self._anchor or 0:end]

    def _show(self, prefix: str) -> None:
        if self._loaded != CannedCompleter.edition:
            self.load()
            return
        self.completer.setCompletionPrefix(prefix)
        if self.completer.completionCount() == 0:
            self._popup().hide()
            return
        rect = self.editor.cursorRect()
        rect.setWidth(max(240, self._popup().sizeHintForColumn(0) + 24))
        self.completer.complete(rect)
        self._popup().setCurrentIndex(self.completer.completionModel().index(0, 0))

    def _popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None
        return popup

    def _stop(self) -> None:
        self._anchor = None
        self._slash = False
        self._popup().hide()

    # -- inserting ----------------------------------------------------------------------------

    def choose(self, title: str) -> None:
        found = next((c for c in self.responses if c.title == title), None)
        anchor, end = self._anchor, self.editor.textCursor().position()
        self._stop()
        ticket_id = self.dock.ticket_id
        if found is None or anchor is None or ticket_id is None:
            return
        typed = self.editor.toPlainText()[anchor:end]

        def read(session: Session) -> str:
            return canned.filled(session.store, found, ticket_id, session.agent_id)

        def insert(text: str) -> None:
            if self.editor.toPlainText()[anchor:end] != typed:
                return  # the box changed meanwhile: insert nothing over someone's words
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(anchor)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(text)
            self.editor.setTextCursor(cursor)
            if found.has_actions:
                self._apply(found, ticket_id)

        self.dock.read(f"{self._channel}.fill", read, insert)

    def _apply(self, response: Canned, ticket_id: int) -> None:
        session = self.dock.session
        what = self.tr("Canned response “{0}”").format(response.title)
        self.dock.write(lambda v: canned.apply_actions(session, ticket_id, v, response), what)
