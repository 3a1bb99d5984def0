"""Keeping a desk healthy: integrity check and consistent backups."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ticketdesk.db.store import Store
from ticketdesk.domain.errors import ValidationError


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[str, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems


def check(store: Store) -> CheckReport:
    """Page-level integrity, foreign keys, and (PostgreSQL) the search index."""
    started = time.perf_counter()
    problems = tuple(store.integrity_problems())
    return CheckReport(problems, time.perf_counter() - started)


def backups_folder(store: Store) -> Path:
    """Backups of a SQLite desk live in `backups/` beside the database file."""
    if not store.is_sqlite:
        raise ValidationError(
            "A PostgreSQL desk is backed up on the server (pg_dump); ticketdesk backs up SQLite "
            "desks."
        )
    return Path(store.location).parent / "backups"


def default_backup_path(store: Store, now: float | None = None) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return backups_folder(store) / f"{Path(store.location).stem}-{stamp}.sqlite"


def backup(store: Store, out: Path | None = None) -> Path:
    """A consistent snapshot of the desk at `out` (default: the backups folder). The snapshot is
    taken inside one read transaction, so writers elsewhere may go on meanwhile; it is
    integrity-checked before it gets its final name. An existing file is never overwritten."""
    target = (out or default_backup_path(store)).expanduser()
    if target.exists():
        raise ValidationError(f"{target} already exists; choose another name.")
    backups_folder(store)  # refuses PostgreSQL with the message above
    store.snapshot_to(target)
    return target
