"""Desktop integration files pass the freedesktop validators and agree on one id; the icons load
through Qt (the SVG icon engine is there) and the PNG sizes are rendered from the current SVG."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from ticketdesk.domain.status import Priority, Status
from ticketdesk.ui.icons import app_icon, priority_icon, status_icon
from ticketdesk.ui.resources import APP_ID, resource_root

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian: apt-get install {package})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_the_desktop_file_is_valid() -> None:
    result = subprocess.run([tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not result.stdout.strip(), result.stdout


def test_the_metainfo_is_valid() -> None:
    result = subprocess.run([tool("appstreamcli", "appstream"), "validate", "--no-net",
                             str(METAINFO)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    # Infos are allowed (appstream 0.16 does not know <developer> yet); warnings and errors not.
    assert not [line for line in result.stdout.splitlines()
                if line.startswith(("W:", "E:"))], result.stdout


def test_desktop_file_metainfo_and_icon_share_one_id() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Icon"] == APP_ID
    assert section["Exec"].split()[0] == "ticketdesk"
    component = ET.parse(METAINFO).getroot()  # noqa: S314 - our own file
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    assert (RESOURCES / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert component.find("releases/release").get("version") == _version()  # type: ignore[union-attr]


def _version() -> str:
    from ticketdesk import __version__

    return __version__


def test_the_package_finds_the_resources_folder() -> None:
    assert resource_root().resolve() == RESOURCES.resolve()


def _rendered(icon_pixmap_image: QImage) -> int:
    """How many pixels are not fully transparent."""
    image = icon_pixmap_image.convertToFormat(QImage.Format.Format_ARGB32)
    return sum(1 for y in range(image.height()) for x in range(image.width())
               if image.pixelColor(x, y).alpha() > 0)


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_every_status_and_priority_icon_draws_at_every_scale(qapp, scale: float) -> None:
    icons = [status_icon(s) for s in Status] + [priority_icon(p) for p in Priority]
    images = []
    for icon in icons:
        assert not icon.isNull()
        pixmap = icon.pixmap(QSize(16, 16), scale)
        assert pixmap.width() == int(16 * scale)  # drawn for the screen, not scaled up
        images.append(pixmap.toImage())
        assert _rendered(images[-1]) > 10 * scale * scale
    # Each one has its own shape, not only its own colour: with the colour taken away (only
    # "drawn" and "white" left, as a colour-blind eye might see it) they still all differ.
    masks = {tuple((c.alpha() > 128, c.alpha() > 128 and c.lightness() > 220)
                   for c in (image.pixelColor(x, y) for y in range(image.height())
                             for x in range(image.width())))
             for image in images}
    assert len(masks) == len(images)
    assert not app_icon().isNull()


def test_the_png_icon_sizes_are_rendered_from_the_current_svg(qapp) -> None:
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import render_icons
    finally:
        sys.path.pop(0)
    for size in render_icons.SIZES:
        path = render_icons.png_path(size)
        assert path.is_file(), f"run packaging/render_icons.py ({path} missing)"
        stored = QImage(str(path)).convertToFormat(QImage.Format.Format_ARGB32)
        fresh = render_icons.render(size).convertToFormat(QImage.Format.Format_ARGB32)
        assert stored.size() == fresh.size()
        worst = max(abs(a - b)
                    for y in range(0, size, max(1, size // 64)) for x in range(size)
                    for a, b in zip(stored.pixelColor(x, y).getRgb(),
                                    fresh.pixelColor(x, y).getRgb(), strict=True))
        assert worst <= 8, f"{path.name} at {size}px differs from the SVG: run " \
                           "packaging/render_icons.py"
