"""A SQLite desk on a network file system is refused with advice to use PostgreSQL: SQLite's
locks are unreliable there, so two computers could corrupt it. Detected from the mount table
(a faked one here), before the file is created or opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketdesk.db.network import network_share_kind
from ticketdesk.db.store import open_database
from ticketdesk.domain.errors import StorageError


def _mounts(tmp_path: Path, lines: list[str]) -> Path:
    table = tmp_path / "mounts"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return table


@pytest.mark.parametrize("fstype", ["nfs", "nfs4", "cifs", "smb3", "fuse.sshfs", "9p",
                                    "glusterfs", "ceph", "fuse.rclone", "davfs"])
def test_a_desk_on_a_network_share_is_refused_and_nothing_is_created(
        tmp_path: Path, fstype: str) -> None:
    share = tmp_path / "share"
    table = _mounts(tmp_path, ["/dev/vda / ext4 rw,relatime 0 0",
                               f"server:/export {share} {fstype} rw,relatime 0 0"])
    with pytest.raises(StorageError) as info:
        open_database(str(share / "team" / "desk.sqlite"), mounts_file=table)
    message = str(info.value)
    assert f"network share ({fstype})" in message
    assert "postgresql://" in message
    assert not share.exists()  # refused before anything was created


def test_the_desk_folder_itself_being_the_mount_point_is_caught(tmp_path: Path) -> None:
    share = tmp_path / "mnt"
    share.mkdir()
    table = _mounts(tmp_path, ["/dev/vda / ext4 rw 0 0", f"srv:/d {share} nfs rw 0 0"])
    with pytest.raises(StorageError, match=r"network share \(nfs\)"):
        open_database(str(share / "desk.sqlite"), mounts_file=table)
    assert list(share.iterdir()) == []


def test_the_innermost_mount_decides(tmp_path: Path) -> None:
    local = tmp_path / "nfs" / "local-cache"
    local.mkdir(parents=True)  # a mount point exists
    table = _mounts(tmp_path, ["/dev/vda / ext4 rw 0 0",
                               f"server:/x {tmp_path / 'nfs'} nfs4 rw 0 0",
                               f"/dev/vdb {local} ext4 rw 0 0"])
    assert network_share_kind(local / "desk", table) is None
    assert network_share_kind(tmp_path / "nfs" / "elsewhere", table) == "nfs4"
    store = open_database(str(local / "desk.sqlite"), mounts_file=table)
    store.close()


def test_mount_points_with_spaces_are_read_from_the_escaped_table(tmp_path: Path) -> None:
    share = tmp_path / "My Share"
    share.mkdir()
    escaped = str(share).replace(" ", "\\040")
    table = _mounts(tmp_path, ["/dev/vda / ext4 rw 0 0", f"//srv/s {escaped} cifs rw 0 0"])
    with pytest.raises(StorageError, match=r"network share \(cifs\)"):
        open_database(str(share / "desk.sqlite"), mounts_file=table)


def test_a_local_disk_is_accepted(tmp_path: Path) -> None:
    table = _mounts(tmp_path, ["/dev/vda / ext4 rw 0 0", f"tmpfs {tmp_path} tmpfs rw 0 0"])
    store = open_database(str(tmp_path / "desk.sqlite"), mounts_file=table)
    store.close()
