"""The window never waits on the database (ticketdesk/ARCHITECTURE.md): every query the main
window, the ticket list, the filter bar, the agent picker, the create dialog and the change
watch make runs on a worker thread. A guard on the desk's database records each statement, each
cursor and each connection opened on the GUI thread, with the code that asked for it; driving the
window as a user does (start, scroll to the end, filter, search, a ticket number, sort, switch
agent, preferences and the mail signature, refresh, a change from elsewhere, a new ticket) must
record none.

On a team desk every one of those statements would be a network round trip (20-100 ms) with the
window frozen; tests/bench/bench_latency.py measures the stalls behind a delaying proxy."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QPushButton, QWidget

from tests.ui.conftest import answer_modal, wait_listed
from tests.ui.test_main_window import _fill_create_dialog, seed, subjects
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.filters import SortKey
from ticketdesk.domain.status import Priority
from ticketdesk.services import agents, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.agent_picker import ensure_agent
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.settings import AppSettings
from ticketdesk.ui.ticket_model import COL_SLA, COL_SUBJECT

PACKAGE = str(Path(__file__).resolve().parents[2] / "ticketdesk")
NOT_YET: tuple[str, ...] = ()
"""Parts of the window still allowed to query on the GUI thread: none (the ticket dock reads on
its own QueryRunner and saves through its write queue, tests/ui/test_dock_never_waits.py)."""


class Guard:
    """Records where the GUI thread touched the database while armed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.armed = False
        self.seen: list[str] = []
        self.left_out = 0
        self._patched: set[type] = set()

    def install(self, store: Store) -> None:
        """Wrap the statements, cursors and connections of `store`'s kind of database."""
        cls = type(store.db)
        if cls in self._patched:
            return
        self._patched.add(cls)
        for name in ("execute_sql", "cursor", "connect"):
            real = getattr(cls, name)

            def wrapped(db, *args, _real=real, _name=name, **kwargs):  # type: ignore[no-untyped-def]
                self.check(_name)
                return _real(db, *args, **kwargs)

            self.monkeypatch.setattr(cls, name, wrapped)

    def check(self, what: str) -> None:
        if not self.armed or threading.current_thread() is not threading.main_thread():
            return
        stack = traceback.extract_stack()[:-2]
        ours = [f for f in stack if f.filename.startswith(PACKAGE)]
        if NOT_YET and any(f.filename.startswith(NOT_YET) for f in ours):
            self.left_out += 1
            return
        where = ours[0] if ours else stack[-1]
        self.seen.append(f"{what} from {where.filename}:{where.lineno} ({where.name})")


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[Guard]:
    guard = Guard(monkeypatch)
    yield guard
    guard.armed = False


def _click_header(qtbot, window: MainWindow, column: int) -> None:
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def _choose(button, label: str) -> None:  # type: ignore[no-untyped-def]
    next(a for a in button.menu_.actions() if a.text() == label).trigger()


def _change_elsewhere(url: str) -> None:
    """Another connection (as another window or process would) raises ticket 2's priority."""
    def write() -> None:
        store = open_database(url)
        try:
            tickets.set_priority(Session(store, None), 2, 1, Priority.LOW)
        finally:
            store.close_thread()
            if store.lock is not None:
                store.lock.release()

    worker = threading.Thread(target=write)
    worker.start()
    worker.join()


