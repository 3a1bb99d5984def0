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
        if table in SECRETS:
            assert not agent, table
            assert not viewer, table
        else:
            assert "SELECT" in agent, table
            assert "SELECT" in viewer, table


SECRETS = {"api_token"}
"""The only tables of the desk agents and viewers may not even read (migration 17)."""


def test_the_policy_names_only_tables_the_schema_has_and_its_secrets(team: Team) -> None:
    """No guessed names: a line of TABLE_POLICY for a table that does not exist protects
    nothing, while the real table silently gets the default."""
    assert set(postgres_roles.TABLE_POLICY) <= set(_tables(team))
    assert {t for t, rights in postgres_roles.TABLE_POLICY.items()
            if rights == postgres_roles.HIDDEN} == SECRETS


def test_the_admin_only_tables_are_named_and_read_only_for_agents(team: Team) -> None:
    for table in ("agent", "desk_meta", "sla_policy", "sla_hours", "routing_rule", "team",
                  "api_token", "recycle_bin", "recycle_blob", "desk_event", "custom_field",
                  "agent_open_count", "team_member", "routing_rule_agent"):
        assert table in postgres_roles.ADMIN_ONLY, table
    for table in ("ticket", "saved_view", "canned_response", "customer_address",
                  "custom_value", "category", "tag", "organisation", "csat_rating"):
        assert table not in postgres_roles.ADMIN_ONLY, table
    assert "outbox" not in postgres_roles.TABLE_POLICY  # the mail worker of any agent sends


def _later(ctx: MigrationContext) -> None:
    ctx.script("CREATE TABLE saved_view_later (id {pk}, name {text} NOT NULL);\n"
               "CREATE TABLE secret_later (id {pk}, digest {text} NOT NULL)")


def test_a_table_a_later_migration_adds_gets_the_default_and_a_named_secret_stays_hidden(
        team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ann = team.add("Ann", "agent")
    _, vera = team.add("Vera", "viewer")
    later = Migration(migrations.LATEST + 1, "m9999_later", _later)
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, later))
    monkeypatch.setattr(migrations, "LATEST", later.version)
    monkeypatch.setitem(postgres_roles.TABLE_POLICY, "secret_later", postgres_roles.HIDDEN)
    store = team.store
    migrations.migrate(store.db, store.backend.dialect,
                       lambda: store.backend.write_lock(store.db), later.version)

    agent: Any = team.connect(ann)
    agent.execute("INSERT INTO saved_view_later (name) VALUES ('Mine')")
    agent.execute("UPDATE saved_view_later SET name = 'Ours'")
    agent.execute("DELETE FROM saved_view_later")
    for secret in ("secret_later", "api_token"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            agent.execute(f"SELECT * FROM {secret}")
    viewer: Any = team.connect(vera)
    assert viewer.execute("SELECT count(*) FROM saved_view_later").fetchone() == (0,)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        viewer.execute("INSERT INTO saved_view_later (name) VALUES ('Mine')")
    for secret in ("secret_later", "api_token"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            viewer.execute(f"SELECT * FROM {secret}")


def test_a_desk_nobody_signs_in_to_gets_no_groups_from_a_migration(team: Team) -> None:
    assert not postgres_roles.refresh_grants(team.store.db)
    groups = postgres_roles.group_names(team.store.db)
    assert not any(postgres_roles.role_exists(team.store.db, g) for g in groups.values())


def test_an_agent_sets_availability_but_not_a_role_nor_reads_or_fills_the_recycle_bin(
        team: Team) -> None:
    ann_id, ann = team.add("Ann", "agent")
    agent: Any = team.connect(ann)
    agent.execute("UPDATE agent SET status = 'away' WHERE id = %s", (ann_id,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        agent.execute("UPDATE agent SET role = 'admin' WHERE id = %s", (ann_id,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        agent.execute("DELETE FROM ticket")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        agent.execute("INSERT INTO recycle_bin (kind, item_id, deleted_at, snapshot) "
                      "VALUES ('ticket', 1, 0, '{}')")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        agent.execute("UPDATE agent_open_count SET open_count = 0")
    assert agent.execute("SELECT count(*) FROM custom_field").fetchone() == (0,)
