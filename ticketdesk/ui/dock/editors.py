"""Text editors for the dock: plain text only, Ctrl+Enter submits, Esc cancels, Tab moves on.

`InlineField` is a value shown read-only with an Edit button that turns into an editor with
Save and Cancel (subject, category, description). While it is open, reloads from elsewhere change
the value behind it but never the text being typed; `base_version` remembers the ticket version
the edit started from, so a save is checked against what the agent actually read.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent, QTextCursor
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.ui.text import plain_label

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _modifiers(event: QKeyEvent) -> Qt.KeyboardModifier:
    """The modifiers that matter (the keypad flag of Enter does not)."""
    return event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier


def local_files(mime: QMimeData) -> list[str]:
    """The local file paths a drag carries (remote URLs are never fetched)."""
    if not mime.hasUrls():
        return []
    urls: list[QUrl] = mime.urls()
    return [u.toLocalFile() for u in urls if u.isLocalFile() and u.toLocalFile()]


class ElidedLabel(QLabel):
    """One line of plain text, cut with "…" to the width it gets (a 300-character subject must
    not widen the dock); the whole text is in `full` and the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.full = ""

    def set_full_text(self, text: str) -> None:
        self.full = text
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideRight,
                                              max(self.width(), 40))
        if shown != self.text():
            self.setText(shown)


POPUP_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Tab,
              Qt.Key.Key_Backtab)


