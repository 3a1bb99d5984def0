"""Is a SQLite desk file damaged? A check cheap enough to run at every start.

A full `PRAGMA integrity_check` reads every page: seconds for a large desk, far too slow for each
start. What goes wrong with a desktop file in practice is coarser: a copy or sync that stopped
half-way (a truncated file), a file overwritten by something else (a garbage header), a disk
that lost the tail of the file. Those are caught here in microseconds, before SQLite writes
anything, from the 100-byte header alone:

- the file starts with the SQLite magic string and a valid page size;
- the file holds a whole number of pages, and at least as many as its header says.

The size checks are skipped while a non-empty `-wal` file sits beside the desk (after a crash
mid-checkpoint the main file may legitimately be shorter than its header until SQLite replays
the WAL), and while a hot rollback journal does (after a crash in the middle of a large demo
load, which runs in rollback-journal mode, the file holds half a transaction that SQLite undoes
from the journal at the next open: that is recovery, not damage). Then (and for damage deep
inside the file) the first query that meets it fails with SQLite's own "malformed" or "not a
database" error, which `open_database` reports the same way.
Damage inside pages that the start does not read is found by `ticketdesk check`, and by the daily
backup, whose copy is integrity-checked before it is kept.
"""

from __future__ import annotations

from pathlib import Path

from ticketdesk.db import sqlite_files
from ticketdesk.db.errors import DamagedDeskError, damage_detail

MAGIC = b"SQLite format 3\x00"
HEADER = 100
NOT_SQLITE = "it does not start with a SQLite header"


def problem(path: Path) -> str | None:
    """What is wrong with the desk file at `path`, in a few words; None if it looks sound (or
    does not exist yet, or is empty: SQLite initialises an empty file)."""
    try:
        size = path.stat().st_size
        if size == 0:
            return None
        with open(path, "rb") as fh:
            header = fh.read(HEADER)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"it cannot be read ({exc.strerror})"
    if not header.startswith(MAGIC[: min(len(header), len(MAGIC))]):
        return f"{NOT_SQLITE} (it was overwritten, or is another kind of file)"
    if len(header) < HEADER:
        return f"it is {size} bytes long, shorter than a SQLite header (the file was cut short)"
    raw_page = int.from_bytes(header[16:18], "big")
    page_size = 65536 if raw_page == 1 else raw_page
    if page_size < 512 or page_size & (page_size - 1):
        return f"its header gives an impossible page size ({raw_page})"
    if sqlite_files.hot_wal(path) or sqlite_files.hot_journal(path):
        return None
    if size % page_size:
        return (f"it is {size:,} bytes long, not a whole number of {page_size}-byte pages "
                "(the file was cut short)")
    change_counter, valid_for = header[24:28], header[92:96]
    pages = int.from_bytes(header[28:32], "big")
    if change_counter == valid_for and pages * page_size > size:
        return (f"its header says {pages:,} pages but the file holds {size // page_size:,} "
                "(the file was cut short)")
    return None


def check(path: Path) -> None:
    """Raise DamagedDeskError if the cheap checks above find `path` damaged."""
    found = problem(path)
    if found is not None:
        raise DamagedDeskError(path, found, unreadable=found.startswith(NOT_SQLITE))


def as_damage(path: Path, exc: BaseException) -> DamagedDeskError | None:
    """`exc`, raised while opening the desk, as a DamagedDeskError if SQLite said the file is
    damaged ("database disk image is malformed", "file is not a database")."""
    detail = damage_detail(exc)
    if detail is None:
        return None
    return DamagedDeskError(path, f"SQLite says “{detail}”",
                            unreadable="not a database" in detail)
