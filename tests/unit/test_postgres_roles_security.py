"""Issue 20: on a team desk the server says who did it and what each role may do.

Each agent connects as their own login role. Every check here is tried the way a hostile
desktop would: plain SQL on the agent's own connection (psycopg, trust auth on the test
server), not only through the services. The roles are real server roles, cluster-wide, with
names unique to the test, dropped afterwards together with the desk's group roles."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import pg_url
from tests.unit.test_postgres_roles import url_as
from ticketdesk.db import postgres_roles
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.filters import Sort, TicketFilter
from ticketdesk.domain.period import PeriodKind
from ticketdesk.domain.status import Priority, Status
from ticketdesk.domain.view_spec import ViewSpec
from ticketdesk.services import (
    agents,
    analytics,
    assignees,
    attachments,
    customers,
    drafts,
    export,
    messages,
    notes,
    saved_views,
    team_roles,
    ticket_list,
    tickets,
)
from ticketdesk.services.attachments import NewFile
from ticketdesk.services.session import Session
from ticketdesk.services.tickets import NewCustomer

pytestmark = pytest.mark.postgres

NOW = 1_780_000_000


@dataclass
class Team:
    store: Store  # the desk's owner (the test server's superuser)
    url: str
    prefix: str
    admin: Any
    logins: list[str] = field(default_factory=list)
    opened: list[Any] = field(default_factory=list)

    @property
    def owner(self) -> Session:
        return Session(self.store, None)

    def add(self, name: str, role: str) -> tuple[int, str]:
        login = f"{self.prefix}_{name.lower()}"
        self.logins.append(login)
        agent_id, _ = team_roles.add_agent_role(self.owner, name, role, login=login)
        return agent_id, login

    def connect(self, login: str) -> Any:
        conn = psycopg.connect(url_as(self.url, login), autocommit=True)
        self.opened.append(conn)
        return conn

    def open_as(self, login: str) -> Store:
        store = open_database(url_as(self.url, login))
        self.opened.append(store)
        return store


def _drop_roles(admin: Any, names: list[str]) -> None:
    for name in names:
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE usename = %s", (name,))
            admin.execute(f'DROP OWNED BY "{name}"')
            admin.execute(f'DROP ROLE "{name}"')


def _groups_of(admin: Any, schema: str) -> list[str]:
    (database, namespace) = admin.execute(
        "SELECT (SELECT oid FROM pg_database WHERE datname = current_database()), "
        "(SELECT oid FROM pg_namespace WHERE nspname = %s)", (schema,)).fetchone()
    return [f"ticketdesk_{database}_{namespace}_{r}" for r in postgres_roles.ROLES]


@pytest.fixture
def team(pg_admin: Any, pg_schema: str) -> Iterator[Team]:
    url = pg_url(pg_schema)
    store = open_database(url)
    made = Team(store, url, f"td{uuid.uuid4().hex[:8]}", pg_admin)
    groups = _groups_of(pg_admin, pg_schema)
    try:
        yield made
    finally:
        for opened in made.opened:
            opened.close()
        store.close()
        _drop_roles(pg_admin, made.logins + groups)


@pytest.fixture
def ticket(team: Team) -> int:
    return int(tickets.create_ticket(team.owner, subject="Printer on fire").new_id)


def _activity_agents(team: Team, ticket_id: int) -> list[int | None]:
    return [a for (a,) in team.admin.execute(
        f'SELECT agent_id FROM "{_schema(team)}".activity WHERE ticket_id = %s ORDER BY id',
        (ticket_id,)).fetchall()]


def _schema(team: Team) -> str:
    return str(team.store.db.execute_sql("SELECT current_schema()").fetchone()[0])


# -- who wrote it is the server's word ------------------------------------------------------------


def test_an_agent_cannot_write_an_activity_row_in_another_agents_name(
        team: Team, ticket: int) -> None:
    ann, ann_login = team.add("Ann", "agent")
    bob, _ = team.add("Bob", "agent")
    conn = team.connect(ann_login)
    conn.execute("INSERT INTO activity (ticket_id, agent_id, at, kind, ticket_version) "
                 "VALUES (%s, %s, %s, 'status', 1)", (ticket, bob, NOW))
    conn.execute("INSERT INTO activity (ticket_id, agent_id, at, kind, ticket_version) "
                 "VALUES (%s, NULL, %s, 'status', 1)", (ticket, NOW))
    assert _activity_agents(team, ticket)[-2:] == [ann, ann]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE activity SET agent_id = %s", (bob,))  # the trail is append-only


def test_set_role_to_the_desks_group_does_not_shed_the_agents_identity(
        team: Team, ticket: int) -> None:
    ann, ann_login = team.add("Ann", "agent")
    bob, bob_login = team.add("Bob", "agent")
    bobs, _ = notes.add_note(Session(team.open_as(bob_login), None), ticket, "Bob's finding")
    group = postgres_roles.group_names(team.store.db)["agent"]
    conn = team.connect(ann_login)
    conn.execute(f'SET ROLE "{group}"')
    conn.execute("INSERT INTO activity (ticket_id, agent_id, at, kind, ticket_version) "
                 "VALUES (%s, %s, %s, 'status', 1)", (ticket, bob, NOW))
    assert _activity_agents(team, ticket)[-1] == ann
    assert conn.execute("UPDATE note SET body = 'defaced' WHERE id = %s", (bobs,)).rowcount == 0
    assert conn.execute("DELETE FROM note WHERE id = %s", (bobs,)).rowcount == 0


def test_a_temporary_table_called_agent_does_not_fool_the_server(
        team: Team, ticket: int) -> None:
    ann, ann_login = team.add("Ann", "agent")
    bob, _ = team.add("Bob", "agent")
    conn = team.connect(ann_login)
    conn.execute("CREATE TEMP TABLE agent (id bigint, role text, db_role text)")
    conn.execute("INSERT INTO pg_temp.agent VALUES (%s, 'admin', %s)", (bob, ann_login))
    conn.execute(f'SET search_path = pg_temp, "{_schema(team)}"')
    conn.execute("INSERT INTO activity (ticket_id, agent_id, at, kind, ticket_version) "
                 "VALUES (%s, %s, %s, 'status', 1)", (ticket, bob, NOW))
    assert _activity_agents(team, ticket)[-1] == ann


def test_a_note_saved_by_an_agents_store_names_that_agent_whatever_the_client_claims(
        team: Team, ticket: int) -> None:
    ann, ann_login = team.add("Ann", "agent")
    bob, _ = team.add("Bob", "agent")
    store = team.open_as(ann_login)
    note_id, _ = notes.add_note(Session(store, bob), ticket, "Toner replaced")
    (note,) = notes.notes_for(ticket)
    assert (note.id, note.author_id, note.author) == (note_id, ann, "Ann")
    assert set(_activity_agents(team, ticket)[1:]) == {ann}


def test_an_unmapped_owner_writes_what_it_sends_as_before(team: Team, ticket: int) -> None:
    _, _ = team.add("Ann", "agent")
    bob, _ = team.add("Bob", "agent")
    notes.add_note(team.owner.as_agent(bob), ticket, "Imported from the old desk")
    assert notes.notes_for(ticket)[0].author_id == bob


# -- what an agent may not do ---------------------------------------------------------------------


@pytest.mark.parametrize("statement", [
    "INSERT INTO desk_meta (key, value) VALUES ('sla_rules', '9')",
    "UPDATE desk_meta SET value = 'x'",
    "DELETE FROM sla_policy",
    "UPDATE sla_hours SET week = ''",
    "INSERT INTO sla_holiday (day) VALUES ('2026-12-25')",
    "UPDATE agent SET role = 'admin'",
    "INSERT INTO agent (name, active, created_at) VALUES ('Mallory', true, 0)",
    "DELETE FROM ticket",
    "DELETE FROM activity",
    "UPDATE tag SET name = 'renamed'",
    "UPDATE desk_meta SET value = ''",  # the mail settings live here
    "DELETE FROM routing_rule",
    "UPDATE routing_rule SET active = false",  # only round robin's cursor moves for agents
    "DELETE FROM team_member",
    "DELETE FROM agent_tag_skill",
])
def test_an_agent_cannot_change_settings_agents_or_the_history(
        team: Team, ticket: int, statement: str) -> None:
    _, login = team.add("Ann", "agent")
    conn = team.connect(login)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_an_agent_cannot_update_or_delete_another_agents_note_but_may_their_own(
        team: Team, ticket: int) -> None:
    _, ann_login = team.add("Ann", "agent")
    _, bob_login = team.add("Bob", "agent")
    bobs, _ = notes.add_note(Session(team.open_as(bob_login), None), ticket, "Bob's finding")
    conn = team.connect(ann_login)
    assert conn.execute("UPDATE note SET body = 'defaced' WHERE id = %s", (bobs,)).rowcount == 0
    assert conn.execute("DELETE FROM note WHERE id = %s", (bobs,)).rowcount == 0
    assert conn.execute("UPDATE note SET author_id = NULL WHERE id = %s", (bobs,)).rowcount == 0
    assert [n.body for n in notes.notes_for(ticket)] == ["Bob's finding"]
    ann_store = team.open_as(ann_login)
    with pytest.raises(ValidationError, match="only the notes you wrote"):
        notes.edit_note(Session(ann_store, None), bobs, 1, "defaced")
    with pytest.raises(ValidationError, match="only the notes you wrote"):
        notes.delete_note(Session(ann_store, None), bobs, 1)
    assert [n.body for n in notes.notes_for(ticket)] == ["Bob's finding"]
    kinds = [k for (k,) in team.admin.execute(
        f'SELECT kind FROM "{_schema(team)}".activity WHERE ticket_id = %s', (ticket,))]
    assert "note_edited" not in kinds
    assert "note_deleted" not in kinds
    anns = conn.execute("INSERT INTO note (ticket_id, body, created_at, updated_at) "
                        "VALUES (%s, 'mine', 0, 0) RETURNING id", (ticket,)).fetchone()[0]
    assert conn.execute("UPDATE note SET body = 'mine, edited' WHERE id = %s",
                        (anns,)).rowcount == 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # row security's WITH CHECK
        conn.execute("UPDATE note SET author_id = NULL WHERE id = %s", (anns,))
    assert conn.execute("DELETE FROM note WHERE id = %s", (anns,)).rowcount == 1


def test_agents_work_tickets_through_the_services_on_their_own_login(
        team: Team, ticket: int) -> None:
    ann, login = team.add("Ann", "agent")
    session = Session(team.open_as(login), ann)
    created = tickets.create_ticket(session, subject="Scanner jams", tags=["hardware"]).new_id
    note_id, _ = notes.add_note(session, created, "Tray 2")
    notes.edit_note(session, note_id, 1, "Tray 2 again")
    assert [n.body for n in notes.notes_for(created)] == ["Tray 2 again"]


# -- viewers and admins ---------------------------------------------------------------------------


@pytest.mark.parametrize("statement", [
    "INSERT INTO note (ticket_id, body, created_at, updated_at) VALUES (1, 'x', 0, 0)",
    "UPDATE ticket SET subject = 'x'",
    "INSERT INTO activity (ticket_id, at, kind, ticket_version) VALUES (1, 0, 'status', 1)",
    "DELETE FROM ticket_tag",
    "INSERT INTO tag (name) VALUES ('x')",
    "INSERT INTO draft (agent_id, ticket_id, kind, body, updated_at) VALUES (1, 1, 'n', 'x', 0)",
    "UPDATE desk_meta SET value = 'x'",
])
def test_a_viewer_cannot_write_at_all(team: Team, ticket: int, statement: str) -> None:
    _, login = team.add("Vera", "viewer")
    conn = team.connect(login)
    assert conn.execute("SELECT count(*) FROM ticket").fetchone()[0] == 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_an_admin_can_change_settings_and_any_note(team: Team, ticket: int) -> None:
    admin_id, admin_login = team.add("Ada", "admin")
    _, bob_login = team.add("Bob", "agent")
    bobs, _ = notes.add_note(Session(team.open_as(bob_login), None), ticket, "Bob's finding")
    conn = team.connect(admin_login)
    conn.execute("INSERT INTO desk_meta (key, value) VALUES ('test_setting', '1')")
    assert conn.execute("UPDATE note SET body = 'tidied' WHERE id = %s", (bobs,)).rowcount == 1
    assert conn.execute("DELETE FROM note WHERE id = %s", (bobs,)).rowcount == 1
    conn.execute("INSERT INTO activity (ticket_id, agent_id, at, kind, ticket_version) "
                 "VALUES (%s, NULL, %s, 'status', 1)", (ticket, NOW))
    assert _activity_agents(team, ticket)[-1] == admin_id  # admins are stamped too


# -- managing sign-ins ----------------------------------------------------------------------------


def test_whoami_is_the_agent_mapped_to_the_login_and_switch_agent_is_off_for_them(
        team: Team) -> None:
    ann, login = team.add("Ann", "agent")
    store = team.open_as(login)
    me = team_roles.whoami(store)
    assert me is not None
    assert (me.id, me.name) == (ann, "Ann")
    allowed, reason = team_roles.switch_agent_allowed(store, me)
    assert not allowed
    assert "signed in to this team desk as Ann" in reason
    assert team_roles.whoami(team.store) is None  # the owner is nobody's login
    assert team_roles.switch_agent_allowed(team.store, None) == (True, "")


def test_a_deactivated_agent_cannot_sign_in_until_reactivated(team: Team) -> None:
    _, login = team.add("Ann", "agent")
    still_open = team.connect(login)
    team_roles.set_active(team.owner, "ann", False)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # at once, not at next sign-in
        still_open.execute(f'SELECT count(*) FROM "{_schema(team)}".ticket')
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        team.connect(login)
    (row,) = [r for r in team_roles.list_agent_roles(team.store) if r.name == "Ann"]
    assert (row.active, row.login, row.role, row.can_login) == (False, login, "agent", False)
    team_roles.set_active(team.owner, "Ann", True)
    assert team.connect(login).execute("SELECT count(*) FROM ticket").fetchone()[0] == 0


def test_a_role_change_moves_the_login_between_the_groups(team: Team, ticket: int) -> None:
    _, login = team.add("Ann", "agent")
    team_roles.change_role(team.owner, "Ann", "viewer")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        team.connect(login).execute("UPDATE ticket SET subject = 'x'")
    team_roles.change_role(team.owner, "Ann", "admin")
    team.connect(login).execute("UPDATE desk_meta SET value = value")
    assert [(r.name, r.role) for r in team_roles.list_agent_roles(team.store)] == [
        ("Ann", "admin")]


def test_an_admin_login_adds_agents_and_an_agent_login_may_not(team: Team) -> None:
    _, ada = team.add("Ada", "admin")
    _, ann = team.add("Ann", "agent")
    team.logins.append(f"{team.prefix}_carl")
    team_roles.add_agent_role(Session(team.open_as(ada), None), "Carl", "agent",
                              login=f"{team.prefix}_carl")
    with pytest.raises(ValidationError, match="Only an admin"):
        team_roles.add_agent_role(Session(team.open_as(ann), None), "Dan", "agent",
                                  login=f"{team.prefix}_dan")
    assert {r.name for r in team_roles.list_agent_roles(team.store)} == {"Ada", "Ann", "Carl"}


def test_an_existing_agent_is_mapped_not_duplicated_and_a_login_maps_one_agent(
        team: Team) -> None:
    ann, _ = agents.create_agent(team.owner, "Ann")
    mapped, login = team.add("ann", "agent")
    assert mapped == ann
    with pytest.raises(ValidationError, match="already signs in as Ann"):
        team_roles.add_agent_role(team.owner, "Bob", "agent", login=login)


@pytest.mark.parametrize("login", ["Robert'); DROP TABLE ticket; --", "pg_ann", "", "9lives"])
def test_a_login_name_that_is_not_plain_is_refused(team: Team, login: str) -> None:
    with pytest.raises(ValidationError, match="cannot be a database login name"):
        team_roles.add_agent_role(team.owner, "Ann", "agent", login=login)
    assert team_roles.list_agent_roles(team.store) == []


def test_two_desks_on_one_server_have_their_own_groups(
        team: Team, pg_admin: Any) -> None:
    _, login = team.add("Ann", "agent")
    other = f"td_{uuid.uuid4().hex[:8]}_other"
    pg_admin.execute(f'CREATE SCHEMA "{other}"')
    store = open_database(pg_url(other))
    try:
        mine = postgres_roles.group_names(team.store.db)
        theirs = postgres_roles.group_names(store.db)
        assert set(mine.values()).isdisjoint(theirs.values())
        conn = team.connect(login)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'SELECT count(*) FROM "{other}".ticket')
    finally:
        store.close()
        pg_admin.execute(f'DROP SCHEMA "{other}" CASCADE')


def test_the_password_verifier_is_the_one_the_server_makes(team: Team) -> None:
    name = f"{team.prefix}_pw"
    team.logins.append(name)
    team.admin.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD 'correct horse'")
    (stored,) = team.admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                                   (name,)).fetchone()
    iterations, salt = stored.split("$")[1].split(":")
    import base64

    assert postgres_roles.scram_verifier(
        "correct horse", salt=base64.b64decode(salt), iterations=int(iterations)) == stored


def test_a_desk_file_has_nobody_to_sign_in(sqlite_url: str) -> None:
    store = open_database(sqlite_url)
    try:
        with pytest.raises(ValidationError, match="one user"):
            team_roles.add_agent_role(Session(store, None), "Ann", "agent")
        assert team_roles.whoami(store) is None
        assert team_roles.switch_agent_allowed(store, None) == (True, "")
    finally:
        store.close()


# -- the rights are enough for the day's work -----------------------------------------------------


def test_an_agents_login_does_a_days_work_and_a_viewers_login_reads_everything(
        team: Team, ticket: int, tmp_path: Path) -> None:
    ann, login = team.add("Ann", "agent")
    bob, _ = team.add("Bob", "agent")
    _, viewer = team.add("Vera", "viewer")
    store = team.open_as(login)
    me = Session(store, ann)
    new = tickets.create_ticket(me, subject="Scanner jams", tags=["hardware", "scanner"],
                                new_customer=NewCustomer("Carol Customer", "carol@example.com"),
                                assignee_ids=[bob]).new_id
    _at_latest(me, new, lambda v: tickets.set_status(me, new, v, Status.IN_PROGRESS))
    _at_latest(me, new, lambda v: assignees.assign(me, new, v, ann))
    _at_latest(me, new, lambda v: assignees.add_tag(me, new, v, "urgent-ish"))
    _at_latest(me, new, lambda v: tickets.set_priority(me, new, v, Priority.HIGH))
    messages.add_message(me, new, "We are on it.", files=[NewFile("log.txt", b"jam at 3")])
    attachments.remove_attachment(me, attachments.attachments_for(new)[0].id)
    drafts.save_draft(me, new, "note", "half a thought")
    drafts.discard_draft(me, new, "note")
    customers.create_customer(me, "Dan Customer", email="dan@example.com")
    first = ticket_list.first_page(store, TicketFilter(text="scanner"), Sort())
    assert [row.id for row in first] == [new]

    reader = team.open_as(viewer)
    assert ticket_list.count(reader, TicketFilter()) == 2
    report = analytics.compute(reader, analytics.period_for(reader, PeriodKind.ALL_TIME))
    assert report is not None
    export.export_tickets(reader, tmp_path / "all.csv")
    assert len((tmp_path / "all.csv").read_text(encoding="utf-8").splitlines()) == 3


def _at_latest(session: Session, ticket_id: int, change: Callable[[int], object]) -> None:
    version = tickets.ticket_version(session, ticket_id)
    assert version is not None
    change(version)


def test_your_own_login_can_only_be_mapped_as_an_admin(team: Team) -> None:
    own = postgres_roles.current_login(team.store.db)
    with pytest.raises(ValidationError, match="Your own login can only be given the admin role"):
        team_roles.add_agent_role(team.owner, "Owner", "agent", login=own)
    assert team_roles.list_agent_roles(team.store) == []


def test_drafts_are_their_writers_own(team: Team, ticket: int) -> None:
    ann, ann_login = team.add("Ann", "agent")
    _, bob_login = team.add("Bob", "admin")
    drafts.save_draft(Session(team.open_as(ann_login), ann), ticket, "note", "half a thought")
    bobs = team.connect(bob_login)
    assert bobs.execute("SELECT count(*) FROM draft").fetchone()[0] == 0
    assert bobs.execute("UPDATE draft SET body = 'x'").rowcount == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # not in Ann's name either
        bobs.execute("INSERT INTO draft (agent_id, ticket_id, kind, body, updated_at) "
                     "VALUES (%s, %s, 'reply', 'x', 0)", (ann, ticket))
    assert drafts.drafts_for(Session(team.open_as(ann_login), ann), ticket)["note"].body == (
        "half a thought")


def test_a_private_saved_view_is_its_owners_alone_and_a_shared_one_only_its_owners_to_change(
        team: Team) -> None:
    ann, ann_login = team.add("Ann", "agent")
    bob, bob_login = team.add("Bob", "agent")
    bobs_session = Session(team.open_as(bob_login), bob)
    private = saved_views.save_view(bobs_session, "Bob's backlog", ViewSpec(TicketFilter()))
    shared = saved_views.save_view(bobs_session, "Team queue", ViewSpec(TicketFilter()),
                                   shared=True)
    anns = team.connect(ann_login)
    seen = {name for (name,) in anns.execute("SELECT name FROM saved_view").fetchall()}
    assert seen == {"Team queue"}
    assert anns.execute("UPDATE saved_view SET name = 'mine now'").rowcount == 0
    assert anns.execute("DELETE FROM saved_view").rowcount == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # not in Bob's name either
        anns.execute("INSERT INTO saved_view (owner_id, name, shared, position, filter_json, "
                     "sort, columns, created_at, updated_at) VALUES "
                     "(%s, 'sneaky', true, 9, '{}', '', '', 0, 0)", (bob,))
    listed = saved_views.list_views(team.open_as(ann_login), ann)
    assert [v.name for v in listed if not v.built_in] == ["Team queue"]
    own = saved_views.save_view(Session(team.open_as(ann_login), ann), "Ann's", ViewSpec(
        TicketFilter()))
    assert own.owner_id == ann
    assert {v.id for v in saved_views.list_views(team.open_as(bob_login), bob)
            if not v.built_in} == {private.id, shared.id}


def test_the_window_learns_the_role_and_why_an_action_is_withheld(team: Team) -> None:
    _, vera = team.add("Vera", "viewer")
    _, ann = team.add("Ann", "agent")
    _, ada = team.add("Ada", "admin")
    roles = {login: team_roles.signed_in_role(team.open_as(login)) for login in (vera, ann, ada)}
    assert roles == {vera: "viewer", ann: "agent", ada: "admin"}
    assert team_roles.signed_in_role(team.store) is None
    assert team_roles.withheld("agent", "write") is None
    assert "Only an admin" in (team_roles.withheld("agent", "sla") or "")
    assert "viewer" in (team_roles.withheld("viewer", "write") or "")
    assert team_roles.withheld("admin", "agents") is None
    assert team_roles.withheld(None, "sla") is None


def test_an_owner_that_is_not_a_superuser_sets_up_sign_in(pg_admin: Any) -> None:
    """The usual server: the desk's owner has CREATEROLE but is no superuser."""
    prefix = f"td{uuid.uuid4().hex[:8]}"
    owner, schema = f"{prefix}_owner", f"td_{uuid.uuid4().hex[:8]}_owned"
    pg_admin.execute(f'CREATE ROLE "{owner}" LOGIN CREATEROLE')
    pg_admin.execute(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{owner}"')
    url = url_as(pg_url(schema), owner)
    store = open_database(url)
    made = Team(store, url, prefix, pg_admin)
    try:
        ticket_id = int(tickets.create_ticket(made.owner, subject="Printer on fire").new_id)
        ann, ann_login = made.add("Ann", "agent")
        _, ada_login = made.add("Ada", "admin")
        conn = made.connect(ann_login)
        conn.execute("INSERT INTO activity (ticket_id, agent_id, at, kind, ticket_version) "
                     "VALUES (%s, NULL, %s, 'status', 1)", (ticket_id, NOW))
        assert conn.execute("SELECT agent_id FROM activity ORDER BY id DESC LIMIT 1"
                            ).fetchone()[0] == ann
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE desk_meta SET value = value")
        made.logins.append(f"{prefix}_carl")
        team_roles.add_agent_role(Session(made.open_as(ada_login), None), "Carl", "viewer",
                                  login=f"{prefix}_carl")
        assert {(r.name, r.role) for r in team_roles.list_agent_roles(store)} == {
            ("Ada", "admin"), ("Ann", "agent"), ("Carl", "viewer")}
    finally:
        for opened in made.opened:
            opened.close()
        store.close()
        groups = _groups_of(pg_admin, schema)
        pg_admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        _drop_roles(pg_admin, [*made.logins, *groups, owner])
