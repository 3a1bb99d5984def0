"""What the window remembers between runs, in QSettings (Picard's typed-options idea, small).

Every key the app stores is listed here once, with its type and its default (`SETTINGS`); every
reader and writer goes through these `Setting` values, never through a key string of its own,
so a key cannot be misspelt in one place or read as another type than it was written.

Per-desk values (which agent is working) are keyed by the desk's location, so the same computer
can work on a local desk as one agent and on the team's server as another.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from ticketdesk.db.files import private_dir, private_file

ORGANIZATION = "ticketdesk"
APPLICATION = "ticketdesk"

T = TypeVar("T", str, int, QByteArray)


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One remembered value: its key, its type and what it reads as when absent or unreadable
    (a settings file edited by hand, or written by another version)."""

    key: str
    type: type[T]
    default: T | None
    description: str

    def read(self, settings: QSettings) -> T | None:
        return self._convert(settings.value(self.key))

    def write(self, settings: QSettings, value: T) -> None:
        settings.setValue(self.key, value)

    def for_desk(self, location: str) -> Setting[T]:
        """This setting for one desk (keys like `desks/<sha1 of the location>/agent_id`)."""
        digest = hashlib.sha1(location.encode("utf-8"), usedforsecurity=False).hexdigest()
        return Setting(self.key.replace("<desk>", digest), self.type, self.default,
                       self.description)

    def _convert(self, value: Any) -> T | None:
        if value is None:
            return self.default
        if self.type is QByteArray:
            ok = isinstance(value, QByteArray) and not value.isEmpty()
            return value if ok else self.default
        try:
            converted = self.type(value)
        except (TypeError, ValueError):
            return self.default
        return converted if converted != "" else self.default


DESK_URL = Setting("desk/url", str, None,
                   "Which desk this computer opens: a desk file's or a server's URL, never with "
                   "a password (Desk > Preferences…).")
COLOR_SCHEME = Setting("view/color_scheme", str, "system",
                       "Light, dark, or the desktop's scheme (View > Colour Scheme).")
WINDOW_GEOMETRY = Setting("window/geometry", QByteArray, None,
                          "The main window's size and position (QWidget.saveGeometry).")
WINDOW_STATE = Setting("window/state", QByteArray, None,
                       "The docks and toolbars (QMainWindow.saveState).")
TABLE_HEADER = Setting("table/header", QByteArray, None,
                       "The ticket table's column widths and order (QHeaderView.saveState).")
TABLE_SORT = Setting("table/sort", str, None,
                     "The ticket list's order, as \"created descending\" (its arrow follows).")
SLA_NOTIFY = Setting("notify/sla", int, 1,
                     "1: tell me when a ticket assigned to me turns at risk or breaches its SLA "
                     "(Desk > Preferences…); 0: don't.")
DESK_AGENT = Setting("desks/<desk>/agent_id", int, None,
                     "Who works on a desk on this computer (per desk: `for_desk`).")

LAST_VIEW = Setting("desks/<desk>/last_view", str, None,
                    "The saved view last opened on a desk, as \"view:12\" or \"builtin:all\" "
                    "(it opens again at the next start; ui/views_panel.py).")

SETTINGS: tuple[Setting[Any], ...] = (DESK_URL, COLOR_SCHEME, WINDOW_GEOMETRY, WINDOW_STATE,
                                      TABLE_HEADER, TABLE_SORT, SLA_NOTIFY, DESK_AGENT,
                                      LAST_VIEW)
"""Every key the app stores."""


def open_settings() -> QSettings:
    return make_private(QSettings(ORGANIZATION, APPLICATION))


def make_private(settings: QSettings) -> QSettings:
    """Keep the settings file as private as the desk (0600, its folder 0700), whatever the
    umask: it holds the desk's URL (server, user, database) and who works on it.

    Qt writes the file anew on every sync (a temporary file renamed over it) but gives the new
    file the permissions of the one it replaces, so creating it private once is enough; a file
    an older version left readable by others is closed up here.
    """
    if os.name != "posix" or not settings.fileName():
        return settings
    path = Path(settings.fileName())
    try:
        if not path.parent.exists():
            private_dir(path.parent)
        elif path.parent.name == ORGANIZATION:  # our own folder in the config folder
            os.chmod(path.parent, 0o700)
        if not private_file(path) and stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        pass  # an unwritable config folder: Qt keeps the settings in memory, nothing to protect
    return settings


class AppSettings:
    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings if settings is not None else open_settings()

    def agent_for(self, location: str) -> int | None:
        return DESK_AGENT.for_desk(location).read(self.qsettings)

    def set_agent_for(self, location: str, agent_id: int) -> None:
        DESK_AGENT.for_desk(location).write(self.qsettings, agent_id)

    def bytes_value(self, setting: Setting[QByteArray]) -> QByteArray | None:
        return setting.read(self.qsettings)

    def set_bytes(self, setting: Setting[QByteArray], value: QByteArray) -> None:
        setting.write(self.qsettings, value)

    def sync(self) -> None:
        self.qsettings.sync()
