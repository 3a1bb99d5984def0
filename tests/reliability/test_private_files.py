"""Everything ticketdesk creates for a desk's data is private to the user under an ordinary
022 umask: the database and its -wal and -shm, the lock folder, backups (by hand and daily),
exports, restored and set-aside files, and any folder created on the way."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ticketdesk.db.store import open_database
from ticketdesk.services import maintenance, tickets
from ticketdesk.services.export import export_tickets
from ticketdesk.services.session import Session


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in root.rglob("*")}


def test_every_file_and_folder_of_a_desk_is_private(tmp_path: Path, umask_022: None) -> None:
    root = tmp_path / "new"
    desk = root / "nested" / "desk.sqlite"
    store = open_database(str(desk))
    try:
        tickets.create_ticket(Session(store, None), subject="private")
        assert desk.with_name("desk.sqlite-wal").exists()
        assert desk.with_name("desk.sqlite-shm").exists()
        maintenance.backup(store)
        maintenance.daily_backup(store)
        export_tickets(store, root / "exports" / "all.csv")
        modes = _modes(root)  # while open: -wal and -shm exist
    finally:
        store.close()
    maintenance.restore(desk)
    maintenance.set_aside_damaged(desk)
    modes.update(_modes(root))
    files = {name: mode for name, mode in modes.items() if not (root / name).is_dir()}
    folders = {name: mode for name, mode in modes.items() if (root / name).is_dir()}
    assert {"nested/desk.sqlite-wal", "nested/desk.sqlite-shm", "nested/desk.sqlite.lock/open",
            "exports/all.csv"} <= set(files)
    assert any(name.startswith("nested/backups/desk-daily-") for name in files)
    assert any(".before-restore-" in name for name in files)
    assert any(".damaged-" in name for name in files)
    assert {name: mode for name, mode in files.items() if mode != 0o600} == {}
    assert {name: mode for name, mode in folders.items() if mode != 0o700} == {}
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_a_folder_the_user_made_keeps_their_permissions(tmp_path: Path, umask_022: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    store = open_database(str(shared / "desk.sqlite"))
    store.close()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert stat.S_IMODE((shared / "desk.sqlite").stat().st_mode) == 0o600
