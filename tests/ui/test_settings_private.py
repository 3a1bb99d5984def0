"""The settings file holds the desk's URL (issue 13, item 11): private like the desk itself."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

SAVE = """
import os, sys
os.umask(0)
from ticketdesk.ui.preferences import save_desk_url
from ticketdesk.ui.settings import open_settings
settings = open_settings()
save_desk_url(settings, "postgresql://alice@db.example/helpdesk")
settings.sync()
print(settings.fileName())
"""


def _save_as_the_app_does(home: Path) -> Path:
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / ".config"), "HOME": str(home),
           "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", SAVE], env=env, capture_output=True, text=True,
                          check=True)
    path = Path(done.stdout.strip())
    assert path.is_relative_to(home)
    return path


def test_the_settings_file_is_private_even_under_umask_000(tmp_path: Path) -> None:
    path = _save_as_the_app_does(tmp_path)
    assert "db.example" in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_readable_settings_file_from_an_older_version_is_closed_up(tmp_path: Path) -> None:
    folder = tmp_path / ".config" / "ticketdesk"
    folder.mkdir(parents=True)
    os.chmod(folder, 0o755)  # noqa: S103 - what an older version left
    old = folder / "ticketdesk.conf"
    old.write_text("[General]\nx=1\n")
    os.chmod(old, 0o644)
    path = _save_as_the_app_does(tmp_path)
    assert path == old
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