def test_driving_the_window_makes_no_query_on_the_gui_thread(
        db_url: str, settings: QSettings, qtbot, guard: Guard) -> None:
    seed(db_url)
    store = open_database(db_url)
    try:
        system = Session(store, None)
        for n in range(3, 300):  # more than a page of rows: scrolling fetches pages
            tickets.create_ticket(system, subject=f"Filler ticket {n}")
        bob = agents.find_agent(store, "Bob Builder")
        assert bob is not None
    finally:
        store.close()

    store = open_database(db_url)
    agent_id = ensure_agent(Session(store, None), None, "Alice Agent")
    guard.install(store)
    guard.armed = True
    window = MainWindow(store, agent_id, AppSettings(settings))
    qtbot.addWidget(window)
    window.show()
    model, table = window.model, window.table

    wait_listed(qtbot, window)  # start: first rows, snapshot, counts, agent, filter choices
    qtbot.waitUntil(lambda: window.agent_label.text() == "Working as Alice Agent", timeout=5000)
    table.scrollToBottom()  # rows far from the first page, fetched for painting
    last = model.index(model.rowCount() - 1, COL_SUBJECT)
    qtbot.waitUntil(lambda: model.data(last) == "Refund not received", timeout=5000)

    _choose(window.filter_bar.status, "Closed")  # a filter
    qtbot.waitUntil(lambda: subjects(window) == ["Invoice copy needed"], timeout=5000)
    window.filter_bar.clear()
    qtbot.keyClicks(window.filter_bar.search, "printer")  # a search
    qtbot.waitUntil(lambda: subjects(window) == ["Printer on fire"], timeout=5000)
    window.filter_bar.search.setText("TKT-000003")  # a ticket number
    window.filter_bar.search.returnPressed.emit()
    qtbot.waitUntil(lambda: subjects(window) == ["Password reset loop"], timeout=5000)
    window.filter_bar.clear()
    wait_listed(qtbot, window)
    _choose(window.filter_bar.sla, "Breached")  # an SLA filter (read at the current time)
    _choose(window.filter_bar.sla, "Needs first reply")
    wait_listed(qtbot, window)
    window.filter_bar.clear()
    wait_listed(qtbot, window)
    table.scrollTo(model.index(0, COL_SLA))
    _click_header(qtbot, window, COL_SLA)  # sorted by due: the badges are painted
    qtbot.waitUntil(lambda: table.sort.key == SortKey.DUE, timeout=5000)
    wait_listed(qtbot, window)
    table.scrollTo(model.index(0, COL_SUBJECT))

    _click_header(qtbot, window, COL_SUBJECT)  # a sort
    qtbot.waitUntil(lambda: subjects(window)[0] == "Filler ticket 10", timeout=5000)
    window.set_agent(bob.id)  # another agent
    qtbot.waitUntil(lambda: window.agent_label.text() == "Working as Bob Builder", timeout=5000)

    def signature(preferences: QWidget) -> None:  # preferences ▸ Mail Signature…, saved
        def edit(dialog: Any) -> None:
            qtbot.waitUntil(dialog.is_idle, timeout=5000)
            dialog.text.setPlainText("Alice\nSupport")
            dialog.save_button.click()
            qtbot.waitUntil(lambda: dialog.saved, timeout=5000)
            preferences.reject()  # type: ignore[attr-defined]

        answer_modal(edit)
        preferences.findChild(QPushButton, "signatureButton").click()

    answer_modal(signature)
    window.preferences_action.trigger()
    for action in (window.tags_action, window.categories_action,  # type: ignore[attr-defined]
                   window.custom_fields_action):  # type: ignore[attr-defined]
        answer_modal(lambda dialog: dialog.reject())  # Desk ▸ Tags… and kin: their lists are
        action.trigger()  # asked for as they open, on their own thread
    window.refresh_action.trigger()  # Refresh
    wait_listed(qtbot, window)

    heard: list[object] = []
    window.hub.changed.connect(lambda _changes, initiator: heard.append(initiator))
    guard.armed = False  # the other connection's own queries are not the window's
    _change_elsewhere(db_url)
    guard.armed = True
    if window.live is None:  # a desk file is polled; a team desk is told (tests/ui/test_team_*)
        qtbot.waitUntil(lambda: "external" in heard, timeout=5000)

    answer_modal(_fill_create_dialog("Made in the dialog", "Jane"))  # a new ticket
    window.new_ticket_action.trigger()
    qtbot.waitUntil(lambda: window.table.selected_ticket() == 302, timeout=5000)
    wait_listed(qtbot, window)

    guard.armed = False
    assert guard.seen == []
    from ticketdesk.services.mail.signature import get_signature

    assert get_signature(window.session.agent_id or 0) == "Alice\nSupport"
    window.close()


def test_the_guard_sees_a_query_made_on_the_gui_thread(
        db_url: str, settings: QSettings, qtbot, guard: Guard) -> None:
    """The guard can fail: a read made the old way, on the GUI thread, is recorded."""
    store = open_database(db_url)
    try:
        guard.install(store)
        guard.armed = True
        agents.list_agents(store)
        guard.armed = False
        assert guard.seen
        assert "execute_sql" in guard.seen[0]
    finally:
        store.close()



def test_the_window_reaches_storage_only_through_services() -> None:
    """`ui` imports no `cli` (the About box's versions live in ticketdesk/about.py, the desk's
    URL in db/url.py) and builds no query of its own: no model, no proxy, no SQL."""
    import ast

    offences = []
    for path in sorted((Path(PACKAGE) / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or "", *(f"{node.module}.{a.name}" for a in node.names)]
                     if isinstance(node, ast.ImportFrom) else [])
            offences += [f"{path.name} imports {n}" for n in names
                         if n in ("ticketdesk.cli", "ticketdesk.db.models", "peewee")
                         or n.startswith("playhouse")]
    assert offences == []
