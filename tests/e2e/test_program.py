"""The real program, started as a user starts it (`python -m ticketdesk --db FILE`), on a private
X server: it shows its window, asks who is working on first use, and closes cleanly when the user
quits or the session sends SIGTERM/SIGINT: exit status 0, nothing on stderr (no Qt warning, no
traceback, no crash at interpreter shutdown), the layout saved."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.x11 import (
    MissingTool,
    focus_and_type_keys,
    program_environment,
    require,
    wait_for_window,
    window_name,
    xdotool,
    xvfb,
)

MAIN_WINDOW = "^ticketdesk — "


@pytest.fixture
def display() -> Iterator[str]:
    try:
        require("Xvfb", "xdotool")
    except MissingTool as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc}; CI must run the end-to-end tests")
        pytest.skip(str(exc))
    with xvfb() as name:
        yield name


def start(tmp_path: Path, display: str, *args: str, new_desk: bool = True,
          **env: str) -> subprocess.Popen[bytes]:
    """The program on `desk.sqlite` in `tmp_path`, made beforehand as an empty desk (a desk
    that does not exist makes the window ask first) unless `new_desk` is False."""
    desk = tmp_path / "desk.sqlite"
    if new_desk and not desk.exists():
        from ticketdesk.db.store import open_database

        open_database(str(desk)).close()
    return subprocess.Popen(
        [sys.executable, "-m", "ticketdesk", "--db", str(desk), *args],
        env=program_environment(tmp_path / "home", display, **env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)


def finish(process: subprocess.Popen[bytes], timeout: float = 30) -> tuple[int, str]:
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
        pytest.fail(f"the program did not exit within {timeout:.0f} s; stderr:\n"
                    f"{err.decode(errors='replace')}")
    return process.returncode, err.decode(errors="replace")


def assert_clean_exit(process: subprocess.Popen[bytes]) -> None:
    code, err = finish(process)
    assert code == 0, f"exit status {code}; stderr:\n{err}"
    assert err.strip() == "", f"the program wrote to stderr:\n{err}"


def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".config" / "ticketdesk" / "ticketdesk.conf"


def test_first_run_asks_who_is_working_then_quits_cleanly_with_ctrl_q(
        tmp_path: Path, display: str) -> None:
    process = start(tmp_path, display)
    try:
        picker = wait_for_window(display, "^Who is working", process)
        # The name field is focused and prefilled with the login name; type our own.
        focus_and_type_keys(display, picker, "ctrl+a")
        xdotool(display, "type", "--delay", "20", "Erin Endtoend")
        focus_and_type_keys(display, picker, "Return")
        window = wait_for_window(display, MAIN_WINDOW, process)
        assert str(tmp_path / "desk.sqlite") in window_name(display, window)
        focus_and_type_keys(display, window, "ctrl+q")
    except BaseException:
        process.kill()
        raise
    assert_clean_exit(process)
    saved = settings_file(tmp_path).read_text(encoding="utf-8")
    assert "geometry=" in saved  # the layout was saved on the way out


def test_a_desk_that_does_not_exist_is_asked_about_and_cancel_creates_nothing(
        tmp_path: Path, display: str) -> None:
    process = start(tmp_path, display, new_desk=False)
    try:
        question = wait_for_window(display, "^ticketdesk$", process)
        focus_and_type_keys(display, question, "Escape")
    except BaseException:
        process.kill()
        raise
    assert_clean_exit(process)
    assert not (tmp_path / "desk.sqlite").exists()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_closes_the_window_as_quit_does(tmp_path: Path, display: str,
                                                 sig: signal.Signals) -> None:
    process = start(tmp_path, display, "--agent", "Erin Endtoend")
    try:
        wait_for_window(display, MAIN_WINDOW, process)
        process.send_signal(sig)
    except BaseException:
        process.kill()
        raise
    assert_clean_exit(process)
    assert "geometry=" in settings_file(tmp_path).read_text(encoding="utf-8")


def test_a_signal_while_asking_who_is_working_exits_cleanly(tmp_path: Path,
                                                            display: str) -> None:
    process = start(tmp_path, display)
    try:
        wait_for_window(display, "^Who is working", process)
        process.send_signal(signal.SIGTERM)
    except BaseException:
        process.kill()
        raise
    assert_clean_exit(process)


def test_the_agent_can_come_from_the_environment(tmp_path: Path, display: str) -> None:
    process = start(tmp_path, display, TICKETDESK_AGENT="Erin Endtoend")
    try:
        window = wait_for_window(display, MAIN_WINDOW, process)
        focus_and_type_keys(display, window, "ctrl+q")
    except BaseException:
        process.kill()
        raise
    assert_clean_exit(process)


def _tickets_in(desk: Path) -> int:
    from ticketdesk.db.store import open_database
    from ticketdesk.services.tickets import ticket_count

    store = open_database(f"sqlite:///{desk}")
    try:
        return ticket_count()
    finally:
        store.close()


def test_the_readme_quick_start_opens_a_window_filled_with_demo_data(
        tmp_path: Path, display: str) -> None:
    """`ticketdesk --db demo.sqlite --demo` (here with fewer tickets, to be quick)."""
    process = start(tmp_path, display, "--demo", "300", "--agent", "Erin Endtoend")
    try:
        window = wait_for_window(display, MAIN_WINDOW, process)
        deadline = time.monotonic() + 60
        while _tickets_in(tmp_path / "desk.sqlite") < 300:
            assert time.monotonic() < deadline, "the demo data did not arrive within 60 s"
            assert process.poll() is None, "the program exited while loading demo data"
            time.sleep(0.5)
        time.sleep(1)  # let the list show them
        focus_and_type_keys(display, window, "ctrl+q")
    except BaseException:
        process.kill()
        raise
    assert_clean_exit(process)
    assert _tickets_in(tmp_path / "desk.sqlite") == 300
