"""Who has a SQLite desk open on this computer, so that nothing replaces the file under them.

SQLite already lets several processes share one file: WAL serialises writers (every write is a
BEGIN IMMEDIATE transaction with a busy timeout) and each window notices the others' commits
through `PRAGMA data_version`. So "one writer per file on this desktop" does not mean one window:
two windows on one desk cooperate and see each other's changes. What SQLite cannot protect is
the file itself being renamed or replaced while a connection holds it open (a restore, setting a
damaged desk aside): that window would go on writing into the file that was set aside, and its
work would vanish from the desk everyone else sees. Hence this lock, in a folder beside the desk
(`desk.sqlite.lock/`):

- every open Store holds a *shared* `flock` on `open` for as long as it is open, and registers
  itself as `<pid>-<n>` (pid and command line inside), a file it holds an exclusive `flock` on;
- replacing the file takes the *exclusive* lock without waiting, and is refused, naming the
  processes that hold the desk open, while anyone does;
- a lock cannot go stale: the kernel drops the flocks of a process that dies, even by SIGKILL.
  The registration file such a process leaves behind is recognised (its lock can be taken) and
  removed by the next process that looks.

The lock belongs to the real file, not to the name it was opened by: a desk opened through a
symlink (or a symlinked folder) is locked beside the file the link points to, so a restore by
either name sees the window that opened it by the other.

A disk that is full (or over quota) must not stop a command that only reads the desk, such as an
export to another disk: if the registration file cannot be written there, the shared lock alone
is held (a restore is still refused; it names "another ticketdesk process"). A lock file that
cannot be created at all is a StorageError saying why (full, read-only, not writable).

Windows has no `flock`; there the lock is a no-op, and Windows itself refuses to rename a file
that is open.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ticketdesk.db.files import NO_ROOM, disk_error, private_dir
from ticketdesk.domain.errors import StorageError

if sys.platform != "win32":
    import fcntl

LOCK_NAME = "open"
WAIT_SECONDS = 10.0
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Holder:
    """A process that has the desk open."""

    pid: int
    command: str

    def __str__(self) -> str:
        return f"process {self.pid} ({self.command})" if self.command else f"process {self.pid}"


def real_path(desk: Path) -> Path:
    """The file `desk` names once symlinks are followed (the name itself if it is not a link)."""
    return Path(os.path.realpath(desk.expanduser()))


def lock_folder(desk: Path) -> Path:
    real = real_path(desk)
    return real.with_name(real.name + ".lock")


def _describe(holders: list[Holder]) -> str:
    if not holders:
        return "another ticketdesk process"
    return ", ".join(str(h) for h in holders[:5])


def _command_line() -> str:
    words = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]]
    return " ".join(words)[:200]


def _try_flock(fd: int, operation: int) -> bool:
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class DeskLock:
    """This process's hold on one desk file (see the module docstring)."""

    def __init__(self, desk: Path) -> None:
        self.desk = desk
        self.folder = lock_folder(desk)
        self._shared: int | None = None
        self._own: int | None = None
        self._own_path: Path | None = None

    @property
    def held(self) -> bool:
        return self._shared is not None

    def _open_lock_file(self) -> int:
        private_dir(self.folder)
        return os.open(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)

    def _open_lock_file_or_say_why(self) -> int:
        try:
            return self._open_lock_file()
        except OSError as exc:
            error = disk_error(exc, self.folder.parent)
            if error is not None:
                raise error from exc
            raise StorageError(
                f"ticketdesk cannot write in {self.folder.parent} ({exc.strerror}). A desk needs "
                "a folder it may write to, for its journal files: copy the desk to a writable "
                "folder, or fix the folder's permissions."
            ) from exc

    def acquire(self, wait: float = WAIT_SECONDS) -> list[Holder]:
        """Hold the desk open; returns the other processes that have it open too.

        Waits up to `wait` seconds while another process replaces the file (a restore takes a
        moment), then gives up with a StorageError."""
        if sys.platform == "win32" or self.held:
            return []
        fd = self._open_lock_file_or_say_why()
        deadline = time.monotonic() + wait
        while not _try_flock(fd, fcntl.LOCK_SH):
            if time.monotonic() >= deadline:
                os.close(fd)
                raise StorageError(
                    f"{self.desk.name} is being restored or set aside by "
                    f"{_describe(self.others())}. Try again in a moment."
                )
            time.sleep(0.05)
        self._shared = fd
        try:
            self._register()
        except OSError as exc:
            if exc.errno not in NO_ROOM:
                self.release()
                error = disk_error(exc, self.folder.parent)
                if error is not None:
                    raise error from exc
                raise
            # No room to say who we are: the shared lock alone still keeps a restore away.
        except BaseException:
            self.release()
            raise
        return self.others()

    def _register(self) -> None:
        name = f"{os.getpid()}-{next(_numbers)}"
        tmp = self.folder / f"{name}.tmp"
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, f"{os.getpid()}\n{_command_line()}\n".encode(errors="replace"))
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        final = self.folder / name
        os.replace(tmp, final)  # visible only once locked, so never mistaken for stale
        self._own, self._own_path = fd, final

    def others(self) -> list[Holder]:
        """The other processes holding this desk open. Registrations left behind by processes
        that died are removed on the way (their lock is gone with them)."""
        if sys.platform == "win32" or not self.folder.is_dir():
            return []
        found: list[Holder] = []
        for entry in sorted(self.folder.iterdir()):
            if entry.name == LOCK_NAME or entry == self._own_path:
                continue
            if entry.suffix == ".tmp" and time.time() - _mtime(entry) < 60:
                continue  # a process registering right now
            holder = _live_holder(entry)
            if holder is not None:
                found.append(holder)
        return found

    def release(self) -> None:
        """Let go of the desk. Safe to call twice."""
        if self._own_path is not None:
            self._own_path.unlink(missing_ok=True)
            self._own_path = None
        for fd in (self._own, self._shared):
            if fd is not None:
                os.close(fd)  # closing drops the flock
        self._own = self._shared = None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _live_holder(entry: Path) -> Holder | None:
    """The holder a registration names if its process still holds it; otherwise remove it."""
    try:
        fd = os.open(entry, os.O_RDONLY)
    except OSError:
        return None
    try:
        if _try_flock(fd, fcntl.LOCK_SH):
            entry.unlink(missing_ok=True)  # stale: its process is gone
            return None
        text = os.read(fd, 4096).decode(errors="replace").splitlines()
    finally:
        os.close(fd)
    pid = int(text[0]) if text and text[0].isdigit() else 0
    return Holder(pid, text[1] if len(text) > 1 else "")


@contextmanager
def exclusive(desk: Path) -> Iterator[None]:
    """Hold the desk so that no process has it open (for replacing or moving the file).

    Refused at once, naming who has it open, if anyone does; never waits for a window that may
    stay open for hours."""
    if sys.platform == "win32":
        yield
        return
    lock = DeskLock(desk)
    fd = lock._open_lock_file_or_say_why()
    try:
        if not _try_flock(fd, fcntl.LOCK_EX):
            raise StorageError(
                f"{desk.name} is open in {_describe(lock.others())}. Close it there first; "
                "nothing was changed."
            )
        yield
    finally:
        os.close(fd)


@contextmanager
def exclusive_if_free(desk: Path) -> Iterator[bool]:
    """Hold the desk exclusively if nobody has it open, without waiting: yields True then, and
    False (holding nothing) while anyone does. For tidying up at open."""
    if sys.platform == "win32":
        yield True
        return
    fd = DeskLock(desk)._open_lock_file_or_say_why()
    try:
        yield _try_flock(fd, fcntl.LOCK_EX)
    finally:
        os.close(fd)
