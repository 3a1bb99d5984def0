"""The main window: filter bar and ticket table in the middle, the ticket dock at the side,
menus with standard shortcuts, counts in the status bar.

The window never waits on the database (ticketdesk/ARCHITECTURE.md): every read it makes runs on
one of its two QueryRunners (`runner` for snapshots and counts, `reader` for what a user waits
on: first pages, rows to paint, the agent's name, the filter choices), and the answers are
routed back to the widgets. File-menu commands live in ui/file_commands.py.

Writes happen through services; each returns a `Changes` that the window announces once on its
`ChangeHub`. Changes made by other processes (another window, the command line) are noticed by
`DeskWatch` (ui/desk_watch.py) and announced the same way.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFrame,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.db.store import Store
from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
from ticketdesk.domain.numbers import format_number
from ticketdesk.services import (
    agent_records,
    agents,
    assignees,
    categories,
    custom_fields,
    customers,
    tag_records,
)
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui import icons
from ticketdesk.ui.availability import AvailabilityButton
from ticketdesk.ui.bulk_actions import BulkActions
from ticketdesk.ui.create_ticket import CreateTicketDialog
from ticketdesk.ui.customer_editor import CustomerEditor
from ticketdesk.ui.customers_view import CustomersView
from ticketdesk.ui.desk_commands import DeskCommands
from ticketdesk.ui.desk_watch import EXTERNAL, DeskWatch
from ticketdesk.ui.dock import TicketDock
from ticketdesk.ui.empty_state import EmptyState, NoMatches
from ticketdesk.ui.file_commands import DEMO_TICKETS, FileCommands
from ticketdesk.ui.filter_bar import FilterBar
from ticketdesk.ui.hub import ChangeHub
from ticketdesk.ui.mail_drop import MailDrop
from ticketdesk.ui.mail_worker import MailWorker
from ticketdesk.ui.record_commands import add_record_actions
from ticketdesk.ui.records_commands import RecordsCommands
from ticketdesk.ui.role_gate import RoleGate
from ticketdesk.ui.settings import (
    TABLE_HEADER,
    TABLE_SORT,
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    AppSettings,
)
from ticketdesk.ui.sla_alerts import SlaAlerts
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.theme import scheme_menu
from ticketdesk.ui.ticket_model import TicketTableModel
from ticketdesk.ui.ticket_table import TicketTable
from ticketdesk.ui.worker import QueryRunner

if TYPE_CHECKING:
    from ticketdesk.ui.import_wizard import ImportWizard
    from ticketdesk.ui.tasks import Task
    from ticketdesk.ui.workload_dialog import WorkloadDialog

CHOICES, AGENT = "window.choices", "window.agent"

PREIMPORT_MS = 1500
"""After start, when the analytics module is loaded (see MainWindow.__init__)."""
WARM_ICONS_MS = 400
"""After start, the list's icons are all made in one idle moment (ui/icons.py `warm_up`)."""
FREEZE_HEAP_MS = 3000
"""After start (after the analytics module is loaded), the objects of the window's start — the
modules, the widgets and their wrappers, alive until it closes — are taken out of the garbage
collector's sight (`gc.freeze`). A full collection walks the whole heap holding Python's lock,
whichever thread happens to trigger it: the longest GUI stalls left behind bulk actions and mail
on a team desk (41-87 ms) were such collections (tests/bench/stall_sampler.py names them).
Objects frozen are never collected, so a process that opens window after window (the test
suite) turns it off with FREEZE_HEAP; an import's end gives the heap back to the collector
(ui/importing.responsive)."""
FREEZE_HEAP = True


FIRST_VIEWS_WIDTH, FIRST_DOCK_WIDTH = 190, 440
"""The docks' widths at the first start, in pixels; after that they come back as left."""


def _sideways(bar: QWidget, parent: QWidget) -> QScrollArea:
    """`bar` in a strip that scrolls sideways when the window is narrower than all its filters
    (900 pixels of them): the window's minimum width is then the docks' and a little list, not
    the filter bar's, so it fits a 1366-pixel laptop screen with both docks open."""
    strip = QScrollArea(parent)
    strip.setObjectName("filterStrip")
    strip.setWidget(bar)
    strip.setWidgetResizable(True)
    strip.setFrameShape(QFrame.Shape.NoFrame)
    strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    strip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    strip.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    strip.setFixedHeight(bar.sizeHint().height()
                         + strip.horizontalScrollBar().sizeHint().height())
    return strip


