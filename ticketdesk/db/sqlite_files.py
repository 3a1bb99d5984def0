"""A SQLite desk as files: checking a copy, setting a desk aside, putting a copy in its place.

A desk is up to three files: `desk.sqlite`, and while in use `desk.sqlite-wal` (committed
changes not yet copied into the main file) and `desk.sqlite-shm` (an index of the WAL, rebuilt
at will). They move together: a desk set aside keeps its WAL under the matching new name, so it
stays a complete database with every change that was committed to it. Nothing here overwrites a
file: each step renames to a name that does not exist yet, or stops.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import apsw

from ticketdesk.db.files import fsync_dir, private_dir, private_file
from ticketdesk.domain.errors import StorageError

COMPANIONS = ("-wal", "-shm")


def desk_files(desk: Path) -> list[Path]:
    """The desk's files that exist, main file first."""
    candidates = [desk, *(desk.with_name(desk.name + s) for s in COMPANIONS)]
    return [p for p in candidates if p.exists()]


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


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    for n in range(2, 1000):
        candidate = path.with_name(f"{path.name}-{n}")
        if not candidate.exists():
            return candidate
    raise StorageError(f"Too many files called {path.name}* already; clean up {path.parent}.")


def set_aside(desk: Path, label: str, now: float | None = None) -> list[Path]:
    """Rename the desk and its -wal/-shm to `desk.sqlite.<label>-<local time>[-wal|-shm]`;
    returns the new paths (empty if there was no desk). The caller holds the desk exclusively."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    base = _free_name(desk.with_name(f"{desk.name}.{label}-{stamp}"))
    moved = []
    for old in desk_files(desk):
        new = base.with_name(base.name + old.name[len(desk.name):])
        if new.exists():
            raise StorageError(f"{new} already exists; nothing more was moved.")
        os.rename(old, new)
        moved.append(new)
    fsync_dir(desk.parent)
    return moved


def _restoring(desk: Path) -> list[Path]:
    tmp = desk.with_name(f".{desk.name}.restoring")
    return [tmp, *(tmp.with_name(tmp.name + s) for s in COMPANIONS)]


def prepare_copy(source: Path, desk: Path, latest_schema: int) -> Path:
    """A checked, durable, private copy of `source` beside `desk`, ready for `put_in_place`.
    The desk itself is not touched; a copy that fails its check is deleted."""
    private_dir(desk.parent)
    files = _restoring(desk)
    for leftover in files:
        leftover.unlink(missing_ok=True)
    tmp = files[0]
    private_file(tmp)
    try:
        with open(source, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
            dst.flush()
            os.fsync(dst.fileno())
        problems = verify(tmp, latest_schema)
        if problems:
            raise StorageError(f"{source.name} cannot be restored: {'; '.join(problems[:3])}. "
                               "Nothing was changed.")
    except BaseException:
        discard_copy(desk)
        raise
    for companion in files[1:]:
        companion.unlink(missing_ok=True)
    return tmp


def put_in_place(copy: Path, desk: Path) -> None:
    """Give the prepared copy the desk's name, which must be free: never overwrites."""
    try:
        os.link(copy, desk)
    except FileExistsError:
        raise StorageError(f"{desk} appeared while restoring; nothing was overwritten.") from None
    copy.unlink()
    fsync_dir(desk.parent)


def discard_copy(desk: Path) -> None:
    for leftover in _restoring(desk):
        leftover.unlink(missing_ok=True)
