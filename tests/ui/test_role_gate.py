"""Issue 20: the window shows what the signed-in role may not do as disabled, with the reason as
tooltip and status tip (ui/role_gate.py); the server refuses it anyway
(tests/unit/test_postgres_roles_security.py). Each window signs in as a real login."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from tests.ui.dock_support import open_ticket, settle
from tests.unit.test_postgres_roles import url_as
from tests.unit.test_postgres_roles_security import Team, team
from ticketdesk.app import build_main_window
from ticketdesk.services import notes, team_roles, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui import role_gate
from ticketdesk.ui.dock.ticket_dock import NOTES
from ticketdesk.ui.main_window import MainWindow

__all__ = ["team"]
ADMIN_ACTIONS = ("slaPoliciesAction", "mailSettingsAction", "agentsRolesAction", "importAction",
                 "demoAction",
                 # what issues 18-22 added (db/postgres_roles.TABLE_POLICY: admin-only tables)
                 "apiTokensAction", "tagsAction", "categoriesAction", "customFieldsAction",
                 "recycleBinAction", "deleteTicketAction", "eraseCustomerAction",
                 "routingAction")
AGENT_WORK = ("newTicketAction", "fetchMailAction", "cannedAction", "saveViewAction")
"""Allowed to agents, withheld from viewers."""


def _window(qtbot: Any, url: str, settings: QSettings) -> MainWindow:
    window = build_main_window(url, settings=settings)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.role_gate.known, timeout=5000)
    return window


def _action(window: MainWindow, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


@pytest.mark.postgres
def test_an_agent_sees_the_admins_settings_disabled_with_the_reason(
        qtbot: Any, team: Team, settings: QSettings) -> None:
    _, login = team.add("Ann", "agent")
    window = _window(qtbot, url_as(team.url, login), settings)
    try:
        sla = _action(window, "slaPoliciesAction")
        assert not sla.isEnabled()
        assert sla.toolTip() == "Only an admin can change SLA policies."
        assert sla.statusTip() == sla.toolTip()
        mail = _action(window, "mailSettingsAction")
        assert mail.toolTip() == "Only an admin can change the mail settings."
        for name in ADMIN_ACTIONS:
            assert not _action(window, name).isEnabled(), name
            assert _action(window, name).toolTip().startswith("Only an admin"), name
        for name in AGENT_WORK:
            assert _action(window, name).isEnabled(), name
        reasons = {name: _action(window, name).toolTip() for name in (
            "apiTokensAction", "recycleBinAction", "customFieldsAction", "routingAction")}
        assert reasons == {
            "apiTokensAction": "Only an admin can see or change API tokens.",
            "recycleBinAction": "Only an admin can delete tickets or customers, or restore them "
                                "from the recycle bin.",
            "customFieldsAction":
                "Only an admin can change the desk's categories and custom fields.",
            "routingAction": "Only an admin can change routing rules and teams."}
        send = window.ticket_dock.conversation_tab.send_button
        assert send.isEnabled()
        assert send.toolTip() == "Send to the customer (Ctrl+Enter)"  # its own tip kept
    finally:
        window.close()


@pytest.mark.postgres
def test_a_viewer_sees_every_change_disabled_with_the_viewers_reason(
        qtbot: Any, team: Team, settings: QSettings) -> None:
    _, login = team.add("Vera", "viewer")
    window = _window(qtbot, url_as(team.url, login), settings)
    try:
        for name in ("importMailAction", *AGENT_WORK, *ADMIN_ACTIONS):
            action = _action(window, name)
            assert not action.isEnabled(), name
            assert action.toolTip().startswith("You are signed in as a viewer"), name
        dock = window.ticket_dock
        for button in (dock.notes_tab.add_button, dock.conversation_tab.send_button):
            assert not button.isEnabled()
            assert button.toolTip().startswith("You are signed in as a viewer")
        assert _action(window, "exportAction").isEnabled()  # reading is a viewer's work
        assert _action(window, "analyticsViewAction").isEnabled()
    finally:
        window.close()


@pytest.mark.postgres
def test_an_agent_opening_the_customers_view_later_finds_delete_an_admins(
        qtbot: Any, team: Team, settings: QSettings) -> None:
    """The customers view is made on first use, after the role was read and applied."""
    _, login = team.add("Ann", "agent")
    window = _window(qtbot, url_as(team.url, login), settings)
    try:
        view = window.show_customers()
        delete = view.delete_button
        assert not delete.isEnabled()
        assert delete.toolTip() == ("Only an admin can delete tickets or customers, or restore "
                                    "them from the recycle bin.")
    finally:
        window.close()


@pytest.mark.postgres
def test_a_change_to_the_desk_that_leaves_the_role_as_it_was_keeps_the_gates(
        qtbot: Any, team: Team, settings: QSettings) -> None:
    """Every change to the desk reads the role again; the same role is not re-applied (walking
    the window costs tens of ms a time), and what was gated stays gated."""
    _, login = team.add("Ann", "agent")
    window = _window(qtbot, url_as(team.url, login), settings)
    try:
        applied: list[object] = []
        original = window.role_gate.apply
        window.role_gate.apply = lambda within=None: (applied.append(within),  # type: ignore
                                                       original(within))
        asked = window.role_gate._asked
        window.role_gate.refresh()
        qtbot.waitUntil(lambda: window.role_gate._asked == asked + 1, timeout=5000)
        qtbot.wait(200)
        assert applied == []
        assert not _action(window, "slaPoliciesAction").isEnabled()
        team_roles.change_role(team.owner, "Ann", "admin")
        window.role_gate.refresh()
        qtbot.waitUntil(lambda: _action(window, "slaPoliciesAction").isEnabled(), timeout=5000)
        assert applied == [None]
    finally:
        window.close()


@pytest.mark.postgres
def test_an_admin_may_do_everything(qtbot: Any, team: Team, settings: QSettings) -> None:
    _, login = team.add("Ada", "admin")
    window = _window(qtbot, url_as(team.url, login), settings)
    try:
        for name in (*ADMIN_ACTIONS, *AGENT_WORK):
            assert _action(window, name).isEnabled(), name
            assert _action(window, name).toolTip() != "Only an admin can change SLA policies."
        assert _action(window, "agentsRolesAction").isVisible()
        assert not _action(window, "agentsAction").isVisible()
    finally:
        window.close()


@pytest.mark.postgres
def test_an_agent_may_not_edit_or_delete_another_agents_note_but_their_own(
        qtbot: Any, team: Team, settings: QSettings) -> None:
    ann, ann_login = team.add("Ann", "agent")
    bob, bob_login = team.add("Bob", "agent")
    ticket = int(tickets.create_ticket(team.owner, subject="Printer on fire").new_id)
    notes.add_note(Session(team.open_as(bob_login), bob), ticket, "Bob's finding")
    notes.add_note(Session(team.open_as(ann_login), ann), ticket, "Ann's finding")
    window = _window(qtbot, url_as(team.url, ann_login), settings)
    window.show()
    try:
        dock = open_ticket(qtbot, window, ticket)
        dock.tabs.setCurrentIndex(NOTES)
        settle(qtbot, dock)
        cards = {card.note.body: card for card in dock.notes_tab.cards.values()}
        bobs, anns = cards["Bob's finding"], cards["Ann's finding"]
        for button in (bobs.delete_button, bobs.edit_button):
            assert not button.isEnabled()
            assert button.toolTip() == "Only an admin can edit or delete another agent's note."
        for button in (anns.delete_button, anns.edit_button):
            assert button.isEnabled()
            assert button.toolTip() == ""
    finally:
        window.close()


def test_a_desk_file_withholds_nothing_and_has_no_logins_to_manage(
        qtbot: Any, sqlite_url: str, settings: QSettings) -> None:
    window = _window(qtbot, sqlite_url, settings)
    try:
        assert window.role_gate.role is None
        for name in (*ADMIN_ACTIONS, *AGENT_WORK, "agentsAction", "switchAgentAction"):
            assert not _action(window, name).statusTip(), name  # no reason: nothing withheld
            if name != "agentsRolesAction":
                assert _action(window, name).isEnabled(), name
        # One entry for the desk's agents: Agents… here, Agents and Roles… on a team desk.
        assert not _action(window, "agentsRolesAction").isVisible()
        assert _action(window, "agentsAction").isVisible()
    finally:
        window.close()


@pytest.mark.postgres
def test_an_action_added_later_is_gated_with_one_line(
        qtbot: Any, team: Team, settings: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(role_gate, "ACTIONS", dict(role_gate.ACTIONS))
    role_gate.register("routingRulesAction", role_gate.ROUTING)
    _, login = team.add("Ann", "agent")
    window = build_main_window(url_as(team.url, login), settings=settings)
    qtbot.addWidget(window)
    routing = QAction("Routing…", window)
    routing.setObjectName("routingRulesAction")
    try:
        qtbot.waitUntil(lambda: window.role_gate.known, timeout=5000)
        window.role_gate.apply()
        assert not routing.isEnabled()
        assert routing.toolTip() == "Only an admin can change routing rules and teams."
        with pytest.raises(ValueError, match="unknown capability"):
            role_gate.register("x", "fly")
    finally:
        window.close()
