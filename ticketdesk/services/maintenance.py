"""Keeping a desk healthy: integrity check and consistent backups."""

from __future__ import annotations

import re
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
    """Page-level integrity, foreign keys, (PostgreSQL) the search index, and tickets whose
    times contradict each other (`time_contradictions`)."""
    from ticketdesk.db.errors import damage_detail

    started = time.perf_counter()
    try:
        problems = tuple(store.integrity_problems())
    except Exception as exc:  # damage bad enough that the check itself cannot finish
        detail = damage_detail(exc)
        if detail is None:
            raise
        problems = (f"the check stopped: SQLite says “{detail}”",)
    else:
        problems += tuple(time_contradictions())
    return CheckReport(problems, time.perf_counter() - started)


def time_contradictions(examples: int = 5) -> list[str]:
    """Tickets whose times contradict each other — created ≤ first response, created ≤
    resolved ≤ closed (`domain.import_timeline.contradictions`) — one line per kind with a
    count and example numbers. A desk's own rules never write them; an import before issue
    16 (creation defaulting to *now*) or another program may have. One scan of the ticket
    table."""
    from ticketdesk.db.models import Ticket
    from ticketdesk.domain.numbers import format_number

    kinds = {
        "first response before creation": Ticket.first_response_at < Ticket.created_at,
        "resolution before creation": Ticket.resolved_at < Ticket.created_at,
        "closing before creation": Ticket.closed_at < Ticket.created_at,
        "closing before resolution": Ticket.closed_at < Ticket.resolved_at,
    }
    found = []
    for kind, condition in kinds.items():
        ids = [tid for (tid,) in Ticket.select(Ticket.id).where(condition).order_by(Ticket.id)
               .limit(examples).tuples()]
        if not ids:
            continue
        count = Ticket.select().where(condition).count() if len(ids) == examples else len(ids)
        shown = ", ".join(format_number(i) for i in ids) + (", …" if count > len(ids) else "")
        found.append(f"{count:,} ticket(s) with their {kind} ({shown}); their durations are "
                     "left out of analytics")
    return found


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
    _snapshot(store, target)
    return target


def _snapshot(store: Store, target: Path) -> None:
    """`store.snapshot_to`, with a full disk or a damaged desk said in words."""
    from ticketdesk.db.errors import storage_error

    try:
        store.snapshot_to(target)
    except Exception as exc:
        error = storage_error(exc)
        if error is None or error is exc:
            raise
        raise error from exc


# -- daily backups and restore (SQLite) ------------------------------------------------------
#
# Backups live in `backups/` beside the desk file. Each time a desk is opened, if no automatic
# backup was taken that (local) day, one is: `desk-daily-YYYYMMDD-HHMMSS.sqlite`. The newest
# DAILY_KEEP of them are kept, one per day the desk was used, so a desk left alone over a holiday
# still has its last week of work backed up; backups taken by hand are never deleted. A daily
# backup that fails (a full disk, a damaged desk) deletes nothing, so the good ones stay.

DAILY_KEEP = 7
DAILY_LABEL = "daily"
_NAME = re.compile(r"^(?P<stem>.+?)(?P<daily>-daily)?-(?P<stamp>\d{8}-\d{6})\.sqlite$")
_STALE_PARTIAL = 24 * 3600
_CLOCK_SLACK = 60


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: float
    """When it was taken (epoch seconds), from its name."""
    size: int
    daily: bool


@dataclass(frozen=True)
class RestoreResult:
    desk: Path
    backup: Path
    set_aside: tuple[Path, ...]
    """Where the desk's previous files went (empty if there was no desk file)."""


def desk_path(url: str) -> Path:
    """The file of a SQLite desk URL; a PostgreSQL desk is refused (it is backed up with
    pg_dump, on the server)."""
    from ticketdesk.db.url import is_postgres, sqlite_path

    if is_postgres(url):
        raise ValidationError(
            "A PostgreSQL desk is backed up and restored on the server (pg_dump, pg_restore); "
            "ticketdesk backs up and restores SQLite desks."
        )
    return sqlite_path(url).expanduser().absolute()


def list_backups(desk: Path) -> list[BackupInfo]:
    """Every backup of `desk` in its backups folder, newest first. A file whose name only looks
    like a backup's (an impossible date such as `desk-20261399-000000.sqlite`) is not one: it is
    left alone and not listed, so it can stop neither the daily backup nor a restore."""
    folder = desk.parent / "backups"
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        m = _NAME.match(path.name)
        if m is None or m["stem"] != desk.stem:
            continue
        try:
            taken = time.mktime(time.strptime(m["stamp"], "%Y%m%d-%H%M%S"))
            if not path.is_file():
                continue
            size = path.stat().st_size
        except (ValueError, OverflowError, OSError):
            continue
        found.append(BackupInfo(path, taken, size, bool(m["daily"])))
    found.sort(key=lambda b: (b.taken_at, b.path.name), reverse=True)
    return found


