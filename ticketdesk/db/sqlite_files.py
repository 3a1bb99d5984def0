"""A SQLite desk as files: copying a desk, setting it aside, putting a copy in its place, and
finishing or undoing a swap that was interrupted.

A desk is its main file *and* its journal: `desk.sqlite`, and beside it `desk.sqlite-wal`
(committed changes not yet copied into the main file), `desk.sqlite-journal` (a rollback
journal: while it is "hot", after a crash in rollback-journal mode, the main file holds half a
transaction that SQLite undoes from it at the next open) and `desk.sqlite-shm` (an index of the
WAL, rebuilt at will). The main file alone is not the desk: copied without its WAL it lacks the
latest commits; without its hot journal it is half-written. So:

- a set-aside desk keeps every companion under the matching new name, so it stays a complete
  database with every change that was committed to it (`set_aside`), and nothing of the old desk
  is left beside the name for SQLite to play over the next file;
- a copy (`copy_desk`, used by restore) carries the WAL and the journal along and lets SQLite
  checkpoint or roll back into the copy, which then stands alone as one file.

Nothing here overwrites a file: each step renames to a name that does not exist yet, or stops.

A restore swaps two files in two renames; a process killed between them would leave no desk at
all. Before the first rename a small plan file (`.desk.sqlite.swap`) records where the desk goes
and which checked copy replaces it; `recover` (run before every open, see
`prepare_to_open`) finishes such a swap (the copy was checked and made durable before the plan
was written) or, if the copy is gone, puts the set-aside desk back.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import apsw

from ticketdesk.db.files import fsync_dir, private_dir, private_file
from ticketdesk.domain.errors import StorageError

COMPANIONS = ("-wal", "-journal", "-shm")
CARRIED = ("-wal", "-journal")
"""The companions that hold data (the -shm is rebuilt from the WAL)."""
JOURNAL_MAGIC = b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"
BACKUPS = "backups"
"""The folder beside the desk that holds its backups (services/maintenance.py)."""
STALE_SECONDS = 600
"""A migration's temporary desk untouched this long belongs to a run that was killed (a running
migration writes it every few seconds)."""


def companion(desk: Path, suffix: str) -> Path:
    return desk.with_name(desk.name + suffix)


def desk_files(desk: Path) -> list[Path]:
    """The desk's files that exist, main file first (a companion without its main file counts:
    it would be played over whatever file takes the name next)."""
    candidates = [desk, *(companion(desk, s) for s in COMPANIONS)]
    return [p for p in candidates if p.exists()]


def hot_journal(desk: Path) -> bool:
    """A rollback journal with a live header beside `desk`: SQLite undoes the unfinished
    transaction from it at the next open (recovery, not damage)."""
    try:
        with open(companion(desk, "-journal"), "rb") as fh:
            return fh.read(len(JOURNAL_MAGIC)) == JOURNAL_MAGIC
    except OSError:
        return False


def hot_wal(desk: Path) -> bool:
    """A non-empty WAL beside `desk`: SQLite replays it at the next open."""
    try:
        return companion(desk, "-wal").stat().st_size > 0
    except OSError:
        return False


def verify(path: Path, latest_schema: int) -> list[str]:
    """Problems that make `path` unfit to become the desk: not a database, damaged, not a
    ticketdesk desk, or written by a newer ticketdesk. Empty when it is fine."""
    try:
        conn = apsw.Connection(str(path))
    except apsw.Error as exc:
        return [f"it cannot be opened ({exc})"]
    try:
        tables = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"ticket", "schema_migrations"} <= tables:
            return ["it is not a ticketdesk desk"]
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        version = conn.execute("SELECT max(version) FROM schema_migrations").fetchall()[0][0]
        if version is not None and int(version) > latest_schema:
            problems.append(f"it was written by a newer ticketdesk (schema {version})")
        return problems
    except apsw.Error as exc:
        return [f"it cannot be read ({exc})"]
    finally:
        conn.close()


def copy_desk(source: Path, target: Path) -> None:
    """Copy the desk at `source` with its WAL and hot journal to `target` (whose name and
    companions must be free), then let SQLite fold them into the copy: the WAL is checkpointed,
    a half-written transaction rolled back. `target` is then one durable, private file holding
    everything committed to `source`. `source` itself is only read."""
    private_file(target)
    names = [(source, target)] + [
        (companion(source, s), companion(target, s)) for s in CARRIED
        if companion(source, s).exists()]
    for src_path, dst_path in names:
        if dst_path != target:
            private_file(dst_path)
        with open(src_path, "rb") as src, open(dst_path, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
            dst.flush()
            os.fsync(dst.fileno())
    if len(names) > 1:
        conn = apsw.Connection(str(target))
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()  # rolls back a journal
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except apsw.Error:
            pass  # not a database: `verify` says so
        finally:
            conn.close()
        with open(target, "rb+") as fh:
            os.fsync(fh.fileno())
    for suffix in COMPANIONS:
        companion(target, suffix).unlink(missing_ok=True)
    fsync_dir(target.parent)


def _free_name(path: Path) -> Path:
    if not any(companion(path, s).exists() for s in ("", *COMPANIONS)):
        return path
    for n in range(2, 1000):
        candidate = path.with_name(f"{path.name}-{n}")
        if not any(companion(candidate, s).exists() for s in ("", *COMPANIONS)):
            return candidate
    raise StorageError(f"Too many files called {path.name}* already; clean up {path.parent}.")


def aside_name(desk: Path, label: str, now: float | None = None) -> Path:
    """A free name `desk.sqlite.<label>-<local time>[-n]` to set the desk aside under."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return _free_name(desk.with_name(f"{desk.name}.{label}-{stamp}"))


