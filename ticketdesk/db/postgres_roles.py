"""The server side of signing in on a team desk: group roles, GRANTs, login roles.

PostgreSQL roles belong to the whole server, not to one database, so each desk's group roles
carry the desk's identity: `ticketdesk_<database oid>_<schema oid>_admin` (and `_agent`,
`_viewer`). Two desks on one server, even two `public` schemas of two databases, never share a
group. The names survive renaming the schema or the database; a dump restored elsewhere gets
new oids, and `ensure_groups` (run by `ticketdesk agents add`) makes its groups afresh.

What each group may do (ticketdesk/ARCHITECTURE.md, "Signing in on a team desk"):

- viewer: SELECT on every table of the desk but the secrets;
- agent: by `TABLE_POLICY`: ticket work on every table it does not name (so a table a later
  migration adds is usable at once), narrower rights where it says so (no UPDATE or DELETE of
  activity, no DELETE of tickets), and only SELECT on the admin-only tables it names (agents,
  settings, SLA, routing, the recycle bin) or nothing at all on secrets (API tokens);
- admin: every privilege on every table and sequence.

The desk's owner (the role that ran the migrations) owns the tables and stays above all this.
Only a role that may create roles (the owner if it has CREATEROLE, a superuser, or an admin
login, which `agents add --role admin` gives CREATEROLE) can add logins. No SQL of this module
takes text from a user unquoted: role names are checked by `check_login` and quoted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Any

from ticketdesk.domain.errors import ValidationError

ROLES = ("admin", "agent", "viewer")

READ = "SELECT"
"""What agents get on a table whose contents only an admin changes."""

HIDDEN = ""
"""What agents and viewers get on a table only admins may even read (secrets)."""

DEFAULT_AGENT = "SELECT, INSERT, UPDATE, DELETE"
"""What agents get on a table the policy does not name: ticket work is the default, so a table a
later migration adds (links, saved views, canned responses...) is usable by agents at once."""

TABLE_POLICY: dict[str, str] = {
    # -- ticket work narrower than the default ----------------------------------------------
    "ticket": "SELECT, INSERT, UPDATE",  # deleting (to the recycle bin) is an admin's
    "message": "SELECT, INSERT",
    "attachment": "SELECT, INSERT, DELETE",
    "attachment_content": "SELECT, INSERT, DELETE",
    "activity": "SELECT, INSERT",  # append-only, and the author is stamped by the server
    "draft": "SELECT, INSERT, UPDATE, DELETE",
    "ticket_link": "SELECT, INSERT, DELETE",  # issue 18: related links
    "ticket_merge": "SELECT, INSERT, DELETE",  # issue 18: merged stubs (undo deletes)
    # Customers as records (migration 20): merging two removes one (services/customer_merge.py);
    # deleting one to the recycle bin needs `recycle_bin`, which is an admin's.
    "customer": "SELECT, INSERT, UPDATE, DELETE",
    "customer_tag": "SELECT, INSERT",
    "customer_activity": "SELECT, INSERT",  # append-only, like `activity`
    "organisation": "SELECT, INSERT, UPDATE",
    # Managed lists (migration 21): a ticket's new tag or category joins its list (insert);
    # renaming, colouring, merging and deleting are an admin's. Custom fields are defined by
    # admins; their values (`custom_value`) are ticket work.
    "tag": "SELECT, INSERT",
    "category": "SELECT, INSERT",
    "custom_field": READ,
    # Ticket work at the default, named so nobody wonders: saved views (an agent's own; row
    # security keeps private views their owner's, migration 26),
    # canned responses (the desk's, every agent keeps them), customers' addresses, custom
    # values. `outbox`, `csat_rating`, `mailbox_state` are the default too: the mail worker of
    # any agent's desktop sends, fetches and asks for ratings.
    "saved_view": DEFAULT_AGENT,
    "canned_response": DEFAULT_AGENT,
    "customer_address": DEFAULT_AGENT,
    "custom_value": DEFAULT_AGENT,
    # -- admin-only: desk settings, agents, SLA, routing, the bin, the schema itself --------
    "schema_migrations": READ,
    "desk_meta": READ,  # mail settings, SLA rule versions, rating request, bin retention
    "agent": "SELECT, UPDATE (status)",  # each agent sets their availability (issue 21)
    "agent_category_skill": READ,
    "agent_tag_skill": READ,
    "agent_open_count": READ,  # kept by triggers running with the owner's rights (m0024)
    "customer_ticket_count": READ,  # kept by triggers with the owner's rights (m0027)
    "team": READ,
    "team_member": READ,
    "sla_policy": READ,
    "sla_target": READ,
    "sla_hours": READ,
    "sla_holiday": READ,
    "routing_rule": "SELECT, UPDATE (last_agent_id)",  # round robin's cursor moves per ticket
    "routing_rule_agent": READ,
    "recycle_bin": READ,  # deleting, restoring, purging and erasing are an admin's (m0022)
    "recycle_blob": READ,
    "desk_event": READ,  # written by those admin commands (and Desk ▸ Agents…)
    # -- secrets: only admins read them ------------------------------------------------------
    "api_token": HIDDEN,  # token hashes; `ticketdesk serve` connects as the owner or an admin
}
"""The rights of the `agent` group per table; a table not named gets DEFAULT_AGENT. Viewers
read every table but the HIDDEN ones; admins may do everything. A migration that adds a table
adds a line here only if agents must not write it freely (ticketdesk/ARCHITECTURE.md, "Signing
in on a team desk"); `apply_grants` runs after every migration on PostgreSQL."""

ADMIN_ONLY = frozenset(t for t, rights in TABLE_POLICY.items()
                       if rights == HIDDEN or not ({"INSERT", "DELETE"}
                                                   & set(rights.replace(",", " ").split())))
"""The tables whose rows only an admin adds or removes."""


def agent_rights(table: str) -> str:
    return TABLE_POLICY.get(table, DEFAULT_AGENT)


def viewer_rights(table: str) -> str:
    return HIDDEN if TABLE_POLICY.get(table) == HIDDEN else READ


_LOGIN = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_login(login: str) -> str:
    """A login role name ticketdesk will create or map: lower-case letters, digits and `_`,
    at most 63 characters, not starting with `pg_` (the server reserves those)."""
    if not _LOGIN.fullmatch(login) or login.startswith("pg_"):
        raise ValidationError(
            f"{login!r} cannot be a database login name: use lower-case letters, digits and _, "
            "starting with a letter, at most 63 characters, not starting with pg_.")
    return login


def login_for(name: str) -> str:
    """The login name suggested for an agent called `name`: "Ann O'Data" -> "ann_o_data"."""
    folded = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")
    if not folded or not folded[0].isalpha():
        folded = "agent_" + folded
    return folded[:63].rstrip("_")


def group_names(db: Any) -> dict[str, str]:
    """The desk's three group roles by what they are for ("admin" -> role name)."""
    (database, schema) = db.execute_sql(
        "SELECT (SELECT oid FROM pg_database WHERE datname = current_database()), "
        "current_schema()::regnamespace::oid").fetchone()
    return {role: f"ticketdesk_{int(database)}_{int(schema)}_{role}" for role in ROLES}


def role_exists(db: Any, name: str) -> bool:
    return db.execute_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() \
        is not None


def may_create_roles(db: Any) -> bool:
    row = db.execute_sql("SELECT rolsuper OR rolcreaterole FROM pg_roles "
                         "WHERE rolname = current_user").fetchone()
    return bool(row and row[0])


def is_owner(db: Any) -> bool:
    """Whether the connection's role owns the desk's tables (may GRANT on them)."""
    row = db.execute_sql(
        "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
        "WHERE relname = 'ticket' AND relnamespace = current_schema()::regnamespace").fetchone()
    return bool(row and row[0])


def ensure_groups(db: Any) -> dict[str, str]:
    """Create the desk's group roles if missing and (re)apply their GRANTs; the owner's work.
    An admin login that is not the owner may add agents once the groups exist."""
    groups = group_names(db)
    missing = [name for name in groups.values() if not role_exists(db, name)]
    owner = is_owner(db)
    if missing and not (owner and may_create_roles(db)):
        raise ValidationError(
            "This desk has no sign-in roles yet; the desk's owner (the database user that "
            "created its tables, with permission to create roles) must add the first agent.")
    for name in missing:
        db.execute_sql(f"CREATE ROLE {quote_ident(name)} NOLOGIN")
    if owner:
        apply_grants(db, groups)
    return groups


def apply_grants(db: Any, groups: dict[str, str]) -> None:
    """The GRANTs of each group on every table of the desk, from scratch (so a table moved in
    TABLE_POLICY is right), by TABLE_POLICY."""
    tables = [t for (t,) in db.execute_sql(
        "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
        "AND relkind IN ('r', 'p', 'v') ORDER BY relname").fetchall()]
    schema = quote_ident(str(db.execute_sql("SELECT current_schema()").fetchone()[0]))
    admin, agent, viewer = (quote_ident(groups[r]) for r in ROLES)
    everyone = f"{admin}, {agent}, {viewer}"
    db.execute_sql(f"GRANT USAGE ON SCHEMA {schema} TO {everyone}")
    db.execute_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {everyone}")
    db.execute_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {everyone}")
    db.execute_sql(f"GRANT ALL ON ALL TABLES IN SCHEMA {schema} TO {admin}")
    db.execute_sql(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA {schema} TO {admin}")
    db.execute_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {agent}")
    for table in tables:
        name = f"{schema}.{quote_ident(table)}"
        for group, rights in ((agent, agent_rights(table)), (viewer, viewer_rights(table))):
            if rights:
                db.execute_sql(f"GRANT {rights} ON {name} TO {group}")


def refresh_grants(db: Any) -> bool:
    """Re-apply the GRANTs after migrations, if this desk has sign-in roles and the connection
    owns its tables (else nothing: a desk nobody signs in to has no groups). True if applied."""
    groups = group_names(db)
    if not all(role_exists(db, name) for name in groups.values()) or not is_owner(db):
        return False
    apply_grants(db, groups)
    return True


def scram_verifier(password: str, *, salt: bytes | None = None,
                   iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password`, computed here so the
    password itself never travels in a CREATE ROLE statement (nor lands in the server's
    log). Like libpq's PQencryptPasswordConn, without SASLprep: a password of plain characters
    (anything but unusual Unicode spaces and control characters) hashes as libpq sends it."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def create_login(db: Any, login: str, password: str | None) -> bool:
    """Create `login` (LOGIN, with the password's verifier if given); False if the role
    already exists, which is then only given LOGIN (and the password if one is given)."""
    name = quote_ident(check_login(login))
    secret = f" PASSWORD '{scram_verifier(password)}'" if password else ""
    if role_exists(db, login):
        db.execute_sql(f"ALTER ROLE {name} LOGIN{secret}")
        return False
    db.execute_sql(f"CREATE ROLE {name} LOGIN{secret}")
    return True


def set_membership(db: Any, login: str, role: str | None, groups: dict[str, str]) -> None:
    """Make `login` a member of exactly the group of `role` (None: of none). Admins also get
    CREATEROLE and the ADMIN OPTION on the groups, so they can add and move agents."""
    name = quote_ident(check_login(login))
    for group in groups.values():
        db.execute_sql(f"REVOKE {quote_ident(group)} FROM {name}")
    if role == "admin":
        listed = ", ".join(quote_ident(g) for g in groups.values())
        db.execute_sql(f"GRANT {listed} TO {name} WITH ADMIN OPTION")
        db.execute_sql(f"ALTER ROLE {name} CREATEROLE")
    else:
        if role is not None:
            db.execute_sql(f"GRANT {quote_ident(groups[role])} TO {name}")
        if not _superuser(db, login):
            db.execute_sql(f"ALTER ROLE {name} NOCREATEROLE")


def _superuser(db: Any, login: str) -> bool:
    row = db.execute_sql("SELECT rolsuper FROM pg_roles WHERE rolname = %s",
                         (login,)).fetchone()
    return bool(row and row[0])


def set_login(db: Any, login: str, allowed: bool) -> None:
    db.execute_sql(f"ALTER ROLE {quote_ident(check_login(login))} "
                   f"{'LOGIN' if allowed else 'NOLOGIN'}")


def can_login(db: Any, logins: list[str]) -> dict[str, bool]:
    if not logins:
        return {}
    return {str(n): bool(c) for n, c in db.execute_sql(
        "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY(%s)",
        (logins,)).fetchall()}


def current_login(db: Any) -> str:
    return str(db.execute_sql("SELECT session_user").fetchone()[0])
