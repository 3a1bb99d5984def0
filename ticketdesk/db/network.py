"""Is a folder on a network file system? SQLite's locking is not reliable over NFS/SMB, so a
desk there could be corrupted by two computers at once; we refuse and point to PostgreSQL."""

from __future__ import annotations

import os
import sys
from pathlib import Path

NETWORK_FS = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph",
    "glusterfs", "lustre", "gpfs", "fuse.sshfs", "sshfs", "fuse.davfs", "davfs", "fuse.rclone",
    "fuse.s3fs", "fuse.glusterfs", "fuse.cephfs", "afpfs", "webdav",
})


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def mount_type(path: Path, mounts_file: Path = Path("/proc/self/mounts")) -> str | None:
    """File system type of the mount holding `path`, from a Linux mount table; None if unknown."""
    try:
        lines = mounts_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = os.path.realpath(path)
    best, best_type = "", None
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        point, fstype = _unescape(parts[1]), parts[2]
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, fstype
    return best_type


def network_share_kind(path: Path, mounts_file: Path | None = None) -> str | None:
    """The network file system `path` lives on ("nfs4", "cifs", "UNC path"), or None if local."""
    if sys.platform == "win32":
        return _windows_remote(path)
    fstype = mount_type(path, mounts_file) if mounts_file else mount_type(path)
    if fstype and fstype.lower() in NETWORK_FS:
        return fstype
    return None


def _windows_remote(path: Path) -> str | None:  # pragma: no cover - exercised on Windows only
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return "UNC path"
    import ctypes

    drive = os.path.splitdrive(os.path.abspath(text))[0] + "\\"
    drive_remote = 4
    if ctypes.windll.kernel32.GetDriveTypeW(drive) == drive_remote:  # type: ignore[attr-defined]
        return "network drive"
    return None
