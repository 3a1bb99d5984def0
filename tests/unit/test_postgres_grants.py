"""Issue 20: every table of a team desk has the GRANTs of each sign-in role, by one policy
(db/postgres_roles.TABLE_POLICY), re-applied after every migration run on PostgreSQL, so a table
a later migration adds is right without the migration repeating any GRANT."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.unit.test_postgres_roles_security import Team, team
from ticketdesk.db import migrations, postgres_roles
from ticketdesk.db.migrations import Migration, MigrationContext

__all__ = ["team"]  # the fixture shared with the security tests
pytestmark = pytest.mark.postgres


def _tables(team: Team) -> list[str]:
    return [t for (t,) in team.store.db.execute_sql(
        "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
        "AND relkind IN ('r', 'p', 'v') ORDER BY relname").fetchall()]


def _rights(team: Team, group: str, table: str) -> set[str]:
    """What `group` may do on `table` (a right on some columns counts: has_any_column_...)."""
    db = team.store.db
    name = "quote_ident(current_schema()) || '.' || quote_ident(%s)"
    return {p for p in ("SELECT", "INSERT", "UPDATE", "DELETE") if db.execute_sql(
        f"SELECT has_{'table' if p == 'DELETE' else 'any_column'}_privilege(%s, {name}, %s)",
        (group, table, p)).fetchone()[0]}


def _expected(rights: str) -> set[str]:
    words = rights.replace(",", " ").split()
    return {w for w in words if w in ("SELECT", "INSERT", "UPDATE", "DELETE")}


def test_every_table_has_a_grant_for_each_role_as_the_policy_says(team: Team) -> None:
    team.add("Ann", "agent")
    groups = postgres_roles.group_names(team.store.db)
    tables = _tables(team)
    assert len(tables) > 20
    for table in tables:
        admin = _rights(team, groups["admin"], table)
        agent = _rights(team, groups["agent"], table)
        viewer = _rights(team, groups["viewer"], table)
        assert admin == {"SELECT", "INSERT", "UPDATE", "DELETE"}, table
        assert agent == _expected(postgres_roles.agent_rights(table)), table
        assert viewer == _expected(postgres_roles.viewer_rights(table)), table
        assert "SELECT" in agent, table  # no secrets on this desk yet
        assert "SELECT" in viewer, table


def test_the_admin_only_tables_are_named_and_read_only_for_agents(team: Team) -> None:
    for table in ("agent", "desk_meta", "sla_policy", "sla_hours", "routing_rule", "team"):
        assert table in postgres_roles.ADMIN_ONLY
    assert "ticket" not in postgres_roles.ADMIN_ONLY
    assert "outbox" not in postgres_roles.TABLE_POLICY  # the mail worker of any agent sends


def _later(ctx: MigrationContext) -> None:
    ctx.script("CREATE TABLE saved_view_later (id {pk}, name {text} NOT NULL);\n"
               "CREATE TABLE api_token (id {pk}, digest {text} NOT NULL)")


def test_a_table_a_later_migration_adds_gets_the_default_and_a_named_secret_stays_hidden(
        team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ann = team.add("Ann", "agent")
    _, vera = team.add("Vera", "viewer")
    later = Migration(migrations.LATEST + 1, "m9999_later", _later)
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, later))
    monkeypatch.setattr(migrations, "LATEST", later.version)
    store = team.store
    migrations.migrate(store.db, store.backend.dialect,
                       lambda: store.backend.write_lock(store.db), later.version)

    agent: Any = team.connect(ann)
    agent.execute("INSERT INTO saved_view_later (name) VALUES ('Mine')")
    agent.execute("UPDATE saved_view_later SET name = 'Ours'")
    agent.execute("DELETE FROM saved_view_later")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        agent.execute("SELECT * FROM api_token")
    viewer: Any = team.connect(vera)
    assert viewer.execute("SELECT count(*) FROM saved_view_later").fetchone() == (0,)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        viewer.execute("INSERT INTO saved_view_later (name) VALUES ('Mine')")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        viewer.execute("SELECT * FROM api_token")


def test_a_desk_nobody_signs_in_to_gets_no_groups_from_a_migration(team: Team) -> None:
    assert not postgres_roles.refresh_grants(team.store.db)
    groups = postgres_roles.group_names(team.store.db)
    assert not any(postgres_roles.role_exists(team.store.db, g) for g in groups.values())
