"""Numbered schema migrations, applied in order when a desk is opened.

Each migration is a module `mNNNN_*.py` with `VERSION` and `apply(ctx)`; versions are unique and
applied in increasing order (a gap is harmless). Migrations carry their
own DDL (never the current models), so a database from any older version walks the same path a
new one took. Each runs in its own write transaction together with the row that records it, so
a crash mid-migration leaves the previous version intact; two processes opening one fresh desk at
once serialise on the write lock and the second finds the work done.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ticketdesk.db.dialect import Dialect
from ticketdesk.db.errors import causes
from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.errors import StorageError


@dataclass
class MigrationContext:
    db: Any
    dialect: Dialect

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self.db.execute_sql(self.dialect.ddl(sql) if not params else sql, params)

    def script(self, sql: str) -> None:
        """Several `;`-separated DDL statements (no `;` inside a statement)."""
        for statement in self.dialect.ddl(sql).split(";"):
            if statement.strip():
                self.db.execute_sql(statement)

    def in_schema(self, *statements: str) -> None:
        """PostgreSQL statements that name the desk's own schema as `"S"` (functions with a
        fixed search_path, triggers, policies: migrations 15 and later), each run with the
        current schema's name quoted in its place."""
        (schema,) = self.db.execute_sql("SELECT current_schema()").fetchone()
        quoted = '"' + str(schema).replace('"', '""') + '"'
        for statement in statements:
            self.db.execute_sql(statement.replace('"S"', quoted))


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[MigrationContext], None]


def _discover() -> tuple[Migration, ...]:
    found: list[Migration] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            module: ModuleType = importlib.import_module(f"{__name__}.{info.name}")
            found.append(Migration(module.VERSION, info.name, module.apply))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if not versions or versions[0] != 1 or len(set(versions)) != len(versions):
        raise RuntimeError(f"migrations must start at 1 with unique numbers, found {versions}")
    return tuple(found)


MIGRATIONS = _discover()
LATEST = MIGRATIONS[-1].version


def current_version(db: Any) -> int:
    if "schema_migrations" not in db.get_tables():
        return 0
    row = db.execute_sql("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def applied_versions(db: Any) -> set[int]:
    """Every migration recorded. With gaps allowed, a migration may land after higher numbers
    were released, so "applied" means recorded, not "at most the highest version"."""
    if "schema_migrations" not in db.get_tables():
        return set()
    return {int(v) for (v,) in db.execute_sql("SELECT version FROM schema_migrations")}


def foreign_error(tables: list[str]) -> StorageError | None:
    """The refusal for a database that has tables but no schema version: it belongs to another
    program (or someone picked the wrong file), and our tables must never be written into it."""
    tables = [t for t in tables if not t.startswith("sqlite_")]
    if not tables or "schema_migrations" in tables:
        return None
    shown = ", ".join(sorted(tables)[:3]) + (", …" if len(tables) > 3 else "")
    return StorageError(
        f"This database is not a ticketdesk desk: it already holds other tables ({shown}). "
        "Open a new file, or an empty PostgreSQL database or schema; nothing was changed."
    )


def _refuse_foreign(db: Any) -> None:
    error = foreign_error(db.get_tables())
    if error is not None:
        raise error


def migrate(db: Any, dialect: Dialect, lock: Callable[[], Any], target: int = LATEST) -> int:
    """Bring the schema up to `target`; return the version found before.

    `lock` opens a write transaction that excludes other writers (BEGIN IMMEDIATE on SQLite, an
    advisory lock on PostgreSQL).
    """
    applied = applied_versions(db)
    found = max(applied, default=0)
    if found > LATEST:
        raise StorageError(
            f"This database was written by a newer ticketdesk (schema {found}; this version knows "
            f"up to {LATEST}). Update ticketdesk to open it."
        )
    ctx = MigrationContext(db, dialect)
    ran = False
    for migration in MIGRATIONS:
        if migration.version > target:
            break
        if migration.version in applied:
            continue  # no write lock needed to open an up-to-date desk
        ran = _apply_waiting(db, ctx, migration, lock) or ran
    if ran and not dialect.is_sqlite:
        _refresh_grants(db, lock)
    return found


def _refresh_grants(db: Any, lock: Callable[[], Any]) -> None:
    """Every table a migration added gets its sign-in roles' GRANTs at once
    (db/postgres_roles.TABLE_POLICY), so no migration repeats them."""
    from ticketdesk.db import postgres_roles

    with lock():
        postgres_roles.refresh_grants(db)


# How long opening a desk waits, in all, for another process that is migrating it. One busy
# timeout (10 s) is too short for a large desk's migration, or for several windows opened at once
# on a loaded machine; a migration never holds a user's click, so waiting longer is right.
MIGRATION_PATIENCE_S = 300.0


def _apply_waiting(db: Any, ctx: MigrationContext, migration: Migration,
                   lock: Callable[[], Any]) -> bool:
    """Apply `migration` under `lock`, waiting again while another process holds the lock;
    False if another process had applied it first."""
    deadline = time.monotonic() + MIGRATION_PATIENCE_S
    while True:
        try:
            with lock():
                if migration.version in applied_versions(db):
                    return False  # another process got here first
                if migration.version == 1:
                    _refuse_foreign(db)
                    ctx.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                "version {int} PRIMARY KEY, name {text} NOT NULL, "
                                "applied_at {bigint} NOT NULL)")
                migration.apply(ctx)
                db.execute_sql(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)"
                    % ((db.param,) * 3), (migration.version, migration.name, utc_now()))
            return True
        except Exception as exc:
            if not busy(exc) or time.monotonic() >= deadline:
                raise


def busy(exc: BaseException) -> bool:
    """Whether `exc` is another process holding the write lock (SQLite's busy timeout, or a
    PostgreSQL lock_timeout) rather than a fault of the migration itself."""
    for cause in causes(exc):
        if type(cause).__name__ in ("BusyError", "LockedError"):
            return True
        if getattr(cause, "sqlstate", None) == "55P03":
            return True
    return False
