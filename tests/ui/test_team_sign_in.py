"""Issue 20 in the window: on a team desk the login says who is working, and *Switch Agent* is
shown disabled with the reason (the server enforces it anyway: tests/unit/
test_postgres_roles_security.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from tests.unit.test_postgres_roles import url_as
from tests.unit.test_postgres_roles_security import Team, team
from ticketdesk.app import build_main_window

__all__ = ["team"]  # the fixture shared with the unit tests
pytestmark = pytest.mark.postgres


def test_a_signed_in_agent_works_as_themselves_and_cannot_switch(
        qtbot, team: Team, settings: QSettings) -> None:
    ann, login = team.add("Ann", "agent")
    team.add("Bob", "agent")
    window = build_main_window(url_as(team.url, login), agent_name="Bob", settings=settings)
    qtbot.addWidget(window)
    try:
        assert window.session.agent_id == ann
        qtbot.waitUntil(lambda: window.role_gate.known, timeout=5000)  # read off the GUI thread
        assert not window.switch_agent_action.isEnabled()
        assert "signed in to this team desk as Ann" in window.switch_agent_action.toolTip()
    finally:
        window.close()


def test_the_desks_owner_without_a_mapped_login_still_switches_agents(
        qtbot, team: Team, settings: QSettings) -> None:
    team.add("Ann", "agent")
    window = build_main_window(team.url, agent_name="Bob", settings=settings)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.role_gate.known, timeout=5000)
        assert window.switch_agent_action.isEnabled()
    finally:
        window.close()
