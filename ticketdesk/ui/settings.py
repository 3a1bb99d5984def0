"""What the window remembers between runs, in QSettings (Picard's typed-options idea, small).

Per-desk values (which agent is working) are keyed by the desk's location, so the same computer
can work on a local desk as one agent and on the team's server as another.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "ticketdesk"
APPLICATION = "ticketdesk"


def open_settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


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
