"""Versions chosen so no user can install a broken pair (ticketdesk/ARCHITECTURE.md, "Traps
measured here"): PySide6 6.12.0 on
Python 3.11 drops a reference to None on every call of a method that returns nothing and aborts
the interpreter. The dependency metadata must rule the pair out, and a regression test makes
the calls that would crash it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYSIDE = {canonicalize_name("PySide6"), canonicalize_name("PySide6-Essentials")}
BROKEN = "6.12.0"
ROOT = Path(__file__).resolve().parents[2]


def _environment(python: str) -> dict[str, str]:
    env = dict(default_environment())
    env.update(python_version=python, python_full_version=f"{python}.0", extra="")
    return env


def _pyside_requirements(lines: list[str], python: str) -> list[Requirement]:
    """The PySide6 requirements that apply on `python` (without extras)."""
    env = _environment(python)
    found = []
    for line in lines:
        req = Requirement(line)
        if canonicalize_name(req.name) in PYSIDE and (req.marker is None
                                                       or req.marker.evaluate(env)):
            found.append(req)
    return found


def _installed() -> list[str]:
    return metadata.requires("ticketdesk") or []


def _pyproject() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return list(tomllib.load(fh)["project"]["dependencies"])


@pytest.mark.parametrize("source", [_installed, _pyproject], ids=["installed", "pyproject"])
def test_pyside6_6_12_0_cannot_be_chosen_on_python_3_11(source: object) -> None:
    lines = source()  # type: ignore[operator]
    applying = _pyside_requirements(lines, "3.11")
    assert applying, "no PySide6 requirement applies on Python 3.11: nothing keeps 6.12.0 out"
    allowing = [str(r) for r in applying if r.specifier.contains(BROKEN, prereleases=True)]
    assert allowing == []


@pytest.mark.parametrize("source", [_installed, _pyproject], ids=["installed", "pyproject"])
@pytest.mark.parametrize("python", ["3.12", "3.13", "3.14"])
def test_newer_pythons_still_get_a_pyside6_requirement(source: object, python: str) -> None:
    """Ruling the pair out must not leave newer Pythons without Qt (None is immortal there, so
    6.12.0 is fine on them)."""
    applying = _pyside_requirements(source(), python)  # type: ignore[operator]
    assert applying
    assert all(r.specifier.contains("6.11.3") or r.specifier.contains(BROKEN) for r in applying)


def test_installed_metadata_agrees_with_pyproject() -> None:
    """A stale install would make the test above check the wrong list."""
    installed = {str(Requirement(x)) for x in _installed() if "extra ==" not in x}
    assert installed == {str(Requirement(x)) for x in _pyproject()}


CALLS = 100_000
SCRIPT = textwrap.dedent(f"""
    import json, sys
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([])
    widget = QWidget()
    drops = {{}}
    for name, call in (
        ("QWidget.setWindowTitle", lambda: widget.setWindowTitle("ticketdesk")),
        ("QCoreApplication.processEvents", QCoreApplication.processEvents),
        ("QWidget.update", widget.update),
    ):
        before = sys.getrefcount(None)
        for _ in range({CALLS}):
            call()
        drops[name] = before - sys.getrefcount(None)
    widget.deleteLater()
    del widget
    print(json.dumps({{"drops": drops, "immortal": sys.version_info >= (3, 12)}}))
""")


def test_100000_calls_of_methods_returning_nothing_leave_none_alone(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300, check=False)
    # With the broken pair the interpreter aborts ("Fatal Python error: none_dealloc").
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result["drops"]) == {"QWidget.setWindowTitle", "QCoreApplication.processEvents",
                                    "QWidget.update"}
    if not result["immortal"]:
        # On 3.11 None's count is real: a leak of one reference per call would show as ~100,000
        # (if the interpreter had not aborted first). Allow for unrelated small movements.
        assert all(abs(drop) < 1000 for drop in result["drops"].values()), result