def set_aside(desk: Path, label: str, now: float | None = None, *,
              base: Path | None = None) -> list[Path]:
    """Rename the desk and its -wal/-journal/-shm to `desk.sqlite.<label>-<local time>[...]`
    (or to `base`); returns the new paths (empty if there was nothing). The caller holds the
    desk exclusively."""
    base = base or aside_name(desk, label, now)
    moved = []
    for old in desk_files(desk):
        new = companion(base, old.name[len(desk.name):])
        if new.exists():
            raise StorageError(f"{new} already exists; nothing more was moved.")
        os.rename(old, new)
        moved.append(new)
    fsync_dir(desk.parent)
    return moved


def _restoring(desk: Path) -> list[Path]:
    tmp = desk.with_name(f".{desk.name}.restoring")
    return [tmp, *(companion(tmp, s) for s in COMPANIONS)]


def plan_path(desk: Path) -> Path:
    return desk.with_name(f".{desk.name}.swap")


def prepare_copy(source: Path, desk: Path, latest_schema: int) -> Path:
    """A checked, durable, private copy of `source` (with its WAL or hot journal folded in)
    beside `desk`, ready for `put_in_place`. The desk itself is not touched; a copy that fails
    its check is deleted."""
    private_dir(desk.parent)
    files = _restoring(desk)
    for leftover in files:
        leftover.unlink(missing_ok=True)
    tmp = files[0]
    try:
        copy_desk(source, tmp)
        problems = verify(tmp, latest_schema)
        if problems:
            raise StorageError(f"{source.name} cannot be restored: {'; '.join(problems[:3])}. "
                               "Nothing was changed.")
    except BaseException:
        discard_copy(desk)
        raise
    for other in files[1:]:
        other.unlink(missing_ok=True)
    return tmp


def swap_in(copy: Path, desk: Path, label: str, now: float | None = None) -> list[Path]:
    """Set the desk aside and give `copy` its name, recoverably: a plan written first lets
    `recover` finish (or undo) the swap if this process is killed between the two renames.
    A failure here puts the desk back at once; the plan is kept only if even that fails (the next
    open then does it). Returns where the old desk went. The caller holds the desk exclusively."""
    base = aside_name(desk, label, now)
    plan = plan_path(desk)
    _write_plan(plan, {"copy": copy.name, "aside": base.name})
    try:
        aside = set_aside(desk, label, now, base=base)
        put_in_place(copy, desk)
    except BaseException:
        _put_back([companion(base, s) for s in ("", *COMPANIONS)
                   if companion(base, s).exists()], base, desk)
        plan.unlink(missing_ok=True)
        fsync_dir(desk.parent)
        raise
    plan.unlink(missing_ok=True)
    fsync_dir(desk.parent)
    return aside


def _write_plan(plan: Path, content: dict[str, str]) -> None:
    tmp = plan.with_name(plan.name + ".tmp")
    tmp.unlink(missing_ok=True)
    private_file(tmp)
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(content, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, plan)
    fsync_dir(plan.parent)


