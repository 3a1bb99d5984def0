"""Creating a desk is a deliberate act (issue 13, item 6): a mistyped --db is refused by the
commands that only read a desk, the commands that fill one say that they created it, the window
asks; and the temporary copies that killed backups, restores and migrations leave beside a desk
are removed at its next start."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from tests.reliability.crash import backup_then_die, killed_at, restore_copy_then_die
from tests.ui.conftest import answer_modal
from ticketdesk.app import main
from ticketdesk.db.store import open_database
from ticketdesk.db.url import sqlite_url
from ticketdesk.services import maintenance, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.desk_choice import confirm_new_desk, missing_desk


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite"
    store = open_database(str(path))
    try:
        for n in range(30):
            tickets.create_ticket(Session(store, None), subject=f"ticket {n}",
                                  description="words " * 300)
    finally:
        store.close()
    return path


@pytest.mark.parametrize("command", [
    ["export", "tickets", "--out", "{out}"],
    ["export", "analytics", "--out", "{out}"],
    ["check"],
    ["backup"],
    ["restore", "--list"],
])
def test_a_mistyped_db_is_refused_by_commands_that_only_read_and_nothing_is_created(
        tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "typo.db"
    args = [part.format(out=tmp_path / "out.csv") for part in command]
    assert main([*args, "--db", str(typo)]) == 1
    err = capsys.readouterr().err
    assert f"There is no desk at {typo}" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_missing_migrate_source_is_refused(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--from", str(tmp_path / "typo.db"),
                 "--to", str(tmp_path / "new.sqlite")]) == 1
    assert "There is no desk at" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_demo_import_and_migrate_say_that_they_created_a_new_desk(
        tmp_path: Path, desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(made), "--tickets", "20"]) == 0
    assert f"Created a new desk at {made}." in capsys.readouterr().out
    copied = tmp_path / "copy.sqlite"
    assert main(["migrate", "--from", str(desk), "--to", str(copied)]) == 0
    assert f"Created a new desk at {copied}." in capsys.readouterr().out
    csv = tmp_path / "t.csv"
    assert main(["export", "tickets", "--db", str(desk), "--out", str(csv)]) == 0
    imported = tmp_path / "imported.sqlite"
    assert main(["import", "tickets", str(csv), "--db", str(imported)]) == 0
    assert f"Created a new desk at {imported}." in capsys.readouterr().out
    assert main(["import", "tickets", str(csv), "--db", str(imported)]) == 0
    assert "Created a new desk" not in capsys.readouterr().out  # it exists now


def test_leftovers_of_a_killed_backup_and_restore_are_cleaned_at_the_next_start(
        tmp_path: Path, desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = open_database(str(desk))
    try:
        backup = maintenance.backup(store)
    finally:
        store.close()
    killed_at(backup_then_die, str(desk), 5)
    killed_at(restore_copy_then_die, str(desk), str(backup))
    left = [p for p in [*tmp_path.iterdir(), *(tmp_path / "backups").iterdir()]
            if p.name.startswith(".")]
    assert {p.name.rsplit(".", 1)[-1] for p in left} >= {"partial", "restoring"}
    assert main(["check", "--db", str(desk)]) == 0  # the next start
    assert [p for p in left if p.exists()] == []
    assert [b.path for b in maintenance.list_backups(desk)] == [backup]


def test_leftovers_are_kept_while_another_process_has_the_desk_open(
        tmp_path: Path, desk: Path) -> None:
    """A backup being written by another window looks like a leftover: it is kept then."""
    other = open_database(str(desk))
    partial = tmp_path / "backups" / ".desk-20260101-000000.sqlite.partial"
    partial.parent.mkdir()
    partial.write_bytes(b"being written")
    try:
        mine = open_database(str(desk))
        mine.close()
    finally:
        other.close()
    assert partial.exists()


def test_a_killed_migration_copy_is_cleaned_once_it_is_stale(tmp_path: Path) -> None:
    target = tmp_path / "new.sqlite"
    partial = tmp_path / ".new.sqlite.migrating"
    partial.write_bytes(b"x" * 4096)
    old = time.time() - 3600
    os.utime(partial, (old, old))
    store = open_database(str(target))
    store.close()
    assert not partial.exists()


def test_the_window_asks_before_creating_a_desk_that_does_not_exist(qtbot: object,
                                                                    tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    assert missing_desk(str(typo), default=False) == typo
    assert missing_desk(str(typo), default=True) is None  # a first start: no question

    def click(name: str) -> None:
        def act(dialog: QWidget) -> None:
            assert isinstance(dialog, QMessageBox)
            assert str(typo) in dialog.text()
            dialog.findChild(QWidget, name).click()  # type: ignore[union-attr]
        answer_modal(act)

    click("createDesk")
    assert confirm_new_desk(typo) == sqlite_url(typo)

    def cancel(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        dialog.button(QMessageBox.StandardButton.Cancel).click()  # type: ignore[union-attr]

    answer_modal(cancel)
    assert main(["--db", str(typo)]) == 0  # the window's start, answered "Cancel"
    assert not typo.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_window_asks_about_a_default_desk_that_is_gone_but_has_backups(
        tmp_path: Path, desk: Path) -> None:
    store = open_database(str(desk))
    try:
        maintenance.backup(store)
    finally:
        store.close()
    desk.unlink()
    assert missing_desk(str(desk), default=True) == desk


def test_choosing_another_desk_in_the_window_opens_that_file(qtbot: object, tmp_path: Path,
                                                            desk: Path) -> None:
    typo = tmp_path / "typo.db"

    def choose_another(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        dialog.findChild(QWidget, "chooseDesk").click()  # type: ignore[union-attr]
        answer_modal(pick_the_desk)

    def pick_the_desk(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        dialog.selectFile(str(desk))
        dialog.accept()

    answer_modal(choose_another)
    assert confirm_new_desk(typo) == sqlite_url(desk)
    assert not typo.exists()
