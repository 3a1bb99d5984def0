"""Issue 20: the sign-in dialog of a team desk, driven as a user drives it, against real servers.

The test server trusts local connections, so a password is checked on a throwaway cluster
(initdb + pg_ctl on a free port, as tests/unit/test_postgres_tls.py makes one) whose
pg_hba.conf asks every login but the owner for a SCRAM password. Connecting runs on the dialog's
worker: a guard records any statement from the GUI thread (tests/ui/test_window_never_waits.py).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import answer_modal
from tests.ui.test_team_preferences import FakeKeyring, keyring
from tests.ui.test_window_never_waits import Guard, guard
from tests.unit.test_postgres_roles import RoleUrl, role_url, url_as
from tests.unit.test_postgres_roles_security import Team, team
from tests.unit.test_postgres_tls import _bindir, _free_port
from ticketdesk.db.store import Store, open_database
from ticketdesk.services import sign_in, team_roles
from ticketdesk.services.session import Session
from ticketdesk.ui.agents_roles_dialog import AgentsRolesDialog
from ticketdesk.ui.preferences import open_desk
from ticketdesk.ui.sign_in_dialog import SignInDialog

__all__ = ["guard", "keyring", "role_url", "team"]  # fixtures shared with other tests
pytestmark = pytest.mark.postgres

ANNS, BOBS, DORAS = "right horse battery", "s3cret enough", "doras door"  # test logins' passwords


@dataclass
class PasswordServer:
    port: int

    def url(self, login: str = "postgres") -> str:
        return f"postgresql://{login}@127.0.0.1:{self.port}/postgres"


@pytest.fixture(scope="module")
def password_server() -> Iterator[PasswordServer]:
    """A cluster where the owner (postgres) is trusted and every other login needs its
    SCRAM password."""
    bindir = _bindir()
    assert bindir is not None, "the PostgreSQL server programs (initdb, pg_ctl) are needed"
    as_root = os.geteuid() == 0
    if as_root:
        pwd.getpwnam("postgres")
    base = tempfile.mkdtemp(prefix="ticketdesk-scram-")
    data = os.path.join(base, "data")

    def run(*command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    try:
        if as_root:
            shutil.chown(base, "postgres", "postgres")
        run(str(bindir / "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync")
        with open(os.path.join(data, "pg_hba.conf"), "w", encoding="utf-8") as hba:
            hba.write("local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
                      "host all all 127.0.0.1/32 scram-sha-256\n")
        port = _free_port()
        with open(os.path.join(data, "postgresql.conf"), "a", encoding="utf-8") as conf:
            conf.write(f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{base}'\nfsync = off\n"
                       "shared_buffers = 16MB\nmax_connections = 30\n")
        run(str(bindir / "pg_ctl"), "-D", data, "-l", os.path.join(base, "log"), "-w", "start")
        try:
            yield PasswordServer(port)
        finally:
            run(str(bindir / "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def owner(password_server: PasswordServer) -> Iterator[Store]:
    """The desk on the password server, opened by its owner, in a schema of its own."""
    import psycopg

    schema = f"td_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(password_server.url(), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    store = open_database(password_server.url() + f"?options=-csearch_path%3D{schema}")
    try:
        yield store
    finally:
        store.close()


def _sign_in(qtbot: Any, dialog: SignInDialog, login: str, password: str) -> None:
    dialog.login.clear()
    qtbot.keyClicks(dialog.login, login)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.sign_in_button.isEnabled(), timeout=10000)


def _dialog(qtbot: Any, url: str) -> SignInDialog:
    dialog = SignInDialog(url)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _signed_in_as(dialog: SignInDialog) -> str | None:
    assert dialog.signed_in is not None
    store = dialog.signed_in.store
    try:
        agent = team_roles.whoami(store)
        return agent.name if agent else None
    finally:
        store.close()


def _unique(name: str) -> str:
    return f"{name}_{uuid.uuid4().hex[:6]}"


def test_a_wrong_password_is_refused_with_a_message_and_the_right_one_signs_in(
        qtbot: Any, owner: Store, guard: Guard) -> None:
    login = _unique("ann")
    team_roles.add_agent_role(Session(owner, None), "Ann", "agent", login=login,
                              password=ANNS)
    try:
        guard.install(owner)
        dialog = _dialog(qtbot, owner.url)
        guard.armed = True
        _sign_in(qtbot, dialog, login, "wrong horse")
        assert dialog.isVisible()
        assert dialog.signed_in is None
        assert f"The server refused the password for {login}" in dialog.error.text()
        _sign_in(qtbot, dialog, login, ANNS)
        qtbot.waitUntil(lambda: dialog.signed_in is not None, timeout=10000)
        guard.armed = False
        assert guard.seen == []
        assert not dialog.isVisible()
        assert _signed_in_as(dialog) == "Ann"
    finally:
        _drop(owner, login)


def test_no_password_where_the_server_wants_one_says_so(
        qtbot: Any, owner: Store) -> None:
    login = _unique("bob")
    team_roles.add_agent_role(Session(owner, None), "Bob", "agent", login=login,
                              password=BOBS)
    try:
        dialog = _dialog(qtbot, owner.url)
        _sign_in(qtbot, dialog, login, "")
        assert dialog.signed_in is None
        assert "wants a password" in dialog.error.text()
    finally:
        _drop(owner, login)


def test_an_admin_adds_an_agent_in_the_window_who_can_then_sign_in(
        qtbot: Any, owner: Store, guard: Guard) -> None:
    login = _unique("carol")
    announced: list[object] = []
    guard.install(owner)
    manager = AgentsRolesDialog(Session(owner, None), announced.append)
    qtbot.addWidget(manager)
    manager.show()
    try:
        guard.armed = True
        qtbot.waitUntil(lambda: not manager.busy, timeout=10000)
        qtbot.keyClicks(manager.new_name, "Carol Agent")
        qtbot.keyClicks(manager.new_login, login)
        qtbot.keyClicks(manager.new_password, "carols own words")
        qtbot.mouseClick(manager.add_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not manager.busy and manager.table.rowCount() == 1,
                        timeout=10000)
        guard.armed = False
        assert guard.seen == []
        assert manager.error.text() == ""
        cells = [manager.table.item(0, c).text() for c in range(4)]
        assert cells == ["Carol Agent", login, "Agent", "signs in"]
        assert announced

        dialog = _dialog(qtbot, owner.url)
        _sign_in(qtbot, dialog, login, "carols own words")
        qtbot.waitUntil(lambda: dialog.signed_in is not None, timeout=10000)
        assert _signed_in_as(dialog) == "Carol Agent"
    finally:
        manager.close()
        _drop(owner, login)


def test_an_unknown_login_is_named(qtbot: Any, team: Team) -> None:
    team.add("Ann", "agent")
    nobody = _unique("nobody")
    dialog = _dialog(qtbot, team.url)
    _sign_in(qtbot, dialog, nobody, "")
    assert dialog.signed_in is None
    assert f"The server has no login called {nobody}" in dialog.error.text()


def test_a_login_no_agent_is_mapped_to_is_told_to_ask_an_admin(
        qtbot: Any, team: Team, role_url: RoleUrl) -> None:
    team.add("Ann", "agent")
    stranger_url = role_url("GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}")
    stranger = sign_in.login_of(stranger_url)
    dialog = _dialog(qtbot, team.url)
    _sign_in(qtbot, dialog, stranger, "")
    assert dialog.signed_in is None
    assert f"no agent of this desk signs in as {stranger}" in dialog.error.text()


def test_an_empty_password_lets_the_servers_own_ways_sign_in(qtbot: Any, team: Team) -> None:
    _, login = team.add("Ann", "viewer")
    dialog = _dialog(qtbot, url_as(team.url, "someone_else"))
    assert dialog.login.text() == "someone_else"  # the URL's user fills the login
    _sign_in(qtbot, dialog, login, "")  # the test server trusts it, as .pgpass would answer
    qtbot.waitUntil(lambda: dialog.signed_in is not None, timeout=10000)
    assert _signed_in_as(dialog) == "Ann"


def test_at_start_a_refused_sign_in_shows_the_dialog_which_may_remember_the_password(
        qtbot: Any, owner: Store, keyring: FakeKeyring, tmp_path: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QSettings

    login = _unique("dora")
    team_roles.add_agent_role(Session(owner, None), "Dora", "agent", login=login,
                              password=DORAS)
    monkeypatch.delenv("TICKETDESK_DB", raising=False)
    seen: list[str] = []

    def sign(dialog: Any) -> None:
        seen.append(dialog.error.text())
        dialog.password.setText(DORAS)
        dialog.remember.setChecked(True)
        dialog.sign_in_button.click()

    answer_modal(sign)
    url = sign_in.url_for_login(owner.url, login)
    store = open_desk(url, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    try:
        agent = team_roles.whoami(store)
        assert agent is not None
        assert agent.name == "Dora"
    finally:
        store.close()
        _drop(owner, login)
    assert len(seen) == 1
    assert seen[0].startswith(f"The server wants a password for {login}")
    assert list(keyring.saved.values()) == [DORAS]


def _drop(owner: Store, login: str) -> None:
    """The login and, when it was the last, the desk's group roles (server-wide names)."""
    import psycopg

    from ticketdesk.db import postgres_roles

    groups = list(postgres_roles.group_names(owner.db).values())
    owner.close()
    with psycopg.connect(owner.url.split("?")[0], autocommit=True) as admin:
        for name in (login, *groups):
            if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE usename = %s", (name,))
                admin.execute(f'DROP OWNED BY "{name}"')
                admin.execute(f'DROP ROLE "{name}"')
