"""The Notes tab: internal notes, seen by agents only, each with its author and time.

Notes are tinted and the tab opens with a strip saying they are internal, so nobody mistakes one
for a reply. Editing and deleting go through the services: an edit keeps the old text in the
activity trail; a deletion asks first, and its activity row keeps who and when, not the text.
A note being edited, and a new note being written, are drafts ("note:<id>", "note") like the reply.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.services import notes
from ticketdesk.services.drafts import Draft
from ticketdesk.services.records import NoteRecord
from ticketdesk.ui.dock.canned_completer import CannedCompleter
from ticketdesk.ui.dock.context import DockContext
from ticketdesk.ui.dock.editors import TextEditor
from ticketdesk.ui.dock.style import INTERNAL, Tinted
from ticketdesk.ui.role_gate import OTHERS_NOTES, gate, gate_owned
from ticketdesk.ui.text import local_time, plain_label


def note_kind(note_id: int) -> str:
    return f"note:{note_id}"


class NoteCard(Tinted):
    def __init__(self, tab: NotesTab, note: NoteRecord) -> None:
        super().__init__(INTERNAL, "noteCard", tab.list_widget)
        self.tab = tab
        self.note = note
        self.base_version: int | None = None
        self.gone = False
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        self.header = plain_label("", self)
        self.header.setObjectName("noteHeader")
        self.header.setWordWrap(True)
        top.addWidget(self.header, 1)
        self.edit_button = QToolButton(self)
        self.edit_button.setObjectName("noteEditButton")
        self.edit_button.setText(self.tr("Edit"))
        self.edit_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.edit_button.clicked.connect(lambda _c=False: self.begin_edit())
        self.delete_button = QToolButton(self)
        self.delete_button.setObjectName("noteDeleteButton")
        self.delete_button.setText(self.tr("Delete"))
        self.delete_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.delete_button.clicked.connect(lambda: tab.delete_note(self))
        top.addWidget(self.edit_button)
        top.addWidget(self.delete_button)
        column.addLayout(top)
        self.body = plain_label("", self)
        self.body.setObjectName("noteBody")
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        column.addWidget(self.body)
        self.editor = TextEditor(self)
        self.editor.setObjectName("noteEditor")
        self.editor.setMinimumHeight(90)
        self.editor.submitted.connect(lambda: tab.save_note(self))
        self.editor.cancelled.connect(self.cancel_edit)
        self.editor.textChanged.connect(lambda: tab.note_typed(self))
        column.addWidget(self.editor)
        self.edit_buttons = QWidget(self)
        row = QHBoxLayout(self.edit_buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        cancel = QPushButton(self.tr("Cancel"), self.edit_buttons)
        cancel.setObjectName("noteCancelButton")
        cancel.clicked.connect(self.cancel_edit)
        self.save_button = QPushButton(self.tr("Save"), self.edit_buttons)
        self.save_button.setObjectName("noteSaveButton")
        self.save_button.clicked.connect(lambda: tab.save_note(self))
        row.addWidget(cancel)
        row.addWidget(self.save_button)
        column.addWidget(self.edit_buttons)
        self.editor.hide()
        self.edit_buttons.hide()
        self.set_note(note)

    def set_note(self, note: NoteRecord) -> None:
        self.note = note
        self.gone = False
        self.delete_button.show()
        for button in (self.edit_button, self.delete_button):  # another's: admins only
            gate_owned(button, OTHERS_NOTES, note.author_id)
        edited = note.version > 1 or note.updated_at != note.created_at
        header = f"{note.author} · {local_time(note.created_at)}"
        if edited:
            header += self.tr(" · edited {0}").format(local_time(note.updated_at))
        self.header.setText(self.tr("Internal note · {0}").format(header))
        self.body.setText(note.body)

    def mark_gone(self) -> None:
        """Deleted elsewhere while being edited: keep the text, offer it as a new note."""
        self.gone = True
        self.header.setText(self.tr("This note was deleted by someone else. Your text is kept: "
                                    "Save adds it as a new note."))
        self.delete_button.hide()

    @property
    def is_editing(self) -> bool:
        return not self.editor.isHidden()

    def begin_edit(self, text: str | None = None, base_version: int | None = None,
                   *, focus: bool = True) -> None:
        if not self.is_editing:
            self.base_version = base_version if base_version is not None else self.note.version
            self.editor.setPlainText(self.note.body if text is None else text)
            self.body.hide()
            self.edit_button.hide()
            self.editor.show()
            self.edit_buttons.show()
        if focus:
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def finish_edit(self) -> None:
        self.editor.hide()
        self.edit_buttons.hide()
        self.body.show()
        self.edit_button.show()
        self.base_version = None

    def cancel_edit(self) -> None:
        self.finish_edit()
        self.tab.dock.discard_draft(note_kind(self.note.id))
        if self.gone:
            self.tab.drop_card(self)
        else:
            self.edit_button.setFocus(Qt.FocusReason.OtherFocusReason)


class NotesTab(QWidget):
    def __init__(self, dock: DockContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dock = dock
        self.setObjectName("notesTab")
        self.cards: dict[int, NoteCard] = {}
        self._spare: list[NoteCard] = []  # cards are reused: creating widgets is what costs
        self.pending_drafts: dict[int, Draft] = {}
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        strip = Tinted(INTERNAL, "internalStrip", self)
        strip_row = QHBoxLayout(strip)
        strip_row.setContentsMargins(8, 4, 8, 4)
        self.internal_label = plain_label(self.tr(
            "Internal notes: seen by agents only, never sent to the customer."), strip)
        self.internal_label.setWordWrap(True)
        strip_row.addWidget(self.internal_label)
        column.addWidget(strip)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.list_widget = QWidget(self.scroll_area)
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.empty = plain_label(self.tr("No notes yet."), self.list_widget)
        self.empty.setEnabled(False)
        self.list_layout.addWidget(self.empty)
        self.list_layout.addStretch(1)
        self.scroll_area.setWidget(self.list_widget)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.scroll_area)
        column.addWidget(splitter, 1)

        self.new_note = TextEditor(splitter)
        self.new_note.setObjectName("newNoteEdit")
        self.new_note.setAccessibleName(self.tr("New internal note"))
        self.canned = CannedCompleter(self.new_note, dock)  # "/" or Ctrl+M: canned responses
        self.new_note.setPlaceholderText(self.tr(
            "Add an internal note… (Ctrl+Enter saves; only agents see it)"))
        self.new_note.setMinimumHeight(48)
        self.new_note.submitted.connect(self.add_note)
        self.new_note.textChanged.connect(self._typed)
        gate(self.new_note)  # read-only for a role that may not write (issue 20)
        splitter.addWidget(self.new_note)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([600, 110])
        row = QHBoxLayout()
        row.addStretch(1)
        self.add_button = QPushButton(self.tr("&Add Note"), self)
        self.add_button.setObjectName("addNoteButton")
        self.add_button.setToolTip(self.tr("Save the note (Ctrl+Enter)"))
        self.add_button.clicked.connect(self.add_note)
        row.addWidget(self.add_button)
        column.addLayout(row)

    # -- showing ------------------------------------------------------------------------------

    def load(self, ticket_id: int) -> None:
        """Read the notes off the GUI thread; the cards follow when they come."""
        self.dock.read("notes", lambda session: notes.read_notes(session, ticket_id),
                       self.show_notes)

    def show_notes(self, found: list[NoteRecord]) -> None:
        """Update the list; a card being edited keeps its text (and stays if deleted)."""
        wanted = {n.id for n in found}
        for nid, card in list(self.cards.items()):
            if nid not in wanted:
                if card.is_editing:
                    card.mark_gone()
                else:
                    self.drop_card(card)
        for note in found:
            existing = self.cards.get(note.id)
            if existing is None:
                if self._spare:
                    card = self._spare.pop()
                    card.set_note(note)
                else:
                    card = NoteCard(self, note)
                self.cards[note.id] = card
            elif existing.note != note:
                existing.set_note(note)
        order = [n.id for n in found] + [i for i, c in self.cards.items() if c.gone]
        for index, nid in enumerate(order):
            self.list_layout.removeWidget(self.cards[nid])
            self.list_layout.insertWidget(index, self.cards[nid])
            self.cards[nid].show()
        self.empty.setVisible(not self.cards)
        if self.pending_drafts:
            with self.dock.quiet():
                for nid, draft in list(self.pending_drafts.items()):
                    waiting = self.cards.get(nid)
                    if waiting is not None:
                        waiting.begin_edit(draft.body, draft.base_version, focus=False)
                        del self.pending_drafts[nid]

    def drop_card(self, card: NoteCard) -> None:
        self.cards.pop(card.note.id, None)
        self.list_layout.removeWidget(card)
        card.hide()
        card.finish_edit()
        self._spare.append(card)
        self.empty.setVisible(not self.cards)

    def clear(self) -> None:
        for card in list(self.cards.values()):
            self.drop_card(card)
        self.new_note.clear()
        self.pending_drafts = {}

    def restore_drafts(self, found: dict[str, Draft]) -> None:
        """The new-note box now; edits of notes when the notes are shown."""
        draft = found.get("note")
        text = draft.body if draft else ""
        if self.new_note.toPlainText() != text:
            self.new_note.setPlainText(text)
        self.pending_drafts = {int(kind.partition(":")[2]): d for kind, d in found.items()
                               if kind.startswith("note:")}

    def note_version(self, note_id: int) -> int | None:
        card = self.cards.get(note_id)
        return card.note.version if card is not None and not card.gone else None

    def texts(self) -> list[str]:
        return [c.note.body for c in self.cards.values() if not c.gone]

    # -- drafts -------------------------------------------------------------------------------

    def _typed(self) -> None:
        body = self.new_note.toPlainText()
        self.dock.keep_draft("note", body if body.strip() else None)

    def note_typed(self, card: NoteCard) -> None:
        if card.is_editing:
            self.dock.keep_draft(note_kind(card.note.id), card.editor.toPlainText(),
                                 card.base_version)

    # -- writes -------------------------------------------------------------------------------

    def add_note(self) -> None:
        tid = self.dock.ticket_id
        if tid is None:
            return
        body = self.new_note.toPlainText()
        session = self.dock.session

        def done() -> None:
            with self.dock.quiet():
                self.new_note.clear()

        self.dock.append(lambda: notes.add_note(session, tid, body)[1], done=done,
                         draft="note", busy=[self.add_button])

    def save_note(self, card: NoteCard) -> None:
        tid = self.dock.ticket_id
        if tid is None:
            return
        body = card.editor.toPlainText()
        session, nid = self.dock.session, card.note.id
        kind = note_kind(nid)

        def done() -> None:
            card.finish_edit()
            if card.gone:
                self.drop_card(card)

        if card.gone:
            self.dock.append(lambda: notes.add_note(session, tid, body)[1], done=done,
                             draft=kind, busy=[card.save_button])
            return
        self.dock.write(lambda v: notes.edit_note(session, nid, v, body),
                        self.tr("Edit a note"), version=card.base_version,
                        current=lambda s: notes.note_version(s, nid), done=done, discard=done,
                        draft=kind, busy=[card.save_button])

    def delete_note(self, card: NoteCard) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Delete note"), self.tr(
            "Delete this internal note? The activity trail keeps who deleted it and when, "
            "not its text."),
            QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("deleteNoteQuestion")
        box.setTextFormat(Qt.TextFormat.PlainText)
        delete = box.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not delete:
            return
        session, nid = self.dock.session, card.note.id
        self.dock.write(lambda v: notes.delete_note(session, nid, v),
                        self.tr("Delete a note"), version=card.note.version,
                        current=lambda s: notes.note_version(s, nid),
                        busy=[card.delete_button])
