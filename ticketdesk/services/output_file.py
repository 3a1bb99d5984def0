"""Writing an output file (a CSV export) wherever the user points it, safely.

Every export goes through `open_output`, so the rules below hold for tickets and analytics, from
the command line and from the window alike:

- **A regular file** (or a new name) is written under a temporary name beside it and renamed onto
  it once complete and synced: an interrupted export never leaves a truncated file that looks
  finished, and an existing file is replaced only by a whole new one. The temporary file gets a
  random name and is created with `O_CREAT | O_EXCL | O_NOFOLLOW`, so a file or symlink someone
  planted in the folder is never opened, let alone written through; it is removed on any failure.
  The result is private to the user (0600), like the desk it came from; missing folders are
  created private (0700).
- **A symlink** at the target is followed, as a shell's `>` would: its target is replaced
  atomically as above and the link stays a link. A link into a folder that does not exist is
  refused rather than creating folders somewhere else.
- **A FIFO, a character device** (`/dev/null`, a terminal) or **standard output** (`-`) is written
  directly, with no temporary file and no rename: replacing `/dev/null` by a regular file (as root
  could) is never what the user meant. Such a stream cannot be taken back, so a failure half-way
  leaves what was written.
- **Anything else is refused** before anything is written: a folder, a socket, a block device, a
  read-only file, a path through a file, an empty or too-long name. Every `OSError` becomes an
  `OutputError` naming the path and the reason in words, never a traceback.
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, TextIO

from ticketdesk.db.files import fsync_dir, private_dir
from ticketdesk.domain.errors import TicketdeskError

STDOUT = "-"
"""The target name meaning standard output (`--out -`)."""
_TEMP_NAME_KEEP = 100  # characters of the target's name kept in the temporary file's name
_ATTEMPTS = 20

_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOSPC: "the disk is full",
    getattr(errno, "EDQUOT", -1): "your disk quota is used up",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder; give a file name",
    errno.ENOENT: "a folder on the way does not exist",
    errno.ELOOP: "it is a symlink loop",
    errno.EPIPE: "the reader closed the pipe",
    errno.ENXIO: "nothing is reading from it",
}


class OutputError(TicketdeskError):
    """The output file could not be written (or was refused); nothing was replaced."""

    def __init__(self, target: Path | str, reason: str) -> None:
        self.target = str(target)
        self.reason = reason
        super().__init__(f"Cannot write {self.target}: {reason}.")


def reason(exc: OSError) -> str:
    """An OSError in words a user can act on."""
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def is_folder(target: Path | str) -> bool:
    """True for an existing folder (or a link to one); any path that cannot even be looked at is
    not one (`open_output` then says why it cannot be written)."""
    try:
        return Path(target).expanduser().is_dir()
    except (OSError, ValueError, RuntimeError):
        return False


def _token() -> str:
    return secrets.token_hex(6)


def _temporary(folder: Path, name: str) -> tuple[Path, int]:
    """A new private file in `folder` under a random name, opened for writing. An existing name
    (a leftover, or a file or symlink someone planted) is never opened: another name is tried."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(
        os, "O_CLOEXEC", 0)
    for _ in range(_ATTEMPTS):
        tmp = folder / f".{name[:_TEMP_NAME_KEEP]}.{_token()}.partial"
        try:
            return tmp, os.open(tmp, flags, 0o600)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def _is_stream(mode: int) -> bool:
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def _check(target: Path, shown: str) -> Path | None:
    """Where the new file goes (the target, or a symlink's target) — None for a stream that is
    written directly; refuses what cannot be written. Raises OutputError."""
    if not str(target) or str(target) == ".":
        raise OutputError(shown or '""', "no file name was given")
    try:
        st = target.lstat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(shown, reason(exc)) from None
    if st is not None and stat.S_ISLNK(st.st_mode):
        resolved = Path(os.path.realpath(target))
        if resolved.is_symlink():  # realpath stops where links go round in a circle
            raise OutputError(shown, reason(OSError(errno.ELOOP, "")))
        if not resolved.parent.is_dir():
            raise OutputError(shown, f"it is a symlink to {resolved}, in a folder that does not "
                                     "exist")
        return _check(resolved, shown)
    if st is None:
        return target
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(shown, "it is a folder; give a file name")
    if _is_stream(st.st_mode):
        return None
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(shown, "it is not a regular file (a socket or a block device)")
    if not os.access(target, os.W_OK):
        raise OutputError(shown, "the file is read-only")
    return target


@contextmanager
def open_output(target: Path | str, *, bom: bool = False) -> Iterator[TextIO]:
    """A text stream (UTF-8, no newline translation) that ends up at `target` under the rules of
    the module docstring. The new file replaces the old one only when the block ends without an
    exception; on an exception the temporary file is removed and the exception goes on."""
    shown = str(target)
    if shown == STDOUT:
        sys.stdout.flush()
        with _stream_to(sys.stdout.buffer, shown, bom=bom) as fh:
            yield fh
        return
    try:
        path = Path(target).expanduser()
    except (ValueError, RuntimeError) as exc:
        raise OutputError(shown, str(exc)) from None
    if "\x00" in shown:
        raise OutputError(repr(shown), "the name contains a NUL character")
    final = _check(path, shown)
    if final is None:
        try:
            with open(path, "wb") as raw, _stream_to(raw, shown, bom=bom) as fh:
                yield fh
        except OSError as exc:  # opening, or the last bytes written on closing
            raise OutputError(shown, reason(exc)) from None
        return
    try:
        private_dir(final.parent)
        tmp, fd = _temporary(final.parent, final.name)
    except OSError as exc:
        if exc.errno == errno.EEXIST and final.parent.exists() and not final.parent.is_dir():
            raise OutputError(shown, reason(OSError(errno.ENOTDIR, ""))) from None
        raise OutputError(shown, reason(exc)) from None
    try:
        with open(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            try:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            except OSError as exc:
                raise OutputError(shown, reason(exc)) from None
        try:
            os.replace(tmp, final)
            fsync_dir(final.parent)
        except OSError as exc:
            raise OutputError(shown, reason(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _stream_to(raw: BinaryIO, shown: str, *, bom: bool) -> Iterator[TextIO]:
    """Text written straight into an open binary stream (a FIFO, a device, standard output),
    which is left open for its owner."""
    fh = io.TextIOWrapper(raw, encoding="utf-8-sig" if bom else "utf-8", newline="",
                          write_through=True)
    try:
        try:
            yield fh
            fh.flush()
        except OSError as exc:
            raise OutputError("standard output" if shown == STDOUT else shown,
                              reason(exc)) from None
    finally:
        with suppress(OSError, ValueError):  # already closed; nothing more to give back
            fh.detach()
