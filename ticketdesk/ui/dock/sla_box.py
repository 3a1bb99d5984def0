"""The Detail tab's SLA box: the ticket's policy, its next target with a live countdown, what
paused it and since when, and which targets were met or breached.

The full SLA (`services.sla.ticket_sla`) is read on the dock's query thread when a ticket is
shown; the countdown is then redrawn every 30 seconds from the instants already read, with no
query (ticketdesk/ARCHITECTURE.md, "Threading" and "SLA").
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QWidget

from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.sla import Cycle, Metric, Phase, SlaState, TicketSla
from ticketdesk.ui.icons import sla_icon
from ticketdesk.ui.labels import QT_TRANSLATE_NOOP, sla_text
from ticketdesk.ui.text import local_time, plain_label

TICK_MS = 30_000
METRIC = {
    Metric.FIRST_RESPONSE: QT_TRANSLATE_NOOP("SlaBox", "First response"),
    Metric.NEXT_RESPONSE: QT_TRANSLATE_NOOP("SlaBox", "Next response"),
    Metric.RESOLUTION: QT_TRANSLATE_NOOP("SlaBox", "Resolution"),
}


def metric_text(metric: Metric) -> str:
    return QCoreApplication.translate("SlaBox", METRIC[metric])


def span_text(seconds: int) -> str:
    """A wall-clock span as people say it: "2 d 3 h", "4 h 05 min", "12 min"."""
    minutes = max(0, seconds) // 60
    if minutes < 1:
        return QCoreApplication.translate("SlaBox", "less than a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return QCoreApplication.translate("SlaBox", "{0} d {1} h").format(days, hours)
    if hours:
        return QCoreApplication.translate("SlaBox", "{0} h {1:02d} min").format(hours, mins)
    return QCoreApplication.translate("SlaBox", "{0} min").format(mins)


def next_target(s: TicketSla) -> Cycle | None:
    """The pending target whose clock runs and which falls due first."""
    running = [c for c in (s.first_response, s.next_response, s.resolution)
               if c is not None and c.pending and c.running and c.due is not None]
    return min(running, key=lambda c: c.due or 0) if running else None


class SlaBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("SLA"), parent)
        self.setObjectName("slaBox")
        self.sla: TicketSla | None = None
        form = QFormLayout(self)
        self.policy = plain_label("—", self)
        self.policy.setObjectName("slaPolicy")
        form.addRow(self.tr("Policy:"), self.policy)
        self.state_icon = QLabel(self)
        self.state = plain_label("", self)
        self.state.setObjectName("slaState")
        form.addRow(self.state_icon, self.state)
        self.countdown = plain_label("", self)
        self.countdown.setObjectName("slaCountdown")
        form.addRow(self.tr("Next:"), self.countdown)
        self.paused = plain_label("", self)
        self.paused.setObjectName("slaPaused")
        self.paused.setWordWrap(True)
        form.addRow(self.tr("Paused:"), self.paused)
        self.history = plain_label("", self)
        self.history.setObjectName("slaHistory")
        self.history.setWordWrap(True)
        form.addRow(self.tr("History:"), self.history)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    def now(self) -> int:
        return utc_now()

    def show_sla(self, s: TicketSla | None) -> None:
        """Show `s` (None: being read, or the ticket is gone)."""
        self.sla = s
        if s is None:
            self._timer.stop()
            self.policy.setText("…")
            for label in (self.state, self.countdown, self.paused, self.history):
                label.setText("")
            self.state_icon.clear()
            return
        self.policy.setText(s.policy_name or self.tr("No policy applies"))
        self.paused.setText(self._paused_text(s))
        self.tick()
        if next_target(s) is not None or s.phase != Phase.NONE:
            self._timer.start()
        else:
            self._timer.stop()

    def tick(self) -> None:
        """Redraw the state and the countdown from the instants read (no query)."""
        s = self.sla
        if s is None:
            return
        now = self.now()
        state = s.state(now)
        self.state.setText(sla_text(state))
        icon = sla_icon(state)
        if icon is None:
            self.state_icon.clear()
        else:
            size = self.fontMetrics().height()
            self.state_icon.setPixmap(icon.pixmap(size, size))
        self.countdown.setText(self._countdown_text(s, now, state))
        self.history.setText(self._history_text(s, now))

    def _countdown_text(self, s: TicketSla, now: int, state: SlaState) -> str:
        cycle = next_target(s)
        if cycle is None or cycle.due is None:
            if state == SlaState.PAUSED:
                return self.tr("On hold while Waiting")
            if state == SlaState.MET:
                return self.tr("Every target met")
            return "—"
        name = metric_text(cycle.metric)
        when = local_time(cycle.due)
        if cycle.due > now:
            return self.tr("{0} due in {1} ({2})").format(name, span_text(cycle.due - now),
                                                          when)
        return self.tr("{0} overdue by {1} (due {2})").format(name, span_text(now - cycle.due),
                                                             when)

    def _paused_text(self, s: TicketSla) -> str:
        if not s.paused:
            return self.tr("Never")
        start, end = s.paused[-1]
        if end is None:
            return self.tr("Since {0} (Waiting on the customer)").format(local_time(start))
        return self.tr("Last from {0} to {1} (Waiting); {2} times in all").format(
            local_time(start), local_time(end), len(s.paused))

    def _history_text(self, s: TicketSla, now: int) -> str:
        lines = []
        cycles = [s.first_response, *s.next_responses, s.resolution]
        for cycle in cycles:
            if cycle is None:
                continue
            name = metric_text(cycle.metric)
            if cycle.met_at is not None:
                late = cycle.breached_at is not None and cycle.breached_at <= cycle.met_at
                lines.append((self.tr("{0}: met late {1}") if late
                              else self.tr("{0}: met {1}")).format(name,
                                                                  local_time(cycle.met_at)))
            elif cycle.breached_at is not None and cycle.breached_at <= now:
                lines.append(self.tr("{0}: breached {1}").format(
                    name, local_time(cycle.breached_at)))
        return "\n".join(lines) or "—"
