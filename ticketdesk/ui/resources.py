"""Where ticketdesk's resource files are, however it was installed.

The canonical files live in `resources/` at the top of the repository; pyproject.toml installs
that folder as the package `ticketdesk.resources`, so `importlib.resources` finds it in a wheel
install, an editable install and the PyInstaller bundle alike. A bare source checkout on
`sys.path` without any install falls back to the folder beside the package.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

APP_ID = "io.github.ticketdesk.ticketdesk"  # reverse-DNS id of the .desktop file and metainfo


@cache
def resource_root() -> Path:
    try:
        root = Path(str(resources.files("ticketdesk.resources")))
    except ModuleNotFoundError:
        root = Path(__file__).resolve().parents[2] / "resources"
    return root


def resource_path(*parts: str) -> Path:
    """A resource file by its path inside `resources/`, e.g. ("icons", "status", "open.svg")."""
    return resource_root().joinpath(*parts)


def app_icon_path() -> Path:
    return resource_path("icons", "hicolor", "scalable", "apps", f"{APP_ID}.svg")
