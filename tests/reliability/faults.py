"""Storage faults for tests: a real small file system, and an APSW VFS that fails writes on
demand (for machines where mounting is not allowed, and for faults no file system gives on
cue, like an I/O error in the middle of a session)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import apsw


def can_mount() -> bool:
    return os.name == "posix" and os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def tmpfs(folder: Path, size: str, inodes: int | None = None) -> Iterator[Path]:
    """A tmpfs of `size` (and at most `inodes` files) at `folder` (root only); unmounted
    afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size},mode=0700" + (f",nr_inodes={inodes}" if inodes else "")
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True,
                   capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


@contextmanager
def read_only_view(folder: Path, view: Path) -> Iterator[Path]:
    """`folder` seen read-only at `view` (a read-only bind mount: the kernel says EROFS)."""
    view.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "--bind", str(folder), str(view)], check=True, capture_output=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], check=True,
                       capture_output=True)
        yield view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False, capture_output=True)


class _File(apsw.VFSFile):  # type: ignore[misc]
    def __init__(self, vfs: FaultyVFS, name: Any, flags: Any) -> None:
        super().__init__(vfs.base, name, flags)
        self.vfs = vfs

    def xWrite(self, data: bytes, offset: int) -> None:
        if self.vfs.error is not None:
            raise self.vfs.error(f"simulated {self.vfs.error.__name__}")
        super().xWrite(data, offset)


class FaultyVFS(apsw.VFS):  # type: ignore[misc]
    """The default VFS while it is registered: every write fails with `error` once set
    (apsw.FullError is SQLITE_FULL, what a full disk gives; apsw.ReadOnlyError, apsw.IOError)."""

    def __init__(self) -> None:
        self.base = "unix" if os.name == "posix" else "win32"
        self.error: type[BaseException] | None = None
        super().__init__(f"faulty-{uuid.uuid4().hex[:8]}", self.base, makedefault=True)

    def xOpen(self, name: Any, flags: Any) -> _File:
        return _File(self, name, flags)


@contextmanager
def faulty_vfs() -> Iterator[FaultyVFS]:
    """Connections opened inside use the faulty VFS; close them before leaving."""
    vfs = FaultyVFS()
    try:
        yield vfs
    finally:
        vfs.unregister()
