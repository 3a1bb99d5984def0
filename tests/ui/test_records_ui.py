"""The desk's records in the window (issue 19), driven as a user does, with the GUI-thread guard
of tests/ui/test_window_never_waits.py armed throughout: Edit ▸ Delete Ticket moves the selected
ticket to the recycle bin, Desk ▸ Recycle Bin… restores it, Desk ▸ Agents… renames and
deactivates an agent (who leaves the filter bar's choices), Edit ▸ Erase This Ticket's
Customer… erases its customer; none of it makes a query on the GUI thread. The dialogs' item
models pass Qt's model tester."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from tests.ui.conftest import answer_modal, wait_listed
from tests.ui.test_main_window import seed, subjects
from tests.ui.test_window_never_waits import Guard, guard  # noqa: F401 - the fixture
from ticketdesk.db.store import open_database
from ticketdesk.services import customers
from ticketdesk.services.agent_records import AgentRow
from ticketdesk.services.recycle_bin import BinEntry
from ticketdesk.services.session import Session
from ticketdesk.ui.agent_picker import ensure_agent
from ticketdesk.ui.agents_dialog import AgentsDialog, AgentsModel
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.recycle_bin_dialog import BinModel, RecycleBinDialog
from ticketdesk.ui.settings import AppSettings

# ruff: noqa: F811 - `guard` is the imported fixture


def test_the_dialogs_models_pass_the_model_tester(qtmodeltester) -> None:
    bin_model = BinModel()
    bin_model.set_entries([BinEntry(1, "ticket", 7, "TKT-000007 Hello", 1_780_000_000, 1),
                           BinEntry(2, "customer", 3, "Jane", 1_780_000_100, None)],
                          {1: "Alice"})
    qtmodeltester.check(bin_model)
    agents_model = AgentsModel()
    agents_model.set_rows([AgentRow(1, "Alice", "a@x", True, 3, ("Front",)),
                           AgentRow(2, "Bob", "", False, 0, ())])
    qtmodeltester.check(agents_model)


def _yes(dialog: object) -> None:
    assert isinstance(dialog, QMessageBox)
    dialog.button(QMessageBox.StandardButton.Yes).click()


def _assignee_labels(window: MainWindow) -> list[str]:
    return [a.text() for a in window.filter_bar.assignees.menu_.actions() if a.text()]


def test_delete_restore_agents_and_erase_without_waiting(
        db_url: str, settings: QSettings, qtbot, guard: Guard) -> None:
    seed(db_url)
    store = open_database(db_url)
    agent_id = ensure_agent(Session(store, None), None, "Alice Agent")
    guard.install(store)
    guard.armed = True
    window = MainWindow(store, agent_id, AppSettings(settings))
    qtbot.addWidget(window)
    window.show()
    wait_listed(qtbot, window)
    assert "Printer on fire" in subjects(window)

    # Edit ▸ Delete Ticket on the selected ticket
    assert window.table.select_ticket(2)
    answer_modal(_yes)
    window.delete_ticket_action.trigger()
    qtbot.waitUntil(lambda: "Printer on fire" not in subjects(window), timeout=10_000)
    wait_listed(qtbot, window)

    # Desk ▸ Recycle Bin…: restore it
    window.recycle_bin_action.trigger()
    dialog = window.records.dialog
    assert isinstance(dialog, RecycleBinDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1 and not dialog.busy, timeout=5000)
    assert dialog.model.entries[0].label == "TKT-000002 Printer on fire"
    dialog.view.selectRow(0)
    qtbot.mouseClick(dialog.restore_button, qtbot_left())
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0 and not dialog.busy, timeout=5000)
    qtbot.waitUntil(lambda: "Printer on fire" in subjects(window), timeout=5000)
    dialog.close()

    # Desk ▸ Agents… (a team desk: Desk ▸ Agents and Roles… ▸ Names and Teams…): rename Bob,
    # then deactivate him
    assert window.agents_action.isVisible() == store.is_sqlite
    assert window.agents_roles_action.isVisible() != store.is_sqlite
    if store.is_sqlite:
        window.agents_action.trigger()
        agents_dialog = window.records.dialog
    else:
        window.agents_roles_action.trigger()
        roles_dialog = window.agents_roles_dialog
        qtbot.waitUntil(lambda: not roles_dialog.busy, timeout=5000)
        qtbot.mouseClick(roles_dialog.teams_button, qtbot_left())
        agents_dialog = roles_dialog.names_dialog
    assert isinstance(agents_dialog, AgentsDialog)
    qtbot.waitUntil(lambda: agents_dialog.model.rowCount() == 2 and not agents_dialog.busy,
                    timeout=5000)
    bob_row = [r.name for r in agents_dialog.model.rows].index("Bob Builder")
    agents_dialog.view.selectRow(bob_row)

    def rename(dialog: object) -> None:
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("Bob Renamed")
        dialog.accept()

    answer_modal(rename)
    qtbot.mouseClick(agents_dialog.rename_button, qtbot_left())
    qtbot.waitUntil(lambda: "Bob Renamed" in [r.name for r in agents_dialog.model.rows]
                    and not agents_dialog.busy, timeout=5000)
    qtbot.waitUntil(lambda: "Bob Renamed" in _assignee_labels(window), timeout=5000)
    agents_dialog.view.selectRow([r.name for r in agents_dialog.model.rows].index("Bob Renamed"))
    qtbot.mouseClick(agents_dialog.active_button, qtbot_left())
    qtbot.waitUntil(lambda: not agents_dialog.busy and not next(
        r for r in agents_dialog.model.rows if r.name == "Bob Renamed").active, timeout=5000)
    qtbot.waitUntil(lambda: "Bob Renamed" not in _assignee_labels(window), timeout=5000)
    assert "deactivated" in agents_dialog.note.text()
    agents_dialog.close()
    if not store.is_sqlite:
        roles_dialog.close()

    # Edit ▸ Erase This Ticket's Customer… on ticket 1 (Jane Doe's)
    assert window.table.select_ticket(1)
    answer_modal(_yes)
    window.erase_customer_action.trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox)
                    and "Erased customer" in QApplication.activeModalWidget().text(),
                    timeout=10_000)
    QApplication.activeModalWidget().close()
    wait_listed(qtbot, window)
    guard.armed = False
    assert guard.seen == []
    window.close()

    check = open_database(db_url)
    try:
        assert [c.name for c in customers.find_customers(check, "Jane")] == []
    finally:
        check.close()


def qtbot_left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_my_team_filters_to_my_teams_tickets(db_url: str, settings: QSettings, qtbot,
                                             guard: Guard) -> None:
    from ticketdesk.services import agent_records, agents

    seed(db_url)
    store = open_database(db_url)
    system = Session(store, None)
    alice = agents.find_agent(store, "Alice Agent")
    bob = agents.find_agent(store, "Bob Builder")
    assert alice is not None
    assert bob is not None
    agent_records.save_team(system, None, "Front line", [alice.id, bob.id])
    guard.install(store)
    guard.armed = True
    window = MainWindow(store, alice.id, AppSettings(settings))
    qtbot.addWidget(window)
    window.show()
    wait_listed(qtbot, window)
    qtbot.waitUntil(lambda: "My team" in _assignee_labels(window), timeout=5000)
    next(a for a in window.filter_bar.assignees.menu_.actions()
         if a.text() == "My team").trigger()
    qtbot.waitUntil(lambda: subjects(window) == ["Password reset loop", "Refund not received"],
                    timeout=5000)
    guard.armed = False
    assert guard.seen == []
    window.close()


def test_the_recycle_bin_dialog_purges_empties_and_keeps_days(store, alice, qtbot) -> None:
    from tests.helpers import new_ticket
    from ticketdesk.services import recycle_bin

    recycle_bin.delete_tickets(alice, [new_ticket(alice, f"T{i}") for i in range(3)])
    announced: list[object] = []
    dialog = RecycleBinDialog(alice, announced.append)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3 and not dialog.busy, timeout=5000)
    assert dialog.days.value() == 30
    dialog.view.selectRow(0)
    answer_modal(_yes)
    qtbot.mouseClick(dialog.purge_button, qtbot_left())
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2 and not dialog.busy, timeout=5000)
    assert dialog.note.text() == "Purged 1 items."
    dialog.days.setValue(7)
    qtbot.mouseClick(dialog.days_button, qtbot_left())
    qtbot.waitUntil(lambda: "kept 7 days" in dialog.note.text() and not dialog.busy,
                    timeout=5000)
    assert recycle_bin.retention_days(alice) == 7
    answer_modal(_yes)
    qtbot.mouseClick(dialog.empty_button, qtbot_left())
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0 and not dialog.busy, timeout=5000)
    dialog.close()
