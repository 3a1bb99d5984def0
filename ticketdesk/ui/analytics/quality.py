"""The analytics view's satisfaction and SLA section (issues 21 and 17): a CSAT card (share of
good ratings and average, against the previous period, the daily trend, by agent, tag and
priority, the customers' comments — each drills down to its ticket) and an SLA card
(first-response and resolution SLA met share against the previous period, breaches by priority,
agent and tag — a priority or tag row drills down to the period's breached tickets).

The figures come from `services/csat.report` and `services/sla_analytics.report_pair`, computed
by this section's own `QueryRunner` (one thread, one connection), tagged with a generation so
an answer for an earlier period is dropped. Nothing here touches the database on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QTableView, QVBoxLayout, QWidget

from ticketdesk.domain.analytics import dated, format_count, format_percent
from ticketdesk.domain.csat import CsatReport, CsatSummary
from ticketdesk.domain.filters import DateField, TicketFilter
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.period import Period, PeriodKind
from ticketdesk.domain.sla import SlaState
from ticketdesk.domain.status import Priority
from ticketdesk.services.session import Session
from ticketdesk.services.sla_analytics import SlaFigures, SlaReport
from ticketdesk.ui.rows_model import FILTER_ROLE, Row, RowsModel
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.worker import QueryRunner

FIGURES = "quality"
SPARK = "▁▂▃▄▅▆▇█"
NO_DAY = "·"


@dataclass(frozen=True)
class QualityFigures:
    period: Period
    csat: tuple[CsatReport, CsatReport]
    sla: tuple[SlaReport, SlaReport]
    filter: TicketFilter


def trend(report: CsatReport) -> str:
    """The daily share of good ratings as a one-line sparkline ("·" for a day without)."""
    marks = []
    for day in report.daily:
        share = day.summary.share_good
        marks.append(NO_DAY if share is None else SPARK[min(int(share * len(SPARK)),
                                                            len(SPARK) - 1)])
    return "".join(marks[-60:])


def _average(s: CsatSummary) -> str:
    return "—" if s.average is None else f"{s.average:.1f}"


class QualitySection(QWidget):
    drillDown = Signal(object)  # TicketFilter
    updated = Signal(object)  # QualityFigures, once shown

    def __init__(self, session: Session, tz: tzinfo | None, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("analyticsQuality")
        self.session = session
        self.tz = tz
        self.figures: QualityFigures | None = None
        self._generation = 0
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._done)
        self.runner.failed.connect(self._failed)
        self._build()

    def _build(self) -> None:
        line = QHBoxLayout(self)
        line.setContentsMargins(0, 0, 0, 0)
        csat_box = QGroupBox(self.tr("Customer satisfaction"), self)
        csat_box.setObjectName("csatCard")
        box = QVBoxLayout(csat_box)
        self.csat_summary = plain_label("", csat_box)
        self.csat_summary.setObjectName("csatSummary")
        self.csat_trend = plain_label("", csat_box)
        self.csat_trend.setObjectName("csatTrend")
        self.csat_model = RowsModel((self.tr("By"), self.tr("Name"), self.tr("Ratings"),
                                     self.tr("Good"), self.tr("Average")), self)
        self.csat_table = self._table(self.csat_model, "csatBreakdown", csat_box)
        self.comments_model = RowsModel((self.tr("Ticket"), self.tr("Rating"),
                                         self.tr("Comment")), self)
        self.comments = self._table(self.comments_model, "csatComments", csat_box)
        for widget in (self.csat_summary, self.csat_trend, self.csat_table,
                       plain_label(self.tr("Comments (double-click opens the ticket)"),
                                   csat_box),
                       self.comments):
            box.addWidget(widget)
        sla_box = QGroupBox(self.tr("SLA"), self)
        sla_box.setObjectName("slaCard")
        box = QVBoxLayout(sla_box)
        self.sla_summary = plain_label("", sla_box)
        self.sla_summary.setObjectName("slaSummary")
        self.sla_summary.setWordWrap(True)
        self.sla_model = RowsModel((self.tr("By"), self.tr("Name"), self.tr("Tickets"),
                                    self.tr("First response met"), self.tr("Resolution met"),
                                    self.tr("Breaches")), self)
        self.sla_table = self._table(self.sla_model, "slaBreakdown", sla_box)
        box.addWidget(self.sla_summary)
        box.addWidget(self.sla_table)
        line.addWidget(csat_box, 1)
        line.addWidget(sla_box, 1)

    def _table(self, model: RowsModel, name: str, parent: QWidget) -> QTableView:
        table = QTableView(parent)
        table.setObjectName(name)
        table.setModel(model)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setStretchLastSection(True)
        table.setMinimumHeight(160)
        table.doubleClicked.connect(self._activated)
        return table

    def _activated(self, index: QModelIndex) -> None:
        drill = index.data(FILTER_ROLE)
        if isinstance(drill, TicketFilter):
            self.drillDown.emit(drill)

    # -- computing ----------------------------------------------------------------------------

    def refresh(self, kind: PeriodKind, first: date | None, last: date | None,
                f: TicketFilter) -> None:
        """Recompute for the period and filter the view shows, off the GUI thread."""
        store, tz = self.session.store, self.tz

        def job() -> QualityFigures:
            from ticketdesk.services import analytics, csat, sla_analytics

            period = analytics.period_for(store, kind, tz=tz, first=first, last=last)
            session = Session(store, None)
            return QualityFigures(
                period,
                (csat.report(session, period, filter=f, tz=tz),
                 csat.report(session, period.previous(), filter=f, tz=tz)),
                sla_analytics.report_pair(session, period, filter=f, tz=tz), f)

        self._generation += 1
        self.runner.submit(FIGURES, self._generation, job)

    def _done(self, channel: str, generation: int, result: object) -> None:
        if channel == FIGURES and generation == self._generation:
            assert isinstance(result, QualityFigures)
            self.show_figures(result)

    def _failed(self, channel: str, generation: int, error: object) -> None:
        if channel == FIGURES and generation == self._generation:
            self.csat_summary.setText(self.tr("The figures could not be computed: {0}")
                                      .format(error))

    # -- showing ------------------------------------------------------------------------------

    def show_figures(self, figures: QualityFigures) -> None:
        self.figures = figures
        now, before = figures.csat
        s, p = now.summary, before.summary
        self.csat_summary.setText(self.tr(
            "{0} good · average {1} · {2} ratings (previous period: {3} good, average {4})")
            .format(format_percent(s.share_good), _average(s), format_count(s.ratings),
                    format_percent(p.share_good), _average(p)))
        self.csat_trend.setText(self.tr("Daily trend: {0}").format(trend(now)))
        groups = ((self.tr("Agent"), now.by_agent), (self.tr("Tag"), now.by_tag),
                  (self.tr("Priority"), now.by_priority))
        self.csat_model.set_rows([
            Row((group, name, format_count(x.ratings), format_percent(x.share_good),
                 _average(x))) for group, members in groups for name, x in members])
        self.comments_model.set_rows([
            Row((format_number(c.ticket_id), c.rating.label, c.rating.comment),
                TicketFilter(text=format_number(c.ticket_id)), c.subject)
            for c in now.comments])
        self._show_sla(figures)
        self.updated.emit(figures)

    def _show_sla(self, figures: QualityFigures) -> None:
        now, before = figures.sla
        s, p = now.summary, before.summary
        self.sla_summary.setText(self.tr(
            "First response met: {0} (previous {1}) · Resolution met: {2} (previous {3}) · "
            "{4} breaches").format(
            format_percent(s.response_met_share), format_percent(p.response_met_share),
            format_percent(s.resolution_met_share), format_percent(p.resolution_met_share),
            format_count(s.breaches)))
        period = figures.period
        base = dated(figures.filter, DateField.CREATED, period.first_day, period.last_day)
        breached = frozenset({SlaState.BREACHED})
        labels = {p.label: p for p in Priority}

        def row(group: str, name: str, x: SlaFigures, drill: TicketFilter | None) -> Row:
            return Row((group, name, format_count(x.tickets),
                        format_percent(x.response_met_share),
                        format_percent(x.resolution_met_share), format_count(x.breaches)),
                       drill)

        rows = [row(self.tr("Priority"), name, x,
                    base.with_(priorities=frozenset({labels[name]}), sla=breached)
                    if name in labels else None) for name, x in now.by_priority]
        rows += [row(self.tr("Agent"), name, x, None) for name, x in now.by_agent]
        rows += [row(self.tr("Tag"), name, x, base.with_(tags=frozenset({name}), sla=breached))
                 for name, x in now.by_tag]
        self.sla_model.set_rows(rows)