def _first_size(screen: QSize) -> QSize:
    """The window at the first start: most of the screen, so the list, its filters and both
    docks fit side by side (they need about 1,500 pixels), but never more than the screen."""
    return QSize(min(max(1400, screen.width() * 9 // 10), screen.width()),
                 min(max(820, screen.height() * 9 // 10), screen.height()))


class MainWindow(QMainWindow):
    def __init__(self, store: Store, agent_id: int, settings: AppSettings, *,
                 tz: tzinfo | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.store = store
        self.settings = settings
        self.tz = tz
        self.session = Session(store, agent_id, utc_now)
        self.hub = ChangeHub(self)
        self.runner = QueryRunner(store, self)  # id snapshots, counts
        self.reader = QueryRunner(store, self)  # what a user waits on: never behind a snapshot
        self.sla_alerts = SlaAlerts(self, lambda: self.session, settings.qsettings)
        self._closed = False
        self.successor: MainWindow | None = None
        self._select_when_listed: int | None = None
        self._asked = 0  # generation of the window's own reads (agent name, filter choices)
        self.reader.finished.connect(self._read)
        self.reader.failed.connect(self._read_failed)
        self.files = FileCommands(self)
        self.desk = DeskCommands(self)  # the Desk and Help menus' dialogs
        self.records = RecordsCommands(self)  # delete, erase, recycle bin, agents (issue 19)

        self.model = TicketTableModel(store, self.runner, self, tz, reader=self.reader)
        self.filter_bar = FilterBar(self)
        self.table = TicketTable(self.model, self)
        self.empty_state = EmptyState(self)
        self.no_matches = NoMatches(self)
        self.list_stack = QStackedWidget(self)
        for page in (self.table, self.empty_state, self.no_matches):
            self.list_stack.addWidget(page)
        self.mail_drop = MailDrop(self.list_stack, self.files.import_mail_files,
                                  self.statusBar())
        tickets_page = QWidget(self)
        tickets_page.setObjectName("ticketsPage")
        column = QVBoxLayout(tickets_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(_sideways(self.filter_bar, tickets_page))
        column.addWidget(self.list_stack)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(tickets_page)
        self.setCentralWidget(self.pages)
        self.analytics_view: QWidget | None = None
        self.record_dialog: QWidget | None = None  # Desk ▸ Tags… and its kin, while open
        self.agents_roles_dialog: QDialog | None = None  # Desk ▸ Agents and Roles… (team desk)
        self.workload_dialog: WorkloadDialog | None = None  # Desk ▸ Workload… (not modal)
        self._dock_before_analytics = False
        self.customers_view: CustomersView | None = None  # made on first Ctrl+3

        self.ticket_dock = TicketDock(self.session, self.hub, self)
        self.dock = QDockWidget(self.tr("Ticket"), self)
        self.dock.setObjectName("ticketDock")
        self.dock.setWidget(self.ticket_dock)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QDockWidget.DockWidgetFeature.DockWidgetClosable
                              | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)

        self.count_label = plain_label("", self)
        self.count_label.setObjectName("countLabel")
        self.agent_label = plain_label("", self)
        self.agent_label.setObjectName("agentLabel")
        for label in (self.agent_label, self.count_label):
            label.setContentsMargins(12, 0, 12, 0)
            self.statusBar().addPermanentWidget(label)
        # The agent's availability (routing, issue 21): set here, the team's shown in its menu.
        self.availability = AvailabilityButton(self.session, self.hub, self.ticket_dock.writes,
                                               self)
        self.statusBar().addPermanentWidget(self.availability)

        self._build_actions()
        self._connect()
        self.role_gate = RoleGate(self)  # what the signed-in role may not do (issue 20)
        self._restore_layout()
        # A team desk (PostgreSQL) is told of changes by the server (LISTEN/NOTIFY) and shows a
        # banner when the server is gone; a desk file is polled (on the reader, first of all).
        self.watch = DeskWatch(self, store, self.hub, self.reader)
        self.watch.failed.connect(lambda message: self.statusBar().showMessage(message, 5000))
        self.live = self.watch.live
        # The desk's mailbox, fetched and sent in the background (ui/mail_worker.py).
        self.mail = MailWorker(store, self)
        self.mail.changed.connect(lambda changes: self.hub.announce(changes, self.mail))
        self.mail.reported.connect(lambda message: self.statusBar().showMessage(message, 10_000))
        self.mail.failed.connect(lambda message: self.statusBar().showMessage(message, 15_000))
        self.mail.start()
        self._poll = self.watch.poll
        self._load_choices()
        self._show_agent()
        self.model.set_query(TicketFilter(), self.table.sort)
        self._update_pages()
        self.setWindowTitle(self.tr("ticketdesk — {0}").format(store.location))
        # The analytics module (and the charts it imports) is loaded on a thread of its own
        # soon after start, instead of inside the first Ctrl+2 (ARCHITECTURE.md, "Threading": no
        # GUI-thread slice over 50 ms; imported on the GUI thread it took 44 ms of it).
        QTimer.singleShot(PREIMPORT_MS, _preimport_analytics)
        QTimer.singleShot(WARM_ICONS_MS, icons.warm_up)
        if FREEZE_HEAP:
            QTimer.singleShot(FREEZE_HEAP_MS, gc.freeze)
        self.records.purge_expired()

    # -- wiring -------------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], object],
                shortcut: QKeySequence | str | None = None,
                name: str = "") -> QAction:
        action = QAction(self.tr(text), self)
        if name:
            action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(shortcut if isinstance(shortcut, QKeySequence)
                               else QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.new_ticket_action = self._action("&New Ticket…", self.new_ticket,
                                              QKeySequence(keys.New), "newTicketAction")
        files = self.files
        self.export_action = self._action("&Export Tickets…", files.export_tickets,
                                          "Ctrl+Shift+E", "exportAction")
        self.import_action = self._action("&Import Tickets…", files.import_tickets,
                                          "Ctrl+Shift+I", "importAction")
        self.import_mail_action = self._action("Import &Mail…", files.import_mail, None,
                                               "importMailAction")
        self.demo_action = self._action("Load &Demo Data…", files.load_demo, None, "demoAction")
        self.backup_action = self._action("&Back Up Now", files.backup_now, None, "backupAction")
        self.restore_action = self._action("&Restore Backup…", files.restore_backup, None,
                                           "restoreAction")
        self.quit_action = self._action("&Quit", self.close, QKeySequence(keys.Quit), "quitAction")
        self.find_action = self._action("&Find", self.filter_bar.focus_search,
                                        QKeySequence(keys.Find), "findAction")
        self.clear_action = self._action("&Clear Filters", self.filter_bar.clear,
                                         "Ctrl+Shift+L", "clearFiltersAction")
        self.refresh_action = self._action("&Refresh", self.refresh, QKeySequence(keys.Refresh),
                                           "refreshAction")
        self.tickets_view_action = self._action("&Tickets", self.show_tickets, "Ctrl+1",
                                                "ticketsViewAction")
        self.analytics_view_action = self._action("&Analytics", self.show_analytics, "Ctrl+2",
                                                  "analyticsViewAction")
        self.customers_view_action = self._action("&Customers", self.show_customers, "Ctrl+3",
                                                  "customersViewAction")
        self.switch_agent_action = self._action("&Switch Agent…", self.desk.switch_agent, None,
                                                "switchAgentAction")
        self.preferences_action = self._action("&Preferences…", self.desk.show_preferences,
                                               QKeySequence(keys.Preferences),
                                               "preferencesAction")
        self.sla_action = self._action("S&LA Policies…", self.desk.show_sla_policies, None,
                                       "slaPoliciesAction")
        self.api_tokens_action = self._action("API To&kens…", self.desk.show_api_tokens, None,
                                              "apiTokensAction")  # issue 22
        self.routing_action = self._action("R&outing…", self.desk.show_routing, None,
                                           "routingAction")
        self.workload_action = self._action("&Workload…", self.desk.show_workload, None,
                                            "workloadAction")
        self.shortcuts_action = self._action("&Keyboard Shortcuts", self.desk.show_shortcuts,
                                             QKeySequence(keys.HelpContents), "shortcutsAction")
        self.fetch_mail_action = self._action("&Fetch Mail", self.desk.fetch_mail, "F9",
                                              "fetchMailAction")
        self.mail_settings_action = self._action("&Mail Settings…", self.desk.show_mail_settings,
                                                 None, "mailSettingsAction")
        self.agents_roles_action = self._action("A&gents and Roles…", self.desk.show_agents_roles,
                                                None, "agentsRolesAction")
        self.agents_roles_action.setVisible(not self.store.is_sqlite)  # a team desk's logins
        self.about_action = self._action("&About ticketdesk", self.desk.show_about, None,
                                         "aboutAction")
        records = self.records
        self.delete_ticket_action = self._action("&Delete Ticket", records.delete_selected, None,
                                                 "deleteTicketAction")
        self.erase_customer_action = self._action("&Erase This Ticket's Customer…",
                                                  records.erase_selected_customer, None,
                                                  "eraseCustomerAction")
        self.recycle_bin_action = self._action("Recycle &Bin…", records.show_recycle_bin, None,
                                               "recycleBinAction")
        self.agents_action = self._action("&Agents…", records.show_agents, None, "agentsAction")
        # One entry per desk kind: a team desk's is Agents and Roles… (its Names and Teams…).
        self.agents_action.setVisible(self.store.is_sqlite)
        dock_toggle = self.dock.toggleViewAction()
        dock_toggle.setText(self.tr("Ticket &Details"))
        dock_toggle.setShortcut(QKeySequence("Ctrl+D"))

        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addActions([self.new_ticket_action, self.import_action,
                              self.import_mail_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addActions([self.demo_action, self.backup_action, self.restore_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addActions([self.find_action, self.clear_action, self.refresh_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.delete_ticket_action, self.erase_customer_action])
        self.bulk = BulkActions(self)  # several tickets at once, and Undo (issue 18)
        self.bulk.install(edit_menu)
        self.bulk.recycle_bin_hook = self.records.delete_ids  # the recycle bin (issue 19)
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addActions([self.tickets_view_action, self.analytics_view_action,
                              self.customers_view_action])
        view_menu.addSeparator()
        view_menu.addAction(dock_toggle)
        view_menu.addSeparator()
        view_menu.addMenu(scheme_menu(self, self.settings.qsettings))
        # The Desk menu in groups: who works here; the desk's lists (Canned Responses… joins
        # them in `_build_everyday`); how work arrives and is kept on time; keeping and erasing;
        # this computer's preferences.
        desk_menu = bar.addMenu(self.tr("&Desk"))
        desk_menu.addActions([self.switch_agent_action, self.agents_action,
                              self.agents_roles_action])
        desk_menu.addSeparator()
        add_record_actions(self, desk_menu)  # Tags…, Categories…, Custom Fields… (issue 19)
        self._lists_end = desk_menu.addSeparator()
        desk_menu.addActions([self.fetch_mail_action, self.mail_settings_action,
                              self.routing_action, self.workload_action, self.sla_action,
                              self.api_tokens_action])
        desk_menu.addSeparator()
        desk_menu.addAction(self.recycle_bin_action)
        desk_menu.addSeparator()
        desk_menu.addAction(self.preferences_action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addActions([self.shortcuts_action, self.about_action])
        self._build_everyday(bar, view_menu, desk_menu, help_menu)

    def _build_everyday(self, bar: Any, view_menu: Any, desk_menu: Any, help_menu: Any) -> None:
        """Issue 18: the Ticket menu (keyboard-only work), saved views, the command palette
        and canned responses (ui/ticket_keys.py, ui/views_panel.py, ui/palette.py)."""
        from ticketdesk.ui import views_panel
        from ticketdesk.ui.palette import CommandPalette
        from ticketdesk.ui.ticket_keys import TicketKeys

        self.ticket_keys = TicketKeys(self)
        bar.insertMenu(help_menu.menuAction(), self.ticket_keys.menu)
        view_menu.addSeparator()
        self.command_palette = CommandPalette(self)
        self.palette_action = self._action("C&ommand Palette…", self.command_palette.start,
                                           "Ctrl+K", "paletteAction")
        view_menu.addAction(self.palette_action)
        self.views = views_panel.install(self, view_menu)
        self.addAction(self.views.dock.toggleViewAction())
        self.canned_action = self._action("Canned &Responses…", self.desk.show_canned, None,
                                          "cannedAction")
        desk_menu.insertAction(self._lists_end, self.canned_action)

    def _connect(self) -> None:
        self.filter_bar.filterChanged.connect(self._filter_changed)
        self.table.sortRequested.connect(self._sort_changed)
        self.table.ticketSelected.connect(self.ticket_dock.show_ticket)
        self.table.ticketSelected.connect(self._title_dock)
        self.table.selectionCounted.connect(self._many_selected)
        self.model.countsChanged.connect(self._update_counts)
        self.model.modelReset.connect(self._update_pages)
        self.model.rowsInserted.connect(self._update_pages)
        self.model.snapshotReady.connect(self._after_snapshot)
        self.model.queryFailed.connect(self._query_failed)
        self.hub.changed.connect(self._on_changes)
        self.empty_state.createRequested.connect(self.new_ticket)
        self.empty_state.demoRequested.connect(self.files.load_demo)
        self.empty_state.importRequested.connect(self.files.import_tickets)
        self.no_matches.clearRequested.connect(self.filter_bar.clear)
        self.ticket_dock.detail_tab.customer_box.openRequested.connect(self.open_customer)

    # -- the list -----------------------------------------------------------------------------

    def _filter_changed(self, f: TicketFilter) -> None:
        self.model.set_query(f, self.table.sort)
        self._reselect()

    def _sort_changed(self, sort: Sort) -> None:
        self.model.set_query(self.model.ticket_filter, sort)
        self._reselect()

    def _reselect(self) -> None:
        """Keep the selected ticket selected across a new query when it is still listed."""
        selected = self.table.selected_ticket()
        if selected is not None and not self.table.select_ticket(selected):
            self._select_when_listed = selected

    def _after_snapshot(self) -> None:
        wanted = self._select_when_listed
        if wanted is not None and self.table.select_ticket(wanted):
            self._select_when_listed = None
        self._update_pages()

    def _many_selected(self, count: int) -> None:
        if count > 1:
            self.ticket_dock.show_many(count)
            self._title_dock(None)

    def _title_dock(self, ticket_id: int | None) -> None:
        title = self.tr("Ticket")
        self.dock.setWindowTitle(f"{title} {format_number(ticket_id)}" if ticket_id else title)

    def _update_pages(self) -> None:
        if self.model.pending:
            return  # the previous filter's page stays until this one's first rows come
        if self.model.rowCount() > 0:
            page: QWidget = self.table
        elif not self.model.is_complete:
            return
        elif self.model.ticket_filter.with_(date_field=TicketFilter().date_field).is_empty:
            page = self.empty_state
        else:
            page = self.no_matches
        self.list_stack.setCurrentWidget(page)

    def _update_counts(self) -> None:
        if self.model.searching:
            self.count_label.setText(self.tr("Searching…"))
            return
        matching, total = self.model.matching, self.model.total
        if matching is not None and total is not None and matching > total:
            total = None  # the new total is still on its way; never show "5 of 4"
        shown = f"{matching:,}" if matching is not None else f"{self.model.rowCount():,}+"
        if total is None or (matching is not None and matching == total):
            noun = self.tr("ticket") if matching == 1 else self.tr("tickets")
            self.count_label.setText(f"{shown} {noun}")
        else:
            noun = self.tr("ticket") if total == 1 else self.tr("tickets")
            self.count_label.setText(self.tr("{0} of {1} {2}").format(shown, f"{total:,}", noun))
        self._update_pages()

    def _query_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)

    def refresh(self) -> None:
        self.hub.announce(Changes(everything=True), EXTERNAL)

    # -- changes ------------------------------------------------------------------------------

    def _on_changes(self, changes: Changes, initiator: object) -> None:
        self.model.refresh(changes)
        if changes.conversation and initiator is not self.mail and initiator is not EXTERNAL:
            self.mail.wake()  # a reply queued (or a failed mail retried) here: send it now
        if changes.everything or changes.agents or changes.tags or changes.customers:
            self._load_choices()
        if changes.everything or changes.agents:
            self._show_agent()

    def _load_choices(self) -> None:
        """The filter bar's agents, tags and customer tags, read on the reader."""
        store, session = self.store, self.session
        self._asked += 1
        self.reader.submit(CHOICES, self._asked, lambda: (
            [(a.id, a.name) for a in agents.list_agents(store)], assignees.list_tags(store),
            customers.list_customer_tags(store), categories.category_names(session),
            tag_records.tag_colors(session), custom_fields.list_fields(session),
            agent_records.my_team_members(session)))

    def _show_agent(self) -> None:
        store, agent_id = self.store, self.session.agent_id or 0
        self._asked += 1
        self.reader.submit(AGENT, self._asked, lambda: agents.get_agent(store, agent_id).name)

    def _read(self, channel: str, _generation: int, result: Any) -> None:
        if channel == CHOICES:
            agent_list, tags, customer_tags, category_names, colors, fields, team = result
            self.filter_bar.set_agents(agent_list, self.session.agent_id, team)
            self.filter_bar.set_tags(tags)
            self.filter_bar.set_customer_tags(customer_tags)
            self.filter_bar.set_categories(category_names)
            self.model.tag_colors = colors
            self.table.viewport().update()
            self.ticket_dock.set_tag_colors(colors)
            self.model.set_custom_fields(fields)
            self.filter_bar.set_custom_fields(fields)
            self.views.choices_ready()  # the last saved view can show its choices now
        elif channel == AGENT:
            self.agent_label.setText(self.tr("Working as {0}").format(result))

    def _read_failed(self, channel: str, _generation: int, error: object) -> None:
        if channel == AGENT:
            self.agent_label.setText(self.tr("Working as {0}").format("?"))
        elif channel == CHOICES:
            self.statusBar().showMessage(str(error), 10_000)

    # -- actions ------------------------------------------------------------------------------

    def new_ticket(self) -> None:
        dialog = CreateTicketDialog(self.session, self)
        if dialog.exec() and dialog.changes is not None:
            self._select_when_listed = dialog.changes.new_id
            self.hub.announce(dialog.changes, self)
            self.statusBar().showMessage(self.tr("Created {0}.").format(
                f"TKT-{dialog.changes.new_id:06d}"), 5000)

    # The File menu's commands (ui/file_commands.py), here for the callers that hold a window.

    def load_demo(self, tickets: int = DEMO_TICKETS) -> Task | None:
        return self.files.load_demo(tickets)

    def import_tickets(self) -> ImportWizard:
        return self.files.import_tickets()

    def run_task(self, task: Task) -> None:
        self.files.run_task(task)

    def show_task_error(self, title: str, error: object) -> None:
        self.files.show_task_error(title, error)

    def show_tickets(self) -> None:
        self.pages.setCurrentIndex(0)
        if self._dock_before_analytics:  # the ticket dock belongs to the list: back with it
            self._dock_before_analytics = False
            self.dock.show()

    def show_analytics(self) -> None:
        if self.analytics_view is None:
            try:
                from ticketdesk.ui.analytics import AnalyticsView
            except ImportError:
                self.statusBar().showMessage(self.tr("Analytics are not available yet."), 5000)
                return
            view = AnalyticsView(self.session, self.hub, self)
            view.drillDown.connect(self.drill_down)
            self.pages.addWidget(view)
            self.analytics_view = view
        if self.pages.currentWidget() is not self.analytics_view and self.dock.isVisible() \
                and not self.dock.isFloating():
            self._dock_before_analytics = True  # the charts get the window's whole width
            self.dock.hide()
        self.pages.setCurrentWidget(self.analytics_view)

    def show_customers(self) -> CustomersView:
        """View ▸ Customers (ui/customers_view.py); the ticket dock stays as it is."""
        view = self._customers()
        self.pages.setCurrentWidget(view)
        view.focus_search()
        return view

    def open_customer(self, customer_id: int) -> CustomerEditor:
        """The customer's record (from the ticket dock's "Record…")."""
        return self._customers().open_customer(customer_id)

    def _customers(self) -> CustomersView:
        """The customers view, made the first time it is wanted."""
        if self.customers_view is None:
            self.customers_view = CustomersView(self.session, self.hub, self.open_ticket, self)
            self.pages.addWidget(self.customers_view)
            self.role_gate.apply(self.customers_view)  # its Delete… is an admin's
        return self.customers_view

    def open_ticket(self, ticket_id: int) -> None:
        """Show a ticket (from a customer's or an organisation's tickets) in the dock."""
        self.show_tickets()
        self.dock.show()
        self.ticket_dock.show_ticket(ticket_id)

    def drill_down(self, f: TicketFilter) -> None:
        """Show the ticket list filtered to exactly the tickets behind a card or a bar."""
        self.show_tickets()
        self.filter_bar.apply(f)

    def set_agent(self, agent_id: int) -> None:
        self.session = self.session.as_agent(agent_id)
        self.settings.set_agent_for(self.store.location, agent_id)
        self.ticket_dock.set_session(self.session)
        self.availability.set_session(self.session)
        self._load_choices()
        self._show_agent()
        self.filter_bar._emit_now()  # "Me" now means someone else

    # -- layout and closing -------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.bytes_value(WINDOW_GEOMETRY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(_first_size(self.screen().availableGeometry().size()))
        state = self.settings.bytes_value(WINDOW_STATE)
        if state is None or not self.restoreState(state):
            # First start: the views' names and the ticket's buttons readable without scrolling
            # (Qt's own first guess gave each dock its narrowest width).
            QTimer.singleShot(0, self, self._first_dock_widths)  # once shown: before, Qt's
            # layout would set them again from the docks' size hints
        header = self.settings.bytes_value(TABLE_HEADER)
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        # The header's state carries a sort arrow; the rows are sorted as remembered here, and
        # the arrow is set to match (a header saved by an older version may say anything).
        self.table.set_sort(_sort_from(TABLE_SORT.read(self.settings.qsettings)))

    def _first_dock_widths(self) -> None:
        self.resizeDocks([self.views.dock, self.dock], [FIRST_VIEWS_WIDTH, FIRST_DOCK_WIDTH],
                         Qt.Orientation.Horizontal)

    def save_layout(self) -> None:
        self.settings.set_bytes(WINDOW_GEOMETRY, self.saveGeometry())
        self.settings.set_bytes(WINDOW_STATE, self.saveState())
        self.settings.set_bytes(TABLE_HEADER, self.table.horizontalHeader().saveState())
        sort = self.table.sort
        TABLE_SORT.write(self.settings.qsettings,
                         f"{sort.key.value} {'descending' if sort.descending else 'ascending'}")
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed and not self.ticket_dock.close_work():
            event.ignore()
            return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Save the layout, stop background work and close the desk. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.watch.stop()
        self.mail.stop()  # its waits and connections cut; its database connection closed
        if self._dock_before_analytics:
            self.dock.show()  # the layout is saved as the ticket list has it
        self.save_layout()
        # Gone from the screen now: what follows waits for the query threads to finish what
        # they run and for SQLite's last checkpoint as the desk closes (seconds after a busy
        # day on a slow disk), which a window still shown would spend frozen.
        self.hide()
        self.files.stop()
        if self.analytics_view is not None and hasattr(self.analytics_view, "shutdown"):
            self.analytics_view.shutdown()  # its own query thread
        if self.customers_view is not None:
            self.customers_view.shutdown()  # its query thread
        self.availability.stop()
        if self.workload_dialog is not None:
            self.workload_dialog.shutdown()  # its query thread
        self.ticket_dock.shutdown()  # its query and write threads, before the desk closes
        self.sla_alerts.stop()
        self.views.stop()
        self.command_palette.stop()
        self.runner.stop()
        self.reader.stop()
        self.store.close()


def _preimport_analytics() -> None:
    """Import the analytics view and pyqtgraph on a daemon thread: modules only define classes
    and functions (no widget is made), and a Ctrl+2 meanwhile waits on Python's import lock for
    the rest of it, as it would have imported it anyway."""
    import importlib
    import threading
    from contextlib import suppress

    def load() -> None:
        with suppress(ImportError):  # show_analytics says so when it is asked for
            importlib.import_module("ticketdesk.ui.analytics")

    threading.Thread(target=load, name="preimport-analytics", daemon=True).start()


def _sort_from(value: object) -> Sort:
    """The sort saved as "created descending"; the default for anything else."""
    key, _, order = str(value or "").partition(" ")
    try:
        return Sort(SortKey(key), order != "ascending")
    except ValueError:
        return Sort()
