"""The window's side of SLA: the Due and SLA columns (the badge read at paint time from the
stored instants), sorting by due, the SLA filters, and the dock's SLA box with its countdown.

Time is a FakeClock: the data is written at T0 through the services, and the window's clock
(`ticket_model.utc_now`, the SLA box's) is patched to the moment each check is about."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QHeaderView, QMessageBox, QTableView, QWidget

from tests.conftest import T0, FakeClock
from tests.ui.conftest import answer_modal, wait_listed
from tests.ui.dock_support import open_ticket
from ticketdesk.app import build_main_window
from ticketdesk.db.store import open_database
from ticketdesk.domain.sla import Metric, Targets
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import agents, messages, sla, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui import sla_alerts, ticket_model
from ticketdesk.ui.dock import sla_box
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.settings import TABLE_HEADER, AppSettings
from ticketdesk.ui.ticket_model import COL_CUSTOMER, COL_DUE, COL_SLA, COL_SUBJECT, COLUMNS

H = 3600
URGENT, MEDIUM, WAITING, LOW = "Server down", "Invoice question", "Waiting on logs", "Idea"


@pytest.fixture
def desk(db_url: str) -> str:
    """One policy (Urgent: first reply in 1 h; Medium: 4 h; Low: none), around the clock in
    UTC, and four tickets created at T0: urgent, medium (both Alice's), medium but Waiting,
    low."""
    store = open_database(db_url)
    try:
        system = Session(store, None, FakeClock())
        sla.save_policy(system, "Standard", priority=Priority.URGENT,
                        targets=Targets(1 * H, 2 * H, 8 * H))
        sla.save_policy(system, "Standard", priority=Priority.MEDIUM,
                        targets=Targets(4 * H, 2 * H, 24 * H))
        alice, _ = agents.create_agent(system, "Alice Agent")
        tickets.create_ticket(system, subject=URGENT, priority=Priority.URGENT,
                              assignee_ids=[alice])
        tickets.create_ticket(system, subject=MEDIUM, assignee_ids=[alice])
        waiting = tickets.create_ticket(system, subject=WAITING).new_id
        tickets.set_status(system, waiting, 1, Status.WAITING)
        tickets.create_ticket(system, subject=LOW, priority=Priority.LOW)
    finally:
        store.close()
    return db_url


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The window's clock, starting half an hour after the tickets were created."""
    clock = FakeClock(T0 + 30 * 60)
    monkeypatch.setattr(ticket_model, "utc_now", clock)
    monkeypatch.setattr(sla_box, "utc_now", clock)
    monkeypatch.setattr(sla_alerts, "utc_now", clock)
    return clock


@pytest.fixture
def sla_window(qtbot, desk: str, settings: QSettings, now: FakeClock) -> Iterator[MainWindow]:
    window = build_main_window(desk, agent_name="Alice Agent", settings=settings, tz=UTC)
    qtbot.addWidget(window)
    window.resize(1600, 700)
    window.show()
    wait_listed(qtbot, window)
    yield window
    window.close()


def cells(window: MainWindow, column: int) -> dict[str, str]:
    model = window.model
    return {model.data(model.index(r, COL_SUBJECT)): model.data(model.index(r, column))
            for r in range(model.rowCount())}


def listed(window: MainWindow) -> list[str]:
    model = window.model
    return [model.data(model.index(r, COL_SUBJECT)) for r in range(model.rowCount())]


def click_header(qtbot, window: MainWindow, column: int) -> None:
    header = window.table.horizontalHeader()
    window.table.scrollTo(window.model.index(0, column))
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def choose_sla(qtbot, window: MainWindow, label: str) -> None:
    button = window.filter_bar.sla
    next(a for a in button.menu_.actions() if a.text() == label).trigger()
    wait_listed(qtbot, window)


def test_the_sla_column_reads_the_badge_at_paint_time(sla_window: MainWindow,
                                                      now: FakeClock) -> None:
    window = sla_window
    assert not window.table.horizontalHeader().isSectionHidden(COL_SLA)
    window.table.horizontalHeader().setSectionHidden(COL_DUE, False)
    assert cells(window, COL_SLA) == {URGENT: "On track", MEDIUM: "On track",
                                      WAITING: "Paused", LOW: "—"}
    assert cells(window, COL_DUE)[LOW] == "—"
    assert cells(window, COL_DUE)[URGENT] != "—"
    row = listed(window).index(URGENT)
    assert window.model.data(window.model.index(row, COL_SLA),
                             Qt.ItemDataRole.DecorationRole) is not None

    now.advance(20 * 60)  # 50 minutes in: the last 12 minutes of the urgent 1-hour target
    assert cells(window, COL_SLA)[URGENT] == "At risk"
    now.advance(H)  # no query ran: the stored breach instant has passed
    assert cells(window, COL_SLA) == {URGENT: "Breached", MEDIUM: "On track",
                                      WAITING: "Paused", LOW: "—"}
    assert "Breached at" in window.model.data(window.model.index(row, COL_SLA),
                                              Qt.ItemDataRole.ToolTipRole)


def test_clicking_due_sorts_by_the_nearest_due(qtbot, sla_window: MainWindow) -> None:
    window = sla_window
    header = window.table.horizontalHeader()
    assert header.isSectionHidden(COL_DUE)  # hidden at first: the badge sorts the same way
    click_header(qtbot, window, COL_SLA)
    qtbot.waitUntil(lambda: listed(window)[:2] == [URGENT, MEDIUM], timeout=5000)
    assert header.sortIndicatorSection() == COL_SLA
    window.table._show_column(COL_DUE, True)  # what the header's menu entry does
    qtbot.waitUntil(lambda: listed(window)[:2] == [URGENT, MEDIUM], timeout=5000)
    wait_listed(qtbot, window)
    # Tickets whose clock does not run come last, by number.
    assert listed(window) == [URGENT, MEDIUM, WAITING, LOW]
    assert header.sortIndicatorSection() == COL_DUE  # the arrow follows to the column shown
    click_header(qtbot, window, COL_DUE)
    qtbot.waitUntil(lambda: listed(window)[:2] == [MEDIUM, URGENT], timeout=5000)


def test_each_sla_filter_shows_exactly_its_tickets(qtbot, sla_window: MainWindow,
                                                   now: FakeClock) -> None:
    window = sla_window
    choose_sla(qtbot, window, "Due within the hour")
    assert listed(window) == [URGENT]
    choose_sla(qtbot, window, "Due within the hour")  # off again
    choose_sla(qtbot, window, "Due today")  # today in UTC ends at T0 + 3 h 33 min
    assert listed(window) == [URGENT]
    choose_sla(qtbot, window, "Due today")
    choose_sla(qtbot, window, "Needs first reply")
    assert sorted(listed(window)) == sorted([URGENT, MEDIUM, LOW])
    choose_sla(qtbot, window, "Needs first reply")

    now.advance(2 * H)
    choose_sla(qtbot, window, "Breached")
    assert listed(window) == [URGENT]
    # Combined with another kind of filter: both must hold.
    window.filter_bar.apply(window.filter_bar.current_filter().with_(
        priorities=frozenset({Priority.MEDIUM})))
    wait_listed(qtbot, window)
    assert listed(window) == []
    window.filter_bar.clear_button.click()
    wait_listed(qtbot, window)
    assert window.filter_bar.sla.chosen() == set()
    assert len(listed(window)) == 4


def test_a_drill_down_to_an_sla_state_shows_in_the_menu(qtbot, sla_window: MainWindow,
                                                         now: FakeClock) -> None:
    from ticketdesk.domain.filters import TicketFilter
    from ticketdesk.domain.sla import SlaState

    window = sla_window
    now.advance(2 * H)
    window.drill_down(TicketFilter(sla=frozenset({SlaState.BREACHED, SlaState.PAUSED})))
    wait_listed(qtbot, window)
    assert sorted(listed(window)) == sorted([URGENT, WAITING])
    assert "Breached" in window.filter_bar.sla.text()
    assert window.filter_bar.extra_label.isVisible()  # "paused" has no menu entry


def test_a_header_saved_before_the_sla_columns_still_restores(
        qtbot, desk: str, settings: QSettings, now: FakeClock) -> None:
    old = QTableView()
    old.setModel(QStandardItemModel(0, len(COLUMNS) - 2))
    old.horizontalHeader().resizeSection(COL_CUSTOMER, 233)
    AppSettings(settings).set_bytes(TABLE_HEADER, old.horizontalHeader().saveState())
    window = build_main_window(desk, agent_name="Alice Agent", settings=settings, tz=UTC)
    qtbot.addWidget(window)
    try:
        header: QHeaderView = window.table.horizontalHeader()
        assert header.count() == len(COLUMNS)
        assert header.sectionSize(COL_CUSTOMER) == 233
        assert header.sectionSize(COL_DUE) > 0
    finally:
        window.close()


def test_the_dock_shows_the_next_target_and_counts_down(qtbot, sla_window: MainWindow,
                                                         now: FakeClock) -> None:
    window = sla_window
    dock = open_ticket(qtbot, window, 1)  # the urgent one: first reply due at T0 + 1 h
    box = dock.detail_tab.sla_box
    qtbot.waitUntil(lambda: box.policy.text() == "Standard", timeout=5000)
    assert box.state.text() == "On track"
    assert box.countdown.text().startswith("First response due in 30 min")
    assert box.paused.text() == "Never"
    assert box.history.text() == "—"

    now.advance(20 * 60)
    box._timer.timeout.emit()  # the 30-second tick, without waiting for it
    assert box.countdown.text().startswith("First response due in 10 min")
    assert box.state.text() == "At risk"
    now.advance(H)
    box._timer.timeout.emit()
    assert box.countdown.text().startswith("First response overdue by 50 min")
    assert box.state.text() == "Breached"
    assert box.history.text().startswith("First response: breached ")


def test_the_dock_says_what_paused_the_clock(qtbot, sla_window: MainWindow) -> None:
    dock = open_ticket(qtbot, sla_window, 3)  # Waiting since T0
    box = dock.detail_tab.sla_box
    qtbot.waitUntil(lambda: box.policy.text() == "Standard", timeout=5000)
    assert box.state.text() == "Paused"
    assert box.paused.text().startswith("Since ")
    assert "Waiting" in box.paused.text()
    assert box.countdown.text() == "On hold while Waiting"


@pytest.fixture
def plain_desk(db_url: str) -> str:
    """The same four tickets, created at T0, and no SLA policy yet."""
    store = open_database(db_url)
    try:
        system = Session(store, None, FakeClock())
        tickets.create_ticket(system, subject=URGENT, priority=Priority.URGENT)
        tickets.create_ticket(system, subject=MEDIUM)
    finally:
        store.close()
    return db_url


def test_a_policy_added_in_the_dialog_reaches_the_list_after_recompute(
        qtbot, plain_desk: str, settings: QSettings, now: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ticketdesk.ui import main_window
    from ticketdesk.ui.sla_dialog import PolicyEditor, SlaPoliciesDialog

    monkeypatch.setattr(main_window, "utc_now", now)  # the window's saves happen at `now` too
    window = build_main_window(plain_desk, agent_name="Alice Agent", settings=settings, tz=UTC)
    qtbot.addWidget(window)
    window.show()
    wait_listed(qtbot, window)
    assert cells(window, COL_SLA) == {URGENT: "—", MEDIUM: "—"}
    seen: dict[str, object] = {}

    def fill_editor(editor: QWidget) -> None:
        assert isinstance(editor, PolicyEditor)
        editor.name.setText("Standard")
        editor.targets[(Priority.URGENT, Metric.FIRST_RESPONSE)].setText("1h")
        editor.targets[(Priority.URGENT, Metric.RESOLUTION)].setText("eight hours")
        editor.accept()  # refused: the bad duration is named, nothing saved
        seen["error"] = editor.error.text()
        editor.targets[(Priority.URGENT, Metric.RESOLUTION)].setText("8h")
        editor.tags.setText("")
        editor.accept()

    def use_dialog(dialog: QWidget) -> None:
        assert isinstance(dialog, SlaPoliciesDialog)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=5000)
        answer_modal(fill_editor)
        dialog.add_button.click()
        qtbot.waitUntil(lambda: not dialog.busy and dialog.policies.count() == 1, timeout=5000)
        seen["listed"] = dialog.policies.item(0).text()
        seen["note"] = dialog.note.text()
        dialog.recompute_button.click()
        qtbot.waitUntil(lambda: dialog.note.text().startswith("Recomputed"), timeout=10000)
        seen["done"] = dialog.note.text()
        dialog.reject()

    answer_modal(use_dialog)
    window.sla_action.trigger()
    assert "Urgent, Resolution" in str(seen["error"])
    assert seen["listed"] == "Standard"
    assert "Recompute" in str(seen["note"])
    assert seen["done"] == "Recomputed 2 tickets; 1 changed."
    # The policy applies from when it was made (now): the urgent ticket's clock starts then.
    qtbot.waitUntil(lambda: cells(window, COL_SLA) == {URGENT: "On track", MEDIUM: "—"},
                    timeout=5000)
    window.close()


def test_my_ticket_turning_at_risk_or_breached_is_told_once(
        qtbot, sla_window: MainWindow, now: FakeClock) -> None:
    window = sla_window
    alerts = window.sla_alerts

    def poll_and_wait(count: int) -> None:
        alerts.timer.timeout.emit()  # the minute's poll, without waiting for it
        qtbot.waitUntil(lambda: len(alerts.shown) == count, timeout=5000)

    now.advance(20 * 60)  # the urgent ticket's last 12 minutes began 2 minutes ago
    poll_and_wait(1)
    assert alerts.shown[-1] == "SLA at risk: TKT-000001 · Server down"
    assert window.statusBar().currentMessage() == alerts.shown[-1]
    now.advance(60)
    poll_and_wait(1)  # said once
    now.advance(H)
    poll_and_wait(2)
    assert alerts.shown[-1] == "SLA breached: TKT-000001 · Server down"

    def switch_off(dialog: QWidget) -> None:
        dialog.findChild(QCheckBox, "slaNotify").setChecked(False)
        dialog.accept()

    answer_modal(switch_off)
    window.preferences_action.trigger()
    now.advance(3 * H)  # the medium ticket (Alice's too) is at risk and then breached
    alerts.timer.timeout.emit()
    qtbot.wait(300)
    assert len(alerts.shown) == 2


def test_the_policies_dialog_edits_moves_and_removes(qtbot, sla_window: MainWindow,
                                                     desk: str) -> None:
    from ticketdesk.ui.sla_dialog import METRICS, PolicyEditor, SlaPoliciesDialog

    store = open_database(desk)
    try:
        sla.save_policy(Session(store, None, FakeClock()), "VIP", priority=Priority.HIGH,
                        targets=Targets(first_response=H), tags=["vip"])
    finally:
        store.close()
    seen: dict[str, object] = {}

    def edit_standard(editor: QWidget) -> None:
        assert isinstance(editor, PolicyEditor)
        assert editor.name.isReadOnly()
        assert editor.targets[(Priority.URGENT, Metric.FIRST_RESPONSE)].text() == "1h"
        editor.targets[(Priority.URGENT, Metric.FIRST_RESPONSE)].setText("2h")
        for metric in METRICS:
            editor.targets[(Priority.MEDIUM, metric)].setText("")
        editor.accept()  # refused: emptying a priority is not something the services do
        seen["error"] = editor.error.text()
        editor.targets[(Priority.MEDIUM, Metric.RESOLUTION)].setText("1d")
        editor.accept()

    def use_dialog(dialog: QWidget) -> None:
        assert isinstance(dialog, SlaPoliciesDialog)

        def names() -> list[str]:
            return [dialog.policies.item(i).text() for i in range(dialog.policies.count())]

        qtbot.waitUntil(lambda: not dialog.busy and names() == ["Standard", "VIP"],
                        timeout=5000)
        dialog.policies.setCurrentRow(1)
        dialog.up_button.click()
        qtbot.waitUntil(lambda: not dialog.busy and names() == ["VIP", "Standard"],
                        timeout=5000)
        assert dialog.policies.currentRow() == 0
        dialog.policies.setCurrentRow(1)
        answer_modal(edit_standard)
        dialog.edit_button.click()
        qtbot.waitUntil(lambda: not dialog.busy and "Saved" in dialog.note.text(),
                        timeout=5000)
        dialog.policies.setCurrentRow(0)
        answer_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
        dialog.remove_button.click()
        qtbot.waitUntil(lambda: not dialog.busy and names() == ["Standard"], timeout=5000)
        seen["tooltip"] = dialog.policies.item(0).toolTip()
        dialog.reject()

    answer_modal(use_dialog)
    sla_window.sla_action.trigger()
    assert "Medium: a priority's targets cannot be emptied here" in str(seen["error"])
    assert "Urgent: First response 2h" in str(seen["tooltip"])
    assert "Medium: Resolution 1d" in str(seen["tooltip"])
    standard = next(p for p in _policies(sla_window) if p.name == "Standard")
    assert standard.targets[Priority.MEDIUM] == Targets(None, None, 24 * H)


def _policies(window: MainWindow) -> list[sla.PolicyRecord]:
    with window.store.read():
        return sla.list_policies()


def test_the_dock_lists_a_target_met_late(qtbot, desk: str, settings: QSettings,
                                          now: FakeClock) -> None:
    store = open_database(desk)
    try:
        clock = FakeClock(T0 + 2 * H)  # the urgent ticket's 1-hour first reply, an hour late
        alice = agents.find_agent(store, "Alice Agent")
        assert alice is not None
        messages.add_message(Session(store, alice.id, clock), 1, "Looking into it.")
    finally:
        store.close()
    now.advance(2 * H)
    window = build_main_window(desk, agent_name="Alice Agent", settings=settings, tz=UTC)
    qtbot.addWidget(window)
    window.show()
    try:
        dock = open_ticket(qtbot, window, 1)
        box = dock.detail_tab.sla_box
        qtbot.waitUntil(lambda: box.policy.text() == "Standard", timeout=5000)
        assert box.history.text().startswith("First response: met late ")
        assert box.countdown.text().startswith("Resolution due in ")
        assert box.state.text() == "Breached"  # a breach that happened is kept
    finally:
        window.close()