class TextEditor(QPlainTextEdit):
    """Multi-line plain text. Ctrl+Enter emits `submitted`, Ctrl+Shift+Enter `alternate` (log
    the customer's words instead of replying), Esc `cancelled`; dropped files are reported as
    `filesDropped` instead of being pasted as paths."""

    submitted = Signal()
    alternate = Signal()
    cancelled = Signal()
    filesDropped = Signal(list)

    def __init__(self, parent: QWidget | None = None, *, accept_files: bool = False) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._accept_files = accept_files
        self.completion_popup: QWidget | None = None
        """A completer's popup (ui/dock/canned_completer.py): while it shows, the keys that
        choose or close are left to it."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        popup = self.completion_popup
        if popup is not None and popup.isVisible() and event.key() in POPUP_KEYS:
            event.ignore()  # the completer chooses (Enter, Tab) or closes (Esc)
            return
        if event.key() in ENTER and _modifiers(event) in (CTRL, CTRL_SHIFT):
            event.accept()
            if self.isReadOnly():
                return  # nothing to send from a box the signed-in role may not write in
            if _modifiers(event) == CTRL:
                self.submitted.emit()
            else:
                self.alternate.emit()
            return
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            event.accept()
            self.cancelled.emit()
            return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        if self._accept_files and local_files(source):
            return True
        return super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = local_files(source) if self._accept_files else []
        if files:
            self.filesDropped.emit(files)
            return
        if source.hasText():  # plain text only, whatever else the clipboard offers
            self.insertPlainText(source.text())

    def text(self) -> str:
        return self.toPlainText()


class ListCompleter(QCompleter):
    """Completes the last item of a comma-separated list ("billing, ref" → "billing, refund")."""

    def splitPath(self, path: str) -> list[str]:
        return [path.rpartition(",")[2].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        widget = self.widget()
        typed = widget.text() if isinstance(widget, QLineEdit) else ""
        head, comma, _last = typed.rpartition(",")
        chosen = str(super().pathFromIndex(index))
        return f"{head}{comma} {chosen}" if comma else chosen


class LineEditor(QLineEdit):
    """One line. Enter or Ctrl+Enter emits `submitted`, Esc `cancelled`."""

    submitted = Signal()
    cancelled = Signal()

    def _completing(self) -> bool:
        completer = self.completer()
        popup = completer.popup() if completer is not None else None
        return popup is not None and popup.isVisible()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape) \
                and not self._completing():
            event.accept()
            if event.key() == Qt.Key.Key_Escape:
                self.cancelled.emit()
            else:
                self.submitted.emit()
            return
        super().keyPressEvent(event)


class InlineField(QWidget):
    """A value with an Edit button; editing shows an editor with Save and Cancel.

    Signals: `saveRequested(text)` when the user saves (the owner writes and then calls
    `finish_edit()` on success), `editChanged()` whenever the editor opens, closes or its text
    changes (the owner keeps the draft).
    """

    saveRequested = Signal(str)
    editChanged = Signal()

    def __init__(self, *, multiline: bool, name: str, edit_label: str,
                 parent: QWidget | None = None, placeholder: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.multiline = multiline
        self.base_version: int | None = None
        self._value = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)

        view = QWidget(self)
        self.view_page = view
        row = QHBoxLayout(view)
        row.setContentsMargins(0, 0, 0, 0)
        self.view_text: QPlainTextEdit | None = None
        self.label = plain_label("", view)
        if multiline:
            self.view_text = QPlainTextEdit(view)
            self.view_text.setObjectName(name + "View")
            self.view_text.setReadOnly(True)
            self.view_text.setTabChangesFocus(True)
            self.view_text.setPlaceholderText(placeholder)
            self.view_text.setMaximumHeight(160)
            self.view_text.setSizePolicy(QSizePolicy.Policy.Expanding,
                                         QSizePolicy.Policy.Preferred)
            self.label.hide()
            row.addWidget(self.view_text, 1, Qt.AlignmentFlag.AlignTop)
        else:
            self.label.setObjectName(name + "Label")
            self.label.setWordWrap(True)
            self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                               | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            row.addWidget(self.label, 1)
        self.edit_button = QToolButton(view)
        self.edit_button.setObjectName(name + "EditButton")
        self.edit_button.setText(self.tr("Edit"))
        self.edit_button.setToolTip(edit_label)
        self.edit_button.setAccessibleName(edit_label)
        self.edit_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.edit_button.clicked.connect(lambda _c=False: self.begin_edit())
        row.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addWidget(view)

        editing = QWidget(self)
        self.edit_page = editing
        column = QVBoxLayout(editing)
        column.setContentsMargins(0, 0, 0, 0)
        self.editor: TextEditor | LineEditor
        if multiline:
            self.editor = TextEditor(editing)
            self.editor.setMinimumHeight(120)
            self.editor.textChanged.connect(self.editChanged)
        else:
            self.editor = LineEditor(editing)
            self.editor.textEdited.connect(lambda _t: self.editChanged.emit())
        self.editor.setObjectName(name + "Editor")
        self.editor.setPlaceholderText(placeholder)
        self.editor.submitted.connect(self.save)
        self.editor.cancelled.connect(self.cancel_edit)
        column.addWidget(self.editor)
        self.hint = plain_label("", editing)  # what the owner says of the text (set_hint)
        self.hint.setObjectName(name + "Hint")
        self.hint.setWordWrap(True)
        self.hint.hide()
        column.addWidget(self.hint)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"), editing)
        self.cancel_button.setObjectName(name + "CancelButton")
        self.cancel_button.setToolTip(self.tr("Discard this edit (Esc)"))
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.save_button = QPushButton(self.tr("Save"), editing)
        self.save_button.setObjectName(name + "SaveButton")
        self.save_button.setToolTip(self.tr("Save (Ctrl+Enter)"))
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        column.addLayout(buttons)
        outer.addWidget(editing)
        editing.hide()
        self._fit()

    # -- value --------------------------------------------------------------------------------

    def set_value(self, text: str) -> None:
        """Show `text`; an open edit keeps what the user typed."""
        if text == self._value:
            return
        self._value = text
        if self.view_text is not None:
            self.view_text.setPlainText(text)
            self._fit()
        else:
            self.label.setText(text)

    def set_hint(self, text: str) -> None:
        """A line under the editor (what the typed text will be saved as); '' hides it."""
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    def set_max_length(self, length: int) -> None:
        if isinstance(self.editor, LineEditor):
            self.editor.setMaxLength(length)

    def value(self) -> str:
        return self._value

    def _fit(self) -> None:
        """A short description takes a few lines, a long one scrolls inside 160 px."""
        if self.view_text is None:
            return
        lines = max(2, min(8, self._value.count("\n") + 1 + len(self._value) // 70))
        height = self.view_text.fontMetrics().lineSpacing() * lines + 14
        self.view_text.setFixedHeight(min(height, 160))

    # -- editing ------------------------------------------------------------------------------

    @property
    def is_editing(self) -> bool:
        return not self.edit_page.isHidden()

    def editor_text(self) -> str:
        if isinstance(self.editor, TextEditor):
            return self.editor.toPlainText()
        return self.editor.text()

    def begin_edit(self, text: str | None = None, base_version: int | None = None,
                   *, focus: bool = True) -> None:
        """Open the editor on `text` (the current value if None), remembering `base_version`
        (the owner's current version if None: see `TicketDock`)."""
        if not self.is_editing:
            self.base_version = base_version
            value = self._value if text is None else text
            if isinstance(self.editor, TextEditor):
                self.editor.setPlainText(value)
                self.editor.moveCursor(QTextCursor.MoveOperation.End)
            else:
                self.editor.setText(value)
            self.view_page.hide()
            self.edit_page.show()
            self.editChanged.emit()
        if focus:
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(self.editor, LineEditor):
                self.editor.selectAll()

    def cancel_edit(self) -> None:
        if self.is_editing:
            self.finish_edit()
            self.edit_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def finish_edit(self) -> None:
        """Close the editor (after a save succeeded, or on cancel)."""
        was = self.is_editing
        self.edit_page.hide()
        self.view_page.show()
        self.base_version = None
        if was:
            self.editChanged.emit()

    def save(self) -> None:
        if self.is_editing:
            self.saveRequested.emit(self.editor_text())
