"""Issue 20: Desk > Agents and Roles… — an admin changes a role and deactivates an agent through
the dialog's buttons, the server follows (group membership, LOGIN); an agent's login is refused
with the server's reason. Adding an agent who then signs in: tests/ui/test_sign_in_dialog.py."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.test_window_never_waits import Guard, guard
from tests.unit.test_postgres_roles_security import Team, team
from ticketdesk.db import postgres_roles
from ticketdesk.services import team_roles
from ticketdesk.services.session import Session
from ticketdesk.ui.agents_roles_dialog import AgentsRolesDialog

__all__ = ["guard", "team"]
pytestmark = pytest.mark.postgres


def _dialog(qtbot: Any, session: Session) -> AgentsRolesDialog:
    dialog = AgentsRolesDialog(session, lambda _changes: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=5000)
    return dialog


def _row(dialog: AgentsRolesDialog, name: str) -> list[str]:
    for index in range(dialog.table.rowCount()):
        cells = [dialog.table.item(index, c).text() for c in range(4)]
        if cells[0] == name:
            return cells
    raise AssertionError(name)


def _select(dialog: AgentsRolesDialog, name: str) -> None:
    dialog.table.selectRow([r.name for r in dialog.rows].index(name))


def _click_and_wait(qtbot: Any, dialog: AgentsRolesDialog, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.isEnabled(), timeout=5000)


def test_an_admin_changes_a_role_and_deactivates_an_agent_in_the_dialog(
        qtbot: Any, team: Team, guard: Guard) -> None:
    _, ann = team.add("Ann", "agent")
    _, ada = team.add("Ada", "admin")
    admin_store = team.open_as(ada)
    guard.install(admin_store)
    dialog = _dialog(qtbot, Session(admin_store, None))
    try:
        assert _row(dialog, "Ann") == ["Ann", ann, "Agent", "signs in"]
        guard.armed = True
        _select(dialog, "Ann")
        dialog.role.setCurrentIndex(dialog.role.findData("viewer"))
        _click_and_wait(qtbot, dialog, dialog.role_button)
        assert _row(dialog, "Ann")[2] == "Viewer"
        assert dialog.note.text() == "Ann is now Viewer."
        _select(dialog, "Ann")
        assert dialog.active_button.text() == "&Deactivate"
        _click_and_wait(qtbot, dialog, dialog.active_button)
        guard.armed = False
        assert guard.seen == []
        assert _row(dialog, "Ann")[3] == "deactivated"
    finally:
        dialog.close()
    groups = postgres_roles.group_names(team.store.db)
    assert postgres_roles.can_login(team.store.db, [ann]) == {ann: False}
    member = team.store.db.execute_sql(
        "SELECT pg_has_role(%s, %s, 'MEMBER')", (ann, groups["viewer"])).fetchone()[0]
    assert member is False  # a deactivated login belongs to no group
    (row,) = [r for r in team_roles.list_agent_roles(team.store) if r.name == "Ann"]
    assert (row.role, row.active) == ("viewer", False)


def test_an_agents_login_is_refused_with_the_servers_reason(qtbot: Any, team: Team) -> None:
    _, ann = team.add("Ann", "agent")
    dialog = _dialog(qtbot, Session(team.open_as(ann), None))
    try:
        qtbot.keyClicks(dialog.new_name, "Mallory")
        _click_and_wait(qtbot, dialog, dialog.add_button)
        assert dialog.error.text().startswith("Only an admin of this desk")
        assert [r.name for r in dialog.rows] == ["Ann"]
    finally:
        dialog.close()
