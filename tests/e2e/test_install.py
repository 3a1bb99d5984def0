"""A wheel install (what `pip install .` and a user get), not only the editable install the tests
run from, carries every package and finds its resources with importlib.resources."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tracked_package_dirs() -> set[str]:
    """Packages of ticketdesk/ as committed (git), else as on disk: folders holding .py files."""
    try:
        listed = subprocess.run(["git", "ls-files", "ticketdesk"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        listed = [str(p.relative_to(ROOT)) for p in (ROOT / "ticketdesk").rglob("*.py")]
    return {str(Path(f).parent).replace(os.sep, ".") for f in listed if f.endswith(".py")}


def test_every_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    missing = _tracked_package_dirs() - listed
    assert not missing, (f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml, "
                         "or the wheel (pip install .) will not contain them")
    assert "ticketdesk.resources" in listed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                             str(out), str(ROOT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("ticketdesk-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_carries_icons_desktop_file_and_metainfo(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    app_id = "io.github.ticketdesk.ticketdesk"
    for wanted in (
        f"ticketdesk/resources/{app_id}.desktop",
        f"ticketdesk/resources/{app_id}.metainfo.xml",
        f"ticketdesk/resources/icons/hicolor/scalable/apps/{app_id}.svg",
        f"ticketdesk/resources/icons/hicolor/256x256/apps/{app_id}.png",
        "ticketdesk/resources/icons/status/waiting.svg",
        "ticketdesk/resources/icons/priority/urgent.svg",
        "ticketdesk/py.typed",
        "ticketdesk/ARCHITECTURE.md",
    ):
        assert wanted in names
    assert not [n for n in names if "/screenshots/" in n or n.startswith("tests/")]


@pytest.mark.slow
def test_an_installed_wheel_finds_its_resources(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    probe = (
        "import ticketdesk, ticketdesk.ui.icons as icons\n"
        "from ticketdesk.ui.resources import resource_root, app_icon_path\n"
        "from ticketdesk.domain.status import Status, Priority\n"
        "from ticketdesk.ui.icons import STATUS_FILES, PRIORITY_FILES\n"
        "root = resource_root()\n"
        "assert app_icon_path().is_file()\n"
        "assert all((root / 'icons/status' / f).is_file() for f in STATUS_FILES.values())\n"
        "assert all((root / 'icons/priority' / f).is_file() for f in PRIORITY_FILES.values())\n"
        "print(ticketdesk.__file__); print(root)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    module_file, root = result.stdout.splitlines()
    assert Path(module_file).is_relative_to(target)
    assert Path(root) == target / "ticketdesk" / "resources"
