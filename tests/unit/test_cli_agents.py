"""`ticketdesk agents ...` (issue 20): an admin manages who signs in to a team desk from the
command line; bad input is a message and exit status 1, never a traceback."""

from __future__ import annotations

import base64
import io

import pytest

from tests.unit.test_postgres_roles_security import Team, team
from ticketdesk.app import main
from ticketdesk.db import postgres_roles
from ticketdesk.db.store import open_database
from ticketdesk.services import team_roles

__all__ = ["team"]  # the fixture shared with the security tests


def _login(team: Team, name: str) -> str:
    login = f"{team.prefix}_{name}"
    team.logins.append(login)
    return login


@pytest.mark.postgres
def test_agents_add_creates_the_login_with_the_password_from_stdin_and_list_shows_it(
        team: Team, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    login = _login(team, "ann")
    monkeypatch.setattr("sys.stdin", io.StringIO("tr0ub4dor&3\n"))
    assert main(["agents", "add", "Ann Data", "--role", "agent", "--login", login,
                 "--password-stdin", "--db", team.url]) == 0
    assert capsys.readouterr().out == f"Ann Data signs in as {login} (agent).\n"
    (stored,) = team.admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                                   (login,)).fetchone()
    iterations, salt = stored.split("$")[1].split(":")
    assert stored == postgres_roles.scram_verifier(
        "tr0ub4dor&3", salt=base64.b64decode(salt), iterations=int(iterations))
    assert "tr0ub4dor" not in stored

    assert main(["agents", "list", "--db", team.url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Name", "Login", "Role", "Status"]
    assert lines[1].split() == ["Ann", "Data", login, "agent", "signs", "in"]


@pytest.mark.postgres
def test_agents_deactivate_reactivate_and_role_change_what_the_server_enforces(
        team: Team, capsys: pytest.CaptureFixture[str]) -> None:
    login = _login(team, "ann")
    assert main(["agents", "add", "Ann", "--role", "agent", "--login", login,
                 "--db", team.url]) == 0
    assert main(["agents", "deactivate", "Ann", "--db", team.url]) == 0
    assert main(["agents", "role", "Ann", "viewer", "--db", team.url]) == 0
    assert main(["agents", "role", "Ann", "viewer", "--db", team.url]) == 0
    out = capsys.readouterr().out
    assert "Ann can no longer sign in." in out
    assert "Ann is now viewer." in out
    assert "Ann is already viewer." in out
    (row,) = team_roles.list_agent_roles(team.store)
    assert (row.active, row.role, row.can_login) == (False, "viewer", False)
    assert main(["agents", "reactivate", "Ann", "--db", team.url]) == 0
    groups = postgres_roles.group_names(team.store.db)
    member = team.admin.execute("SELECT pg_has_role(%s, %s, 'MEMBER')",
                                (login, groups["viewer"])).fetchone()[0]
    assert member
    assert team_roles.list_agent_roles(team.store)[0].can_login


@pytest.mark.postgres
def test_agents_commands_refuse_unknown_agents_and_bad_logins_clearly(
        team: Team, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agents", "deactivate", "Nobody", "--db", team.url]) == 1
    assert main(["agents", "add", "Ann", "--role", "agent", "--login", "Ann; DROP",
                 "--db", team.url]) == 1
    err = capsys.readouterr().err
    assert "There is no agent called 'Nobody'." in err
    assert "cannot be a database login name" in err
    assert "Traceback" not in err
    assert team_roles.list_agent_roles(team.store) == []


def test_agents_add_on_a_desk_file_says_it_has_one_user(
        sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    open_database(sqlite_url).close()  # a desk that exists
    assert main(["agents", "add", "Ann", "--role", "agent", "--db", sqlite_url]) == 1
    assert "A desk file has one user" in capsys.readouterr().err
