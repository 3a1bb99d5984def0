"""Files the app creates for the user's data are private: folders 0700, files 0600.

Only what we create is touched; a folder or file the user made keeps the permissions they gave it.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ticketdesk.domain.errors import StorageError


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents as 0700 (whatever the umask)."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(folder, 0o700)
    return path


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable (POSIX; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def private_file(path: Path) -> bool:
    """Create an empty 0600 file if none exists; True if it was created."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    os.chmod(path, 0o600)
    return True


NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT})
READ_ONLY = frozenset({errno.EROFS})


def disk_error(exc: BaseException, where: Path) -> StorageError | None:
    """`exc` as a StorageError the user can act on when it says the disk holding the folder
    `where` is full, over quota or mounted read-only (ENOSPC, EDQUOT, EROFS); None for anything
    else. Opening and locking a desk write small files beside it; on such a disk that is a
    message, never a traceback."""
    if not isinstance(exc, OSError):
        return None
    if exc.errno in NO_ROOM:
        return full_disk_error(where)
    if exc.errno in READ_ONLY:
        return StorageError(
            f"ticketdesk cannot write in {where}: its disk is read-only ({exc.strerror}). A desk "
            "needs a folder it may write to, for its journal files: copy the desk to a writable "
            "folder; nothing was changed.")
    return None


NEARLY_FULL = 1024 * 1024


def disk_full(folder: Path) -> bool:
    """Whether the disk holding `folder` has (nearly) no room left for this user: SQLite then
    fails to grow its small files (the -shm index) with a bare "disk I/O error"."""
    try:
        stats = os.statvfs(folder)
    except (OSError, AttributeError):  # statvfs is POSIX only
        return False
    return stats.f_bavail * stats.f_frsize < NEARLY_FULL


def full_disk_error(where: Path) -> StorageError:
    return StorageError(
        f"The disk holding {where} is full. Free some space and try again; nothing was changed.")