def put_in_place(copy: Path, desk: Path) -> None:
    """Give the prepared copy the desk's name, which must be free (and no companion of an old
    desk may be left beside it): never overwrites."""
    stray = [p.name for p in desk_files(desk)]
    if stray:
        raise StorageError(f"{', '.join(stray)} appeared while restoring; nothing was "
                           "overwritten.")
    try:
        os.link(copy, desk)
    except FileExistsError:
        raise StorageError(f"{desk} appeared while restoring; nothing was overwritten.") from None
    copy.unlink()
    fsync_dir(desk.parent)


def _put_back(aside: list[Path], base: Path, desk: Path) -> None:
    """Undo `set_aside` (the desk's names are still free)."""
    for path in aside:
        target = companion(desk, path.name[len(base.name):])
        if not target.exists():
            os.rename(path, target)


def discard_copy(desk: Path) -> None:
    for leftover in _restoring(desk):
        leftover.unlink(missing_ok=True)


def recover(desk: Path) -> str | None:
    """Finish or undo a swap that a killed restore left half-done, and remove the temporary
    copies killed restores and migrations left beside `desk`; says what was done to the desk
    (None when nothing). The caller holds the desk exclusively."""
    plan = plan_path(desk)
    said = None
    if plan.exists():
        said = _recover_swap(desk, plan)
        plan.unlink(missing_ok=True)
    plan.with_name(plan.name + ".tmp").unlink(missing_ok=True)
    discard_copy(desk)
    migrating = desk.with_name(f".{desk.name}.migrating")
    if _untouched_for(migrating, STALE_SECONDS):
        for suffix in ("", *COMPANIONS):
            companion(migrating, suffix).unlink(missing_ok=True)
    fsync_dir(desk.parent)
    return said


def _recover_swap(desk: Path, plan: Path) -> str | None:
    try:
        content = json.loads(plan.read_text(encoding="utf-8"))
        copy = desk.with_name(str(content["copy"]))
        base = desk.with_name(str(content["aside"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a plan cut short: written before anything moved
    if desk.exists():
        return None  # the swap had finished (or never started)
    if copy.exists():
        aside = [companion(desk, s) for s in COMPANIONS if companion(desk, s).exists()]
        if aside:  # companions of the old desk not moved yet: move them along
            set_aside(desk, "", base=base)
        put_in_place(copy, desk)
        return (f"A restore of {desk.name} was interrupted; it has been completed (the "
                f"previous desk is kept as {base.name}).")
    moved = [companion(base, s) for s in ("", *COMPANIONS) if companion(base, s).exists()]
    if moved:
        _put_back(moved, base, desk)
        fsync_dir(desk.parent)
        return (f"A restore of {desk.name} was interrupted before its copy was in place; the "
                "desk was put back as it was.")
    return None


def _untouched_for(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


class NoDeskError(StorageError):
    """There is no desk file where one was to be opened, and creating one was not asked for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"There is no desk at {path}; nothing was created.")


def _backup_partials(desk: Path) -> list[Path]:
    folder = desk.parent / BACKUPS
    if not folder.is_dir():
        return []
    return [p for p in folder.glob(f".{desk.stem}-*.partial*") if p.is_file()]


def prepare_to_open(desk: Path) -> str | None:
    """Before a desk is opened: finish or undo a restore that was killed mid-swap, and delete
    the temporary copies killed restores, backups and migrations left (a killed backup's partial
    copy is as large as the desk). Done only while nobody has the desk open (they may be writing
    those files); otherwise the next start does it. Returns what was done to the desk, if
    anything (None also when there was nothing to do)."""
    from ticketdesk.db import desk_lock

    desk = desk_lock.real_path(desk)
    migrating = desk.with_name(f".{desk.name}.migrating")
    leftovers = [plan_path(desk), plan_path(desk).with_name(plan_path(desk).name + ".tmp"),
                 *_restoring(desk), *(companion(migrating, s) for s in ("", *COMPANIONS))]
    partials = _backup_partials(desk)
    if not partials and not any(p.exists() for p in leftovers):
        return None
    with desk_lock.exclusive_if_free(desk) as free:
        if not free:
            return None
        said = recover(desk)
        for partial in _backup_partials(desk):
            partial.unlink(missing_ok=True)
    return said
