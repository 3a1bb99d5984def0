"""Where `ticketdesk export ... --out` writes (issue 13, items 7 and 8): special files are written
through, symlinks are followed and kept, temporary files are never someone else's, and every bad
path is a clear message with exit status 1 and nothing changed."""

from __future__ import annotations

import csv
import io
import os
import socket
import stat
import sys
import threading
from pathlib import Path

import pytest

from ticketdesk.app import main
from ticketdesk.db.store import open_database
from ticketdesk.services import output_file, tickets
from ticketdesk.services.export import COLUMNS, write_csv
from ticketdesk.services.session import Session

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and modes are POSIX")


@pytest.fixture
def desk(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    store = open_database(url)
    try:
        system = Session(store, None)
        tickets.create_ticket(system, subject="Printer on fire")
        tickets.create_ticket(system, subject="=1+1")
    finally:
        store.close()
    return url


def _subjects(data: str) -> list[str]:
    return [row["subject"] for row in csv.DictReader(io.StringIO(data))]


def _tree(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every entry under `folder` (not following links) with its type and contents."""
    found = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        data = path.read_bytes() if stat.S_ISREG(st.st_mode) else b""
        found[str(path.relative_to(folder))] = (stat.S_IFMT(st.st_mode), data)
    return found


@posix_only
def test_export_to_a_fifo_writes_through_it_and_keeps_the_fifo(desk: str,
                                                               tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert main(["export", "tickets", "--db", desk, "--out", str(fifo)]) == 0
    reader.join(30)
    assert _subjects(received[0].decode()) == ["Printer on fire", "'=1+1"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


@posix_only
def test_export_to_a_character_device_keeps_the_device(desk: str, tmp_path: Path) -> None:
    before = os.stat(os.devnull)
    assert main(["export", "tickets", "--db", desk, "--out", os.devnull]) == 0
    assert main(["export", "analytics", "--db", desk, "--out", os.devnull]) == 0
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@posix_only
def test_export_through_a_symlink_replaces_its_target_and_keeps_the_link(
        desk: str, tmp_path: Path) -> None:
    real = tmp_path / "real" / "tickets.csv"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    assert main(["export", "tickets", "--db", desk, "--out", str(link)]) == 0
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert _subjects(real.read_text()) == ["Printer on fire", "'=1+1"]
    assert not [p for p in real.parent.iterdir() if p.name.endswith(".partial")]


@posix_only
def test_a_symlink_planted_at_the_temporary_name_is_never_followed(
        desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "tickets.csv"
    # The name the old code used, and the first random name the new code will draw.
    (tmp_path / ".tickets.csv.partial").symlink_to(victim)
    (tmp_path / ".tickets.csv.planted.partial").symlink_to(victim)
    names = iter(["planted", "fresh"])
    monkeypatch.setattr(output_file, "_token", lambda: next(names))
    assert main(["export", "tickets", "--db", desk, "--out", str(out)]) == 0
    assert victim.read_text() == "precious\n"
    assert (tmp_path / ".tickets.csv.planted.partial").is_symlink()
    assert _subjects(out.read_text()) == ["Printer on fire", "'=1+1"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_export_to_standard_output_with_out_dash(desk: str, capsysbinary) -> None:
    assert main(["export", "tickets", "--db", desk, "--out", "-", "--bom"]) == 0
    said = capsysbinary.readouterr()
    assert said.out.startswith(b"\xef\xbb\xbfnumber,")
    assert _subjects(said.out.decode("utf-8-sig")) == ["Printer on fire", "'=1+1"]
    assert b"Exported 2 tickets to standard output" in said.err
    assert main(["export", "analytics", "--db", desk, "--out", "-", "--period", "all-time"]) == 0
    said = capsysbinary.readouterr()
    assert said.out.startswith(b"section,period,")
    assert b"written to standard output" in said.err


def test_a_failed_export_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "tickets.csv"
    out.write_text("the previous export\n")

    def rows():
        yield ["TKT-000001"] + [""] * (len(COLUMNS) - 1)
        raise OSError(28, "No space left on device")

    with pytest.raises(output_file.OutputError, match="the disk is full"):
        write_csv(out, COLUMNS, rows())
    assert out.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["tickets.csv"]


def _bad_paths(tmp_path: Path) -> list[tuple[str, str]]:
    """(the --out value, what the message says) for every kind of bad path."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "a-file").write_text("keep me\n")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "to-nowhere").symlink_to(tmp_path / "missing" / "x.csv")
    (tmp_path / "to-folder").symlink_to(tmp_path / "folder")
    cases = [
        (str(tmp_path / "folder"), "it is a folder"),
        (str(tmp_path / "to-folder"), "it is a folder"),
        (".", "no file name was given (a folder)"),
        ("", "no file name was given"),
        (str(tmp_path / "a-file" / "x.csv"), "a part of the path is a file"),
        (str(tmp_path / "a-file" / "sub" / "x.csv"), "a part of the path is a file"),
        (str(tmp_path / ("n" * 300 + ".csv")), "the name is too long"),
        (str(tmp_path.joinpath(*["d" * 200] * 25, "x.csv")), "the name is too long"),
        (str(tmp_path / "loop"), "symlink loop"),
        (str(tmp_path / "to-nowhere"), "in a folder that does not exist"),
    ]
    if hasattr(socket, "AF_UNIX"):
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(tmp_path / "sock"))
        sock.close()
        cases.append((str(tmp_path / "sock"), "not a regular file"))
    return cases


@pytest.mark.parametrize("what", ["tickets", "analytics"])
def test_bad_output_paths_get_a_clear_message_and_change_nothing(
        desk: str, tmp_path: Path, capsys, what: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    cases = _bad_paths(work)
    before = _tree(work)
    for out, message in cases:
        if what == "analytics" and "folder" in message:
            continue  # a folder is where analytics names its file itself
        assert main(["export", what, "--db", desk, "--out", out]) == 1, out
        err = capsys.readouterr().err
        assert message.removesuffix(" (a folder)") in err, (out, err)
        assert "Traceback" not in err
        assert err.startswith(f"ticketdesk: Cannot write {out or chr(34) * 2}")
        assert _tree(work) == before, out


@posix_only
def test_an_unwritable_folder_is_a_clear_message(desk: str, tmp_path: Path, capsys) -> None:
    if os.geteuid() == 0:  # root writes anywhere on a normal file system; not in /sys
        if not sys.platform.startswith("linux") or not Path("/sys/kernel").is_dir():
            pytest.skip("needs an unwritable folder")
        targets = [Path("/sys/ticketdesk-test.csv"), Path("/sys/ticketdesk-test/x.csv")]
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        targets = [locked / "x.csv", locked / "new" / "x.csv"]
    for out in targets:
        assert main(["export", "tickets", "--db", desk, "--out", str(out)]) == 1
        err = capsys.readouterr().err
        assert f"Cannot write {out}: permission denied" in err
        assert not out.exists()
