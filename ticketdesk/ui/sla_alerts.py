"""SLA notifications: a ticket assigned to me turned at risk or breached.

Every minute a cheap query (two ranges on indexed instants, `ticket_list.sla_alerts`) asks, on
a query thread of its own, which of my tickets crossed their risk or breach instant since the
last look; each is told once per ticket and target, as a desktop notification (the system
tray) or, without a tray, in the status bar. Preferences switch it off (`SLA_NOTIFY`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon

from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.numbers import format_number
from ticketdesk.services import ticket_list
from ticketdesk.services.session import Session
from ticketdesk.services.ticket_list import SlaAlert
from ticketdesk.ui.icons import app_icon
from ticketdesk.ui.settings import SLA_NOTIFY
from ticketdesk.ui.worker import QueryRunner

POLL_MS = 60_000
CHANNEL = "sla.alerts"


class SlaAlerts(QObject):
    def __init__(self, window: QMainWindow, session: Callable[[], Session],
                 settings: QSettings) -> None:
        """`session()` is the window's current session (the agent may switch)."""
        super().__init__(window)
        self.window = window
        self.session = session
        self.settings = settings
        self.since = self.now()  # what turned before the window opened is not news
        self.told: set[tuple[int, bool, int]] = set()
        self.shown: list[str] = []  # what was said, newest last (the status bar forgets)
        self._asked = 0
        self._tray: QSystemTrayIcon | None = None
        self.runner = QueryRunner(session().store, self)
        self.runner.finished.connect(self._answered)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def now(self) -> int:
        return utc_now()

    @property
    def enabled(self) -> bool:
        return bool(SLA_NOTIFY.read(self.settings))

    def poll(self) -> None:
        session = self.session()
        agent_id, until = session.agent_id, self.now()
        if not self.enabled or agent_id is None:
            self.since = until
            return
        since, store = self.since, session.store
        self._asked += 1
        self.runner.submit(CHANNEL, self._asked,
                           lambda: (until, ticket_list.sla_alerts(store, agent_id, since, until)))

    def _answered(self, _channel: str, _generation: int, result: Any) -> None:
        until, alerts = result
        self.since = max(self.since, until)
        for alert in alerts:
            key = (alert.ticket_id, alert.breached, alert.at)
            if key not in self.told and self.enabled:
                self.told.add(key)
                self._tell(alert)

    def _tell(self, alert: SlaAlert) -> None:
        title = (self.tr("SLA breached") if alert.breached else self.tr("SLA at risk"))
        text = self.tr("{0} · {1}").format(format_number(alert.ticket_id), alert.subject)
        self.shown.append(f"{title}: {text}")
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self._tray is None:
                self._tray = QSystemTrayIcon(app_icon(), self)
                self._tray.setToolTip(self.tr("ticketdesk"))
            self._tray.show()
            icon = (QSystemTrayIcon.MessageIcon.Critical if alert.breached
                    else QSystemTrayIcon.MessageIcon.Warning)
            self._tray.showMessage(title, text, icon, 10_000)
        else:
            self.window.statusBar().showMessage(f"{title}: {text}", 15_000)

    def stop(self) -> None:
        self.timer.stop()
        if self._tray is not None:
            self._tray.hide()
        self.runner.stop()
