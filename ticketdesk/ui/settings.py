"""What the window remembers between runs, in QSettings (Picard's typed-options idea, small).

Per-desk values (which agent is working) are keyed by the desk's location, so the same computer
can work on a local desk as one agent and on the team's server as another.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ticketdesk.db.files import private_dir, private_file

ORGANIZATION = "ticketdesk"
APPLICATION = "ticketdesk"


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

    @staticmethod
    def _desk_key(location: str) -> str:
        return "desks/" + hashlib.sha1(location.encode("utf-8"), usedforsecurity=False).hexdigest()

    def agent_for(self, location: str) -> int | None:
        value = self.qsettings.value(self._desk_key(location) + "/agent_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    def set_agent_for(self, location: str, agent_id: int) -> None:
        self.qsettings.setValue(self._desk_key(location) + "/agent_id", agent_id)

    def bytes_value(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_bytes(self, key: str, value: QByteArray) -> None:
        self.qsettings.setValue(key, value)

    def sync(self) -> None:
        self.qsettings.sync()
