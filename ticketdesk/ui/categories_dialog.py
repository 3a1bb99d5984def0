"""Desk ▸ Categories…: the desk's list of categories with their ticket counts; add, rename,
merge, delete (through `services/categories.py`, off the GUI thread; a rename, merge or delete
rewrites every ticket of the category with an activity row each, with progress and Cancel).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ticketdesk.services import categories
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.record_list_dialog import ListEntry, RecordListDialog


class CategoriesDialog(RecordListDialog):
    def __init__(self, session: Session, announce: Callable[[Changes], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(session, announce, parent)
        self.setObjectName("categoriesDialog")
        self.setWindowTitle(self.tr("Categories"))
        self.table.setObjectName("categoryTable")
        self.new_button = self.add_button(self.tr("&Add…"), "addCategoryButton", self.add)
        self.rename_button = self.add_button(self.tr("&Rename…"), "renameCategoryButton",
                                             self.rename)
        self.merge_button = self.add_button(self.tr("&Merge Into…"), "mergeCategoryButton",
                                            self.merge)
        self.delete_button = self.add_button(self.tr("&Delete…"), "deleteCategoryButton",
                                             self.delete)
        self.finish_buttons()
        self.load()

    def read(self) -> list[ListEntry]:
        return [ListEntry(c.id, c.name, c.tickets)
                for c in categories.list_categories(self.session)]

    def add(self) -> None:
        name = self.ask_text(self.tr("Add Category"), self.tr("Name:"))
        if name is None:
            return
        session = self.session
        self.run(self.tr("Adding the category…"),
                 lambda _progress: categories.add_category(session, name),
                 self.tr("Added “{0}”.").format(name.strip()))

    def rename(self) -> None:
        entry = self.current()
        if entry is None:
            return
        name = self.ask_text(self.tr("Rename Category"), self.tr("New name for “{0}”:").format(
            entry.name), entry.name)
        if name is None:
            return
        session = self.session
        self.run(self.tr("Renaming the category on {0} tickets…").format(f"{entry.tickets:,}"),
                 lambda progress: categories.rename_category(session, entry.id, name,
                                                             progress=progress),
                 self.tr("Renamed “{0}” to “{1}”.").format(entry.name, name.strip()))

    def merge(self) -> None:
        entry = self.current()
        if entry is None:
            return
        others = self.others(entry)
        chosen = self.ask_choice(self.tr("Merge Category"), self.tr(
            "Tickets of “{0}” move to:").format(entry.name), [e.name for e in others])
        if chosen is None:
            return
        target, session = others[chosen], self.session
        self.run(self.tr("Moving {0} tickets…").format(f"{entry.tickets:,}"),
                 lambda progress: categories.merge_categories(session, entry.id, target.id,
                                                              progress=progress),
                 self.tr("Merged “{0}” into “{1}”.").format(entry.name, target.name))

    def delete(self) -> None:
        entry = self.current()
        if entry is None:
            return
        if entry.tickets and not self.confirm(self.tr("Delete Category"), self.tr(
                "{1} tickets are in “{0}”. Clear their category and delete it?").format(
                entry.name, f"{entry.tickets:,}")):
            return
        session = self.session
        self.run(self.tr("Clearing the category of {0} tickets…").format(f"{entry.tickets:,}"),
                 lambda progress: categories.delete_category(session, entry.id,
                                                             progress=progress),
                 self.tr("Deleted “{0}”.").format(entry.name))
