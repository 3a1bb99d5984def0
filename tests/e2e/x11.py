"""A private X server (Xvfb) and xdotool, for tests and scripts that run the real program.

Without Xvfb or xdotool a test is skipped with the reason, except in CI (the environment variable
CI is set), where a missing tool is a failure: CI installs them (.ci/run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class MissingTool(Exception):
    pass


def require(*tools: str) -> dict[str, str]:
    """The paths of `tools`; MissingTool names the first one not installed."""
    found = {}
    for tool in tools:
        path = shutil.which(tool)
        if path is None:
            raise MissingTool(f"{tool} is not installed (Debian: apt-get install "
                              f"{'xvfb xauth' if tool == 'Xvfb' else tool})")
        found[tool] = path
    return found


@contextmanager
def xvfb(width: int = 1600, height: int = 1000, depth: int = 24) -> Iterator[str]:
    """Start Xvfb on a free display number (it picks one itself: -displayfd) and yield
    ":N" for DISPLAY; the server is stopped afterwards."""
    tools = require("Xvfb")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [tools["Xvfb"], "-displayfd", str(write_fd), "-screen", "0",
         f"{width}x{height}x{depth}", "-nolisten", "tcp", "-noreset", "-dpi", "96"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write_fd)
    try:
        number = b""
        deadline = time.monotonic() + 20
        while not number.endswith(b"\n"):
            if time.monotonic() > deadline or server.poll() is not None:
                error = server.stderr.read().decode(errors="replace") if server.stderr else ""
                raise RuntimeError(f"Xvfb did not start: {error[-2000:]}")
            chunk = os.read(read_fd, 16)
            if not chunk:
                time.sleep(0.05)
            number += chunk
        yield f":{int(number.strip())}"
    finally:
        os.close(read_fd)
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def xdotool(display: str, *args: str, check: bool = True) -> str:
    tool = require("xdotool")["xdotool"]
    result = subprocess.run([tool, *args], env={**os.environ, "DISPLAY": display},
                            capture_output=True, text=True, timeout=30, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"xdotool {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout.strip()


def wait_for_window(display: str, name: str, process: subprocess.Popen[bytes] | None = None,
                    timeout: float = 60) -> str:
    """The id of the first visible window whose title matches the regular expression `name`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the program exited ({process.returncode}) before its window "
                               f"{name!r} appeared")
        found = xdotool(display, "search", "--onlyvisible", "--name", name, check=False)
        if found:
            return found.splitlines()[0]
        time.sleep(0.2)
    raise TimeoutError(f"no window {name!r} after {timeout:.0f} s")


def window_name(display: str, window: str) -> str:
    return xdotool(display, "getwindowname", window)


def focus_and_type_keys(display: str, window: str, *keys: str) -> None:
    """Give `window` the keyboard focus (there is no window manager) and press `keys`."""
    xdotool(display, "windowfocus", "--sync", window)
    for key in keys:
        xdotool(display, "key", "--clearmodifiers", key)


def program_environment(home: Path, display: str, **extra: str) -> dict[str, str]:
    """A clean environment for the program: its own home, settings and data folders, the
    display, and nothing from the desktop this test happens to run on."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(home / "runtime"),
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "LANG": "C.UTF-8",
        "PYTHONFAULTHANDLER": "1",
    }
    (home / "runtime").mkdir(mode=0o700, parents=True, exist_ok=True)
    for key in ("PYTHONPATH", "LD_LIBRARY_PATH", "VIRTUAL_ENV"):
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra)
    return env