def latest_backup(desk: Path) -> BackupInfo | None:
    backups = list_backups(desk)
    return backups[0] if backups else None


def daily_backup(store: Store, *, keep: int = DAILY_KEEP, now: float | None = None) -> Path | None:
    """Today's automatic backup, if none was taken yet today; returns its path, or None when
    there was nothing to do (already done today, or a PostgreSQL desk). Runs off the GUI thread:
    it reads the whole desk."""
    if not store.is_sqlite:
        return None
    desk = Path(store.location)
    day = time.strftime("%Y%m%d", time.localtime(now))
    if any(b.daily and time.strftime("%Y%m%d", time.localtime(b.taken_at)) == day
           for b in list_backups(desk)):
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    target = backups_folder(store) / f"{desk.stem}-{DAILY_LABEL}-{stamp}.sqlite"
    if target.exists():
        return None  # another window on this desk took it this very second
    _snapshot(store, target)
    prune_daily(desk, keep, now=now)
    return target


def prune_daily(desk: Path, keep: int = DAILY_KEEP, now: float | None = None) -> list[Path]:
    """Delete all but the newest `keep` daily backups, and temporary files that a backup killed
    half-way left behind (older than a day, so never one being written); returns what went.

    Daily backups dated after `now` were taken while the clock was set ahead: they are neither
    counted among the `keep` nor deleted (their date says nothing about their age), so the
    backups taken with the right time are kept as if they were not there. Once the clock
    reaches their date they are pruned like the others."""
    moment = time.time() if now is None else now
    daily = [b for b in list_backups(desk) if b.daily and b.taken_at <= moment + _CLOCK_SLACK]
    removed = [b.path for b in daily][keep:]
    folder = desk.parent / "backups"
    cutoff = moment - _STALE_PARTIAL
    if folder.is_dir():
        removed += [p for p in folder.glob(f".{desk.stem}-*.partial*")
                    if p.stat().st_mtime < cutoff]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def restore(desk: Path, backup: Path | None = None, *, now: float | None = None,
            aside_label: str = "before-restore") -> RestoreResult:
    """Make `backup` (default: the latest) the desk again.

    The backup is copied with its `-wal` or hot `-journal` (a set-aside desk is a backup too),
    and the copy, with those folded in, is integrity-checked; the backup itself is never changed.
    Then, only if no process has the desk open, the current desk file and all its companions
    are set aside as `desk.sqlite.<aside_label>-<time>[-wal|-journal|-shm]`, kept whole so
    nothing committed to them is lost, and the checked copy takes the desk's name. A symlink is
    followed: the file it points to is replaced (and locked). Nothing is overwritten at any step:
    a failure leaves the desk as it was, and a process killed mid-swap leaves a plan that the
    next open finishes (sqlite_files.swap_in, recover)."""
    from ticketdesk.db import desk_lock, sqlite_files
    from ticketdesk.db.migrations import LATEST

    if backup is None:  # the backups beside the name the desk is known by
        latest = latest_backup(desk)
        if latest is None:
            raise ValidationError(f"There is no backup of {desk.name} in {desk.parent / 'backups'}"
                                  "; nothing was changed.")
        backup = latest.path
    desk = desk_lock.real_path(desk)
    backup = desk_lock.real_path(backup.expanduser().absolute())
    if not backup.is_file():
        raise ValidationError(f"There is no backup file {backup}; nothing was changed.")
    if backup == desk:
        raise ValidationError("That is the desk itself, not a backup of it.")
    with desk_lock.exclusive(desk):
        sqlite_files.recover(desk)
        copy = sqlite_files.prepare_copy(backup, desk, LATEST)
        try:
            aside = sqlite_files.swap_in(copy, desk, aside_label, now)
        finally:
            sqlite_files.discard_copy(desk)
    return RestoreResult(desk, backup, tuple(aside))


def set_aside_damaged(desk: Path, *, now: float | None = None) -> list[Path]:
    """Move a damaged desk (and its -wal/-shm) out of the way as `desk.sqlite.damaged-<time>`,
    so a new or restored desk can take its name; nothing is deleted."""
    from ticketdesk.db import desk_lock, sqlite_files

    desk = desk_lock.real_path(desk)
    with desk_lock.exclusive(desk):
        return sqlite_files.set_aside(desk, "damaged", now)
