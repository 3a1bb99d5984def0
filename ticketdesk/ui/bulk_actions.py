"""Many tickets at once (issue 18; ticketdesk/ARCHITECTURE.md, "Many tickets at once"): the
bulk actions on the list's selection, in the Edit menu's "Selected Tickets" submenu and the
list's context menu, and Edit ▸ Undo (Ctrl+Z) for the last of them.

Nothing here touches the database: every action runs as a `ui/tasks.Task` on its own thread
(a progress dialog with Cancel shows when it takes longer than a moment), with the selection's
ids (a numpy array; after Ctrl+A the filter's whole id snapshot) and the mark the list's rows
were read at (`TicketTableModel.selection_mark`), so tickets changed since are reported, not
overwritten. The result's undo record goes on a stack; Undo runs it back on a Task too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import bulk, bulk_undo, child, merge, ticket_list
from ticketdesk.services.bulk import Action, BulkChange, BulkResult, Selection, UndoRecord
from ticketdesk.services.changes import Changes
from ticketdesk.services.merge import MergeUndo
from ticketdesk.ui.bulk_labels import done_text, tickets_lower, tickets_text, undo_text
from ticketdesk.ui.labels import priority_text, status_text
from ticketdesk.ui.tasks import Task
from ticketdesk.ui.text import plain_box

if TYPE_CHECKING:
    from ticketdesk.ui.main_window import MainWindow

CHOICES = "window.choices"
"""The main window's read of agents and tags (its filter bar's choices), reused here."""
MERGE_MOST = 50
"""Merge offers a target among at most this many selected tickets."""
SHOWN = 10
"""Ticket numbers listed in a collision report (then "and N more")."""


def in_child(fn: Callable[..., Any], session: Any, *args: Any, progress: Any) -> Any:
    """`fn(url, password, agent, *args, progress=...)` in a child process that opens the
    window's desk as its agent: a big selection's work (`bulk.CHILD_FROM`; services/child.py
    says why)."""
    return child.call(fn, *child.desk_of(session.store), session.agent_id, *args,
                      progress=progress, name="ticketdesk-bulk")


@dataclass
class UndoEntry:
    label: str
    record: UndoRecord | MergeUndo


class BulkActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.table = window.table
        self.agents: list[tuple[int, str]] = []
        self.tags: list[str] = []
        self.undo_stack: list[UndoEntry] = []
        self.running: Task | None = None
        self._mark_after = 0
        self.recycle_bin_hook: Callable[[np.ndarray], None] | None = None
        """Set by the recycle bin (records issue): moves the selected tickets there. Until it
        is set, "Move to Recycle Bin" stays disabled."""
        window.reader.finished.connect(self._choices_read)
        self._build()
        self.table.selectionCounted.connect(self._update)
        self.table.contextMenuWanted.connect(self._context_menu)
        self._update()

    # -- actions and menus --------------------------------------------------------------------

    def _make(self, text: str, slot: Callable[[], object], name: str) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    def _build(self) -> None:
        self.select_all_action = self._make(self.tr("Select &All"), self.table.selectAll,
                                              "selectAllAction")
        self.select_all_action.setShortcut(QKeySequence(QKeySequence.StandardKey.SelectAll))
        self.select_all_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.select_all_action)
        self.undo_action = self._make(self.tr("&Undo"), self.undo, "undoAction")
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.window.addAction(self.undo_action)
        self.close_action = self._make(self.tr("&Close Tickets"),
                                         lambda: self.run(BulkChange(Action.CLOSE)),
                                         "bulkCloseAction")
        self.tag_action = self._make(self.tr("Add &Tag…"), self.ask_tag, "bulkTagAction")
        self.untag_action = self._make(self.tr("&Remove Tag…"), self.ask_untag,
                                         "bulkUntagAction")
        self.category_action = self._make(self.tr("Set C&ategory…"), self.ask_category,
                                            "bulkCategoryAction")
        self.merge_action = self._make(self.tr("&Merge Into…"), self.ask_merge,
                                         "bulkMergeAction")
        self.link_action = self._make(self.tr("&Link as Related"), self.link_two,
                                        "bulkLinkAction")
        self.delete_action = self._make(self.tr("Move to Recycle &Bin"), self._delete,
                                          "bulkDeleteAction")
        self.menu = QMenu(self.tr("Selected &Tickets"), self.window)
        self.menu.setObjectName("bulkMenu")
        self.status_menu = self.menu.addMenu(self.tr("Set &Status"))
        for s in Status:
            action = self.status_menu.addAction(status_text(s))
            action.triggered.connect(lambda _=False, s=s: self.run(BulkChange(Action.STATUS, s)))
        self.priority_menu = self.menu.addMenu(self.tr("Set &Priority"))
        for p in Priority:
            action = self.priority_menu.addAction(priority_text(p))
            action.triggered.connect(
                lambda _=False, p=p: self.run(BulkChange(Action.PRIORITY, p)))
        self.assign_menu = self.menu.addMenu(self.tr("Assi&gn"))
        self.unassign_menu = self.menu.addMenu(self.tr("U&nassign"))
        self.assign_menu.aboutToShow.connect(lambda: self._fill_agents(self.assign_menu,
                                                                       Action.ASSIGN))
        self.unassign_menu.aboutToShow.connect(lambda: self._fill_agents(self.unassign_menu,
                                                                         Action.UNASSIGN))
        self.menu.addActions([self.tag_action, self.untag_action, self.category_action])
        self.menu.addSeparator()
        self.menu.addActions([self.close_action, self.merge_action, self.link_action])
        self.menu.addSeparator()
        self.menu.addAction(self.delete_action)

    def install(self, edit_menu: QMenu) -> None:
        """Undo first, Select All and the bulk submenu after the Edit menu's entries."""
        first = edit_menu.actions()[0]
        edit_menu.insertAction(first, self.undo_action)
        edit_menu.insertSeparator(first)
        edit_menu.addSeparator()
        edit_menu.addAction(self.select_all_action)
        edit_menu.addMenu(self.menu)

    def _fill_agents(self, menu: QMenu, action: Action) -> None:
        menu.clear()
        for agent_id, name in self.agents:
            item = menu.addAction(name)
            item.triggered.connect(
                lambda _=False, a=agent_id: self.run(BulkChange(action, a)))
        if not self.agents:
            menu.addAction(self.tr("(none yet)")).setEnabled(False)

    def _choices_read(self, channel: str, _generation: int, result: Any) -> None:
        if channel == CHOICES:
            self.agents, self.tags = list(result[0]), list(result[1])

    def _context_menu(self, pos: QPoint) -> None:
        self._update()
        self.menu.popup(pos)

    def _update(self, *_: object) -> None:
        count = self.table.selection_count()
        idle = self.running is None
        for action in (self.close_action, self.tag_action, self.untag_action,
                       self.category_action):
            action.setEnabled(idle and count > 0)
        for menu in (self.status_menu, self.priority_menu, self.assign_menu,
                     self.unassign_menu):
            menu.setEnabled(idle and count > 0)
        self.merge_action.setEnabled(idle and 1 < count <= MERGE_MOST)
        self.link_action.setEnabled(idle and count == 2)
        self.delete_action.setEnabled(idle and count > 0 and self.recycle_bin_hook is not None)
        if self.recycle_bin_hook is None:
            self.delete_action.setToolTip(self.tr("The recycle bin is not available yet."))
        self.undo_action.setEnabled(idle and bool(self.undo_stack))
        self.undo_action.setText(self.tr("&Undo {0}").format(self.undo_stack[-1].label)
                                 if self.undo_stack else self.tr("&Undo"))

    # -- asking -------------------------------------------------------------------------------

    def ask_tag(self) -> None:
        name, ok = QInputDialog.getItem(self.window, self.tr("Add Tag"),
                                        self.tr("Tag to add to the selected tickets:"),
                                        self.tags, 0, True)
        if ok and name.strip():
            self.run(BulkChange(Action.TAG, name))

    def ask_untag(self) -> None:
        name, ok = QInputDialog.getItem(self.window, self.tr("Remove Tag"),
                                        self.tr("Tag to remove from the selected tickets:"),
                                        self.tags, 0, False)
        if ok and name:
            self.run(BulkChange(Action.UNTAG, name))

    def ask_category(self) -> None:
        text, ok = QInputDialog.getText(self.window, self.tr("Set Category"),
                                        self.tr("Category (empty clears it):"))
        if ok:
            self.run(BulkChange(Action.CATEGORY, text))

    def ask_merge(self) -> None:
        ids = [int(i) for i in self.table.selected_ids()]
        current = self.table.selected_ticket()
        names = [format_number(i) for i in ids]
        start = ids.index(current) if current in ids else 0
        chosen, ok = QInputDialog.getItem(
            self.window, self.tr("Merge Tickets"),
            self.tr("Merge the other selected tickets into:"), names, start, False)
        if ok and chosen in names:
            self.merge_into(ids[names.index(chosen)], ids)

    def _delete(self) -> None:
        if self.recycle_bin_hook is not None:
            self.recycle_bin_hook(self.table.selected_ids())

    # -- running ------------------------------------------------------------------------------

    def _selection(self) -> Callable[[], Selection]:
        """What to act on, read now on the GUI thread from memory: the ids (or, after Ctrl+A
        before the snapshot came, the filter to take it from, on the task's thread)."""
        model, mark = self.table.ticket_model, self.table.ticket_model.selection_mark
        if self.table.all_selected and not model.is_complete:
            store, f, sort, tz, now = model.store, model.ticket_filter, model.ticket_sort, \
                model.tz, model.now()
            return lambda: Selection(ticket_list.id_snapshot(store, f, sort, tz, now=now), mark)
        ids = self.table.selected_ids()
        return lambda: Selection(ids, mark)

    def run(self, change: BulkChange) -> Task | None:
        """Apply `change` to the selection on a task; its result is reported and undoable."""
        if self.running is not None or not self.table.selection_count():
            return None
        session, selection = self.window.session, self._selection()
        count = self.table.selection_count()

        def job(progress: Any) -> BulkResult:
            chosen = selection()
            if len(chosen) >= bulk.CHILD_FROM:
                done: BulkResult = in_child(bulk.apply_at, session, chosen, change,
                                            progress=progress)
                return done
            return bulk.apply(session, chosen, change, progress)

        task = Task(self.window.store, self._marked(job), undo_text(change, count), self.window)
        task.done.connect(self._applied)
        return self._start(task)

    def merge_into(self, target: int, ids: list[int]) -> Task | None:
        if self.running is not None:
            return None
        session, sources = self.window.session, [i for i in ids if i != target]
        task = Task(self.window.store,
                    self._marked(lambda _progress: merge.merge(session, target, sources)),
                    self.tr("Merging {0}…").format(tickets_lower(len(sources))), self.window)
        label = self.tr("Merge {0}").format(tickets_text(len(sources)))
        task.done.connect(lambda result: self._merged(label, result))
        return self._start(task)

    def link_two(self) -> Task | None:
        ids = [int(i) for i in self.table.selected_ids()]
        if len(ids) != 2 or self.running is not None:
            return None
        session = self.window.session
        task = Task(self.window.store,
                    self._marked(lambda _progress: merge.link(session, ids[0], ids[1])),
                    self.tr("Linking…"), self.window)
        task.done.connect(self._announce)
        return self._start(task)

    def undo(self) -> Task | None:
        if self.running is not None or not self.undo_stack:
            return None
        entry = self.undo_stack.pop()
        session, record = self.window.session, entry.record
        job: Callable[[Any], Changes]
        if isinstance(record, MergeUndo):
            def job(_progress: Any) -> Changes:
                return merge.undo_merge(session, record)
        else:
            def job(progress: Any) -> Changes:
                if len(record.ids) >= bulk.CHILD_FROM:
                    undone: Changes = in_child(bulk_undo.undo_at, session, record,
                                               progress=progress)
                    return undone
                return bulk_undo.undo(session, record, progress)
        task = Task(self.window.store, self._marked(job),
                    self.tr("Undoing {0}…").format(entry.label), self.window)
        task.done.connect(lambda changes: self._undone(entry, changes))
        return self._start(task)

    def _marked(self, job: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """`job`, then the newest activity id once it is committed: the list's rows are
        re-read after our own change, so the next selection is dated after it (else a quick
        second action would see the first one's rows as changes made meanwhile)."""
        store = self.window.store

        def run(progress: Any) -> Any:
            result = job(progress)
            self._mark_after = bulk.selection_mark(store)
            return result

        return run

    def _start(self, task: Task) -> Task:
        self.running = task
        task.failed.connect(self._failed)
        self._update()
        self.window.run_task(task)
        return task

    def _finished(self) -> None:
        self.running = None
        self._update()

    def _failed(self, error: object) -> None:
        self._finished()
        self.window.show_task_error(self.tr("Not done"), error)

    def _announce(self, changes: Changes) -> None:
        self._finished()
        model = self.table.ticket_model
        model.selection_mark = max(model.selection_mark, self._mark_after)
        self.window.hub.announce(changes, self)

    def _applied(self, result: BulkResult) -> None:
        if result.undo is not None:
            self.undo_stack.append(UndoEntry(undo_text(result.change, result.changed),
                                             result.undo))
        self._announce(result.changes)
        self.window.statusBar().showMessage(done_text(result), 15_000)
        if result.collisions:
            names = ", ".join(format_number(t) for t in result.collisions[:SHOWN])
            more = len(result.collisions) - SHOWN
            box = plain_box(self.window, QMessageBox.Icon.Information, self.tr("Changed meanwhile"),
                            self.tr("{0} changed since you selected them and were left as they "
                                    "are: ").format(tickets_lower(len(result.collisions))) + names
                            + (self.tr(" and {0} more").format(more) if more > 0 else ""))
            box.setObjectName("collisionReport")
            box.open()

    def _merged(self, label: str, result: tuple[Changes, MergeUndo]) -> None:
        changes, record = result
        self.undo_stack.append(UndoEntry(label, record))
        self._announce(changes)

    def _undone(self, entry: UndoEntry, changes: Changes) -> None:
        self._announce(changes)
        self.window.statusBar().showMessage(self.tr("Undone: {0}").format(entry.label), 10_000)
