"""Signing in on a team desk (issue 20): agents as database logins, with a role each.

On a PostgreSQL desk every agent may connect as their own login role; the desk maps the login
to the agent (`agent.db_role`) and gives it one of three roles, which the server enforces
(migration 15 and `db/postgres_roles.py`; ticketdesk/ARCHITECTURE.md, "Signing in on a team
desk"). The window and the command line only mirror what the server decides.

Each change is one transaction: the CREATE/ALTER ROLE, the GRANTs and the agent row commit
together or not at all (PostgreSQL's role statements are transactional). The activity table
records changes to tickets only, so these changes leave no activity row; the agent row itself
says who has which role.

A desk file (SQLite) has one user and nothing to sign in to: there the desk's agent is chosen
with *Switch Agent*, and these operations refuse with a message saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import fn

from ticketdesk.db import postgres_roles as pg
from ticketdesk.db.models import Agent
from ticketdesk.db.store import Store
from ticketdesk.domain import text
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import AgentRecord
from ticketdesk.services.session import Session

ROLES = pg.ROLES

SINGLE_USER = ("A desk file has one user and nothing to sign in to; database logins and roles "
               "are for a team desk on PostgreSQL.")


@dataclass(frozen=True)
class AgentRole:
    """An agent with their sign-in: `login` None when the agent has no database login;
    `can_login` None when the login role does not exist (dropped by hand)."""

    id: int
    name: str
    email: str
    active: bool
    login: str | None
    role: str
    can_login: bool | None


def signs_in(store: Store) -> bool:
    """Whether agents of this desk sign in as themselves (a team desk) rather than being
    chosen with *Switch Agent* (a desk file)."""
    return not store.is_sqlite


def whoami(store: Store) -> AgentRecord | None:
    """The agent this connection is, by the server's word: the one mapped to the login it
    signed in with (`session_user`, as the server's triggers decide: migration 15).
    None on a desk file, and for a login no agent is mapped to (the desk's owner, a desk whose
    agents have no logins yet): then the desk works as before sign-in existed."""
    if store.is_sqlite:
        return None
    with store.read():
        row = store.db.execute_sql(
            "SELECT id, name, email, active FROM agent WHERE db_role = session_user::text"
        ).fetchone()
    return AgentRecord(int(row[0]), row[1], row[2], bool(row[3])) if row else None


def signed_in_role(store: Store) -> str | None:
    """The role of the agent this connection signed in as; None when nobody is signed in (a
    desk file, an unmapped login): then nothing is withheld beyond what the server refuses."""
    if store.is_sqlite:
        return None
    with store.read():
        row = store.db.execute_sql(
            "SELECT role FROM agent WHERE db_role = session_user::text").fetchone()
    return str(row[0]) if row else None


ADMIN_ONLY = frozenset({"settings", "sla", "mail", "agents", "tags", "purge", "import",
                        "others_notes"})
"""What only an admin may do on a team desk, by the names the window's actions use."""

_REASONS = {
    "viewer": "You are signed in as a viewer: you can read and analyse this desk, not change it.",
    "agent": "Only an admin of this team desk can do this; you are signed in as an agent.",
}


def withheld(role: str | None, what: str) -> str | None:
    """Why a signed-in `role` may not do `what` ("settings", "sla", "agents", "tags", "purge",
    "import", "others_notes", or "write" for any change), or None if it may. The window shows
    the action disabled with this reason; the server refuses it anyway."""
    if role is None or role == "admin":
        return None
    if role == "viewer":
        return _REASONS["viewer"]
    return _REASONS["agent"] if what in ADMIN_ONLY else None


def switch_agent_allowed(store: Store, signed_in: AgentRecord | None) -> tuple[bool, str]:
    """Whether *Switch Agent* may be offered, and if not the reason to show beside it.
    `signed_in` is `whoami(store)`, asked off the GUI thread."""
    if not signs_in(store):
        return True, ""
    if signed_in is None:
        return True, ""  # nobody is mapped to this login: the desk works as before
    return False, (f"You are signed in to this team desk as {signed_in.name}; to work as "
                   "someone else, connect with their database login.")


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError(f"{role!r} is not a role; choose one of {', '.join(ROLES)}.")
    return role


def _refuse_sqlite(session: Session) -> None:
    if session.store.is_sqlite:
        raise ValidationError(SINGLE_USER)


def _agent_named(name: str) -> Any:
    agent = Agent.get_or_none(fn.lower(Agent.name) == fn.lower(name.strip()))
    if agent is None:
        raise NotFoundError(f"There is no agent called {name.strip()!r}.")
    return agent


def _check_may_manage(db: Any) -> None:
    if not pg.may_create_roles(db):
        raise ValidationError(
            "Only an admin of this desk (or its owner, with permission to create roles) may "
            "add agents or change their roles.")


def add_agent_role(session: Session, name: str, role: str, *, login: str | None = None,
                   password: str | None = None, email: str = "") -> tuple[int, Changes]:
    """Give the agent called `name` (created if there is none) a database login with `role`.
    The login is `login`, or one made from the name ("Ann Data" -> `ann_data`); a login role
    that exists already is mapped and given LOGIN (and the password, if one is given)."""
    _refuse_sqlite(session)
    _check_role(role)
    clean_name = text.name(name, "agent's name")
    clean_email = text.email(email)
    chosen = pg.check_login(login if login is not None else pg.login_for(clean_name))
    if password is not None and not password:
        raise ValidationError("The password is empty; give one, or none to sign in another "
                              "way (client certificate, Kerberos, .pgpass).")
    db = session.store.db
    with session.store.write():
        _check_may_manage(db)
        taken = Agent.get_or_none(Agent.db_role == chosen)
        agent = Agent.get_or_none(fn.lower(Agent.name) == fn.lower(clean_name))
        if taken is not None and (agent is None or taken.id != agent.id):
            raise ValidationError(f"The login {chosen!r} already signs in as {taken.name}.")
        if agent is not None and agent.db_role and agent.db_role != chosen:
            raise ValidationError(f"{agent.name} already signs in as {agent.db_role!r}.")
        if chosen == pg.current_login(db) and role != "admin":
            raise ValidationError("Your own login can only be given the admin role; add the "
                                  "agent with another login, or ask another admin.")
        groups = pg.ensure_groups(db)
        pg.create_login(db, chosen, password)
        pg.set_membership(db, chosen, role, groups)
        if agent is None:
            agent_id = int(Agent.insert(name=clean_name, email=clean_email, active=True,
                                        created_at=session.now(), db_role=chosen,
                                        role=role).execute())
        else:
            agent_id = agent.id
            Agent.update({Agent.db_role: chosen, Agent.role: role, Agent.active: True}).where(
                Agent.id == agent_id).execute()
    return agent_id, Changes(agents=True)


def _mapped(name: str) -> Any:
    agent = _agent_named(name)
    if not agent.db_role:
        raise ValidationError(f"{agent.name} has no database login; add one with "
                              f"`ticketdesk agents add {agent.name!r} --role agent`.")
    return agent


def set_active(session: Session, name: str, active: bool) -> Changes:
    """Deactivate (NOLOGIN, out of every group, the agent inactive) or reactivate an agent.
    A deactivated agent's open sessions lose the desk's rights at once (privileges are checked
    on every statement); their history keeps their name."""
    _refuse_sqlite(session)
    db = session.store.db
    with session.store.write():
        _check_may_manage(db)
        agent = _mapped(name)
        if agent.db_role == pg.current_login(db) and not active:
            raise ValidationError("You cannot deactivate yourself; ask another admin.")
        groups = pg.group_names(db)
        pg.set_login(db, agent.db_role, active)
        pg.set_membership(db, agent.db_role, agent.role if active else None, groups)
        Agent.update({Agent.active: active}).where(Agent.id == agent.id).execute()
    return Changes(agents=True)


def change_role(session: Session, name: str, role: str) -> Changes:
    _refuse_sqlite(session)
    _check_role(role)
    db = session.store.db
    with session.store.write():
        _check_may_manage(db)
        agent = _mapped(name)
        if agent.role == role:
            return Changes()
        if agent.db_role == pg.current_login(db) and agent.role == "admin":
            raise ValidationError("You cannot take away your own admin role; ask another admin.")
        if agent.active:
            pg.set_membership(db, agent.db_role, role, pg.group_names(db))
        Agent.update({Agent.role: role}).where(Agent.id == agent.id).execute()
    return Changes(agents=True)


def list_agent_roles(store: Store) -> list[AgentRole]:
    """Every agent with their login and role, active first, by name."""
    with store.read():
        agents = list(Agent.select().order_by(Agent.active.desc(), fn.lower(Agent.name)))
        logins = [a.db_role for a in agents if a.db_role]
        status = pg.can_login(store.db, logins) if logins and not store.is_sqlite else {}
    return [AgentRole(a.id, a.name, a.email, bool(a.active), a.db_role, a.role,
                      status.get(a.db_role) if a.db_role else None) for a in agents]
