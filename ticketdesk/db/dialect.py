"""The few places SQL differs between SQLite and PostgreSQL, named once."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dialect:
    name: str
    types: dict[str, str] = field(default_factory=dict)

    def ddl(self, sql: str) -> str:
        """Fill `{pk}`, `{bigint}`, `{blob}`... in frozen migration DDL."""
        return sql.format(**self.types)

    @property
    def is_sqlite(self) -> bool:
        return self.name == "sqlite"


SQLITE = Dialect("sqlite", {
    "pk": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "ref": "INTEGER",
    "bigint": "INTEGER",
    "int": "INTEGER",
    "smallint": "INTEGER",
    "bool": "INTEGER",
    "text": "TEXT",
    "blob": "BLOB",
    "without_rowid": "WITHOUT ROWID",
})

POSTGRES = Dialect("postgresql", {
    "pk": "BIGSERIAL PRIMARY KEY",
    "ref": "BIGINT",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "smallint": "SMALLINT",
    "bool": "BOOLEAN",
    "text": "TEXT",
    "blob": "BYTEA",
    "without_rowid": "",
})
