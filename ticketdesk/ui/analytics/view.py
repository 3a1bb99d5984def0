"""The analytics view (View ▸ Analytics, Ctrl+2): a period, the summary cards, the charts and the
agents table; every card, bar and cell with a ticket list behind it lists exactly those tickets.

Nothing here touches the database on the GUI thread: the report (and the tag and agent choices)
are computed by a `QueryRunner` of the view's own (one thread, one connection), tagged with a
generation so an answer for an earlier period or filter is dropped, and a newer request
interrupts the query running for an older one. While it computes, "Calculating…" shows and the
last figures stay. The first figures are asked for, and pyqtgraph is imported on a thread of its
own (`loader.py`), once the view's first frame is painted; the cards work before the charts
arrive, and each chart is built in one turn of the event loop and filled and painted in the next,
so no turn holds the GUI thread long.

Changes announced on the hub refresh the figures a moment later (several changes in a row make
one refresh), and only while the view is shown: a hidden view marks itself stale and refreshes
when shown again.
"""

from __future__ import annotations

from datetime import date, tzinfo
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QHideEvent, QPaintEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.analytics import (
    AgentFigures,
    AnalyticsReport,
    Metric,
    PeriodFigures,
    dated,
)
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.filters import DateField
from ticketdesk.domain.period import Period, PeriodKind
from ticketdesk.services import agents, assignees
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.analytics import loader, series
from ticketdesk.ui.analytics.agents_table import AgentsTable
from ticketdesk.ui.analytics.cards import CardRow, MetricCard
from ticketdesk.ui.analytics.controls import AnalyticsControls
from ticketdesk.ui.analytics.quality import QualitySection
from ticketdesk.ui.analytics.style import card_colours
from ticketdesk.ui.hub import ChangeHub
from ticketdesk.ui.text import plain_box, plain_label, plain_tooltip
from ticketdesk.ui.theme import ErrorLabel
from ticketdesk.ui.worker import QueryRunner

if TYPE_CHECKING:
    from ticketdesk.ui.analytics.charts import BarChart, Bucket, ChartPanel, TrendChart

REPORT, AGENTS, CHOICES, EXPORT = "analytics", "analytics.agents", "choices", "export"
REFRESH_MS = 1500
"""How long after a change the figures are recomputed (a burst of changes makes one refresh)."""
CHART_POLL_MS = 20
START_FALLBACK_MS = 200
"""When the background work starts if the view is not painted first (see `_start_work`)."""
TOP_TAGS = 10
TOP_AGENTS = 10
CHART_ORDER = ("trend", "agents", "status", "priority", "tags", "categories")
CHART_NAMES = {"agents": "agentsChart", "status": "statusChart", "priority": "priorityChart",
               "tags": "tagChart", "categories": "categoryChart"}
"""Object names of the bar charts (and of their PNG files)."""


class AnalyticsView(QWidget):
    drillDown = Signal(object)  # TicketFilter: the ticket list should show exactly these
    updated = Signal(object)  # AnalyticsReport, once every card, chart and the table show it
    exported = Signal(object)  # the Path written (CSV) or the list of Paths (PNG)

    def __init__(self, session: Session, hub: ChangeHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("analyticsView")
        self.session = session
        self.store = session.store
        self.hub = hub
        self.tz: tzinfo | None = getattr(parent, "tz", None)
        self.report: AnalyticsReport | None = None
        """The figures on the cards and in the table."""
        self.charts_report: AnalyticsReport | None = None
        """The figures the charts show (the same, once the charts exist)."""
        self.stale = False
        self.busy = False
        self.charts: dict[str, ChartPanel] = {}
        self.chart_error: str | None = None
        self._charts_module: ModuleType | None = None
        self._generation = 0
        self._export_generation = 0
        self._choices_generation = 0
        self._computing = False
        self._exporting = False
        self._closed = False
        self._pending_charts: list[str] = []
        """Charts still to build or to show `report` in, one step per turn of the event loop."""

        self.runner = QueryRunner(self.store, self)
        self.runner.finished.connect(self._job_done)
        self.runner.failed.connect(self._job_failed)
        # The agents table (half of a month's report) is computed on a second thread and
        # connection at the same time as the rest; the report shows when both halves are in.
        self.agents_runner = QueryRunner(self.store, self)
        self.agents_runner.finished.connect(self._job_done)
        self.agents_runner.failed.connect(self._job_failed)
        self._halves: dict[str, object] = {}

        self._build()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._chart_poll = QTimer(self)
        self._chart_poll.setInterval(CHART_POLL_MS)
        self._chart_poll.timeout.connect(self._check_charts)
        # A timer, not QTimer.singleShot(0): a queued call posted from the step before runs
        # ahead of due timers and input, so the steps would run back to back in one long turn.
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(0)
        self._step_timer.timeout.connect(self._run_steps)
        hub.changed.connect(self._on_changes)

        self._started = False
        # The background work (the first figures on two threads, the choices, pyqtgraph's
        # import, which holds the GIL for most of 0.5 s) starts once the view's first frame is
        # painted: started here, those threads took the GIL from the GUI thread at each of the
        # Python calls of that frame's layout and paint, a stall of 50-200 ms in all. A view
        # that is not painted (no window shown) starts it a moment later anyway.
        QTimer.singleShot(START_FALLBACK_MS, self, self._start_work)
        self._computing = True  # "Calculating…" in the first frame already
        self._set_busy()

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 0)
        outer.setSpacing(6)
        self.controls = AnalyticsControls(self.tz, self)
        self.controls.changed.connect(self.refresh)
        self.controls.csv_action.triggered.connect(self.export_csv)
        self.controls.png_action.triggered.connect(self.export_all_png)
        outer.addWidget(self.controls)
        self.period_label = plain_label("", self)
        self.period_label.setObjectName("analyticsPeriod")
        self.error_label = ErrorLabel(self)
        self.error_label.setObjectName("analyticsError")
        self.error_label.setVisible(False)
        self.error_label.setWordWrap(True)
        line = QHBoxLayout()
        line.addWidget(self.period_label, 1)
        self.message_label = plain_label("", self)
        self.message_label.setObjectName("analyticsMessage")
        line.addWidget(self.message_label)
        outer.addLayout(line)
        outer.addWidget(self.error_label)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("analyticsScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        # The agents table is always below the fold: a scroll bar that came and went would
        # resize (and repaint) every chart once more.
        self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.content = QWidget(self.scroll_area)
        self.content.setObjectName("analyticsContent")
        self.grid = QGridLayout(self.content)
        self.grid.setContentsMargins(0, 0, 0, 8)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(12)
        self.cards = CardRow(self.content)
        self.cards.activated.connect(self.drillDown)
        self.grid.addWidget(self.cards, 0, 0, 1, 3)
        self.chart_placeholder = plain_label(self.tr("Loading charts…"), self.content)
        self.chart_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart_placeholder.setMinimumHeight(240)
        self.grid.addWidget(self.chart_placeholder, 1, 0, 2, 3)
        self.agents_title = plain_label(self.tr("Agents (current assignees)"), self.content)
        bold = QFont(self.font())
        bold.setBold(True)
        self.agents_title.setFont(bold)
        self.grid.addWidget(self.agents_title, 3, 0, 1, 3)
        self.agents_table = AgentsTable(self.content)
        self.agents_table.activated.connect(self.drillDown)
        self.agents_table.hint.connect(self.show_message)
        rows = 12
        self.agents_table.setMinimumHeight(
            self.agents_table.horizontalHeader().sizeHint().height()
            + rows * self.agents_table.verticalHeader().defaultSectionSize() + 4)
        self.grid.addWidget(self.agents_table, 4, 0, 1, 3)
        # Satisfaction and SLA (issues 21 and 17): its own runner, refreshed with the rest.
        self.quality = QualitySection(self.session, self.tz, self.content)
        self.quality.drillDown.connect(self.drillDown)
        self.grid.addWidget(self.quality, 5, 0, 1, 3)
        for column in range(3):
            self.grid.setColumnStretch(column, 1)
        self.scroll_area.setWidget(self.content)
        self.scroll_area.viewport().installEventFilter(self)
        outer.addWidget(self.scroll_area, 1)

    # -- the charts arrive --------------------------------------------------------------------

    def _check_charts(self) -> None:
        try:
            module = loader.charts_module()
        except Exception as exc:  # no pyqtgraph: the cards and the table still work
            self._chart_poll.stop()
            self.chart_error = str(exc)
            self.chart_placeholder.setText(self.tr("Charts are not available: {0}").format(exc))
            if self.report is not None:
                self.charts_report = self.report
                self.updated.emit(self.report)
            return
        if module is None:
            return
        self._chart_poll.stop()
        self._charts_module = module
        self._pending_charts = list(CHART_ORDER)
        self._schedule_steps()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._started:
            # After this frame: the children paint after the view itself.
            QTimer.singleShot(0, self, self._start_work)

    def _start_work(self) -> None:
        if self._started or self._closed:
            return
        self._started = True
        self.load_choices()
        self.refresh()
        loader.start()
        self._chart_poll.start()
        self._check_charts()

    def _build_chart(self, name: str) -> ChartPanel:
        charts = self._charts_module
        assert charts is not None
        if name == "trend":
            self.grid.removeWidget(self.chart_placeholder)
            self.chart_placeholder.hide()
            trend: TrendChart = charts.TrendChart(self.content)
            trend.bucketClicked.connect(self._bucket_clicked)
            self._add_chart(name, trend, 1, 0, 2)
            return trend
        tickets = self.tr("Tickets")
        title, row, column, horizontal, value_label, category_label, width = {
            "agents": (self.tr("Top agents: tickets handled"), 1, 2, True,
                       self.tr("Tickets handled"), "", 150),
            "status": (self.tr("Created in the period, by status now"), 2, 0, False, tickets,
                       self.tr("Status"), 0),
            "priority": (self.tr("Created in the period, by priority"), 2, 1, False, tickets,
                         self.tr("Priority"), 0),
            "tags": (self.tr("Created in the period, by tag"), 2, 2, True, tickets, "", 120),
            "categories": (self.tr("Created in the period, by category"), 5, 0, True, tickets,
                           "", 120),  # below the agents table (issue 19)
        }[name]
        chart: BarChart = charts.BarChart(
            title, CHART_NAMES[name], horizontal=horizontal, value_label=value_label,
            category_label=category_label, parent=self.content)
        if width:
            chart.set_category_width(width)
        chart.barClicked.connect(self.drillDown)
        self._add_chart(name, chart, row, column)
        if len(self.charts) == len(CHART_ORDER):
            self._charts_built()
        return chart

    def _charts_built(self) -> None:
        self.controls.export_menu.addSeparator()
        for chart in self.charts.values():
            action = self.controls.export_menu.addAction(self.tr("{0} as PNG…").format(chart.title))
            action.triggered.connect(lambda _c=False, c=chart: self.export_png(c))
        self.controls.png_action.setEnabled(True)

    def _add_chart(self, name: str, chart: ChartPanel, row: int, column: int,
                   span: int = 1) -> None:
        chart.exportRequested.connect(lambda c=chart: self.export_png(c))
        self.grid.addWidget(chart, row, column, 1, span)
        self.grid.activate()  # its final size now, so its first paint is its only one
        chart.show()  # now, not at the layout's queued show: it paints in this step
        self.charts[name] = chart

    def _fit_rows(self) -> None:
        """The cards and two rows of charts fill the visible height (a wall display shows them
        all); the agents table follows below."""
        visible = self.scroll_area.viewport().height()
        spacing = self.grid.verticalSpacing()
        room = visible - self.cards.sizeHint().height() - 2 * spacing - 8
        height = max(240, room // 2)
        for row in (1, 2):
            self.grid.setRowMinimumHeight(row, height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The scroll area's viewport, not the view: a view shown for the first time gets its
        # resize before the scroll area has laid out its viewport.
        if watched is self.scroll_area.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_rows()
        return False

    # -- what to compute ----------------------------------------------------------------------

    def set_period(self, kind: PeriodKind, first: date | None = None,
                   last: date | None = None) -> None:
        """Choose a period as a user does (CUSTOM takes `first` and `last`)."""
        self.controls.set_period(kind, first, last)

    def refresh(self) -> None:
        """Recompute the figures for the chosen period and filter, off the GUI thread."""
        if self._closed:
            return
        self._refresh_timer.stop()
        self.controls.stop_pending()
        self.stale = False
        controls = self.controls
        kind = controls.period_kind()
        first, last = controls.custom_range() if kind == PeriodKind.CUSTOM else (None, None)
        f, store, tz = controls.ticket_filter(), self.store, self.tz

        def report() -> AnalyticsReport:
            from ticketdesk.services import analytics  # on this thread: see export_csv

            period = analytics.period_for(store, kind, tz=tz, first=first, last=last)
            return analytics.compute(store, period, filter=f, tz=tz, agents=False)

        def agents_table() -> tuple[AgentFigures, ...]:
            from ticketdesk.services import analytics

            period = analytics.period_for(store, kind, tz=tz, first=first, last=last)
            return analytics.agents_table(store, period, filter=f, tz=tz)

        self._generation += 1
        self._computing = True
        self._halves = {}
        self.runner.submit(REPORT, self._generation, report)
        self.quality.refresh(kind, first, last, f)
        self.agents_runner.submit(AGENTS, self._generation, agents_table)
        self._set_busy()

    def load_choices(self) -> None:
        """Reload the tags and agents offered (in the background)."""
        store = self.store

        def job() -> tuple[list[str], list[tuple[int, str]]]:
            return assignees.list_tags(store), [(a.id, a.name) for a in agents.list_agents(store)]

        self._choices_generation += 1
        self.runner.submit(CHOICES, self._choices_generation, job)

    # -- answers ------------------------------------------------------------------------------

    def _job_done(self, channel: str, generation: int, result: object) -> None:
        if channel in (REPORT, AGENTS) and generation == self._generation:
            self._halves[channel] = result
            if len(self._halves) < 2:
                return
            report, agents_table = self._halves[REPORT], self._halves[AGENTS]
            assert isinstance(report, AnalyticsReport)
            assert isinstance(agents_table, tuple)
            self._halves = {}
            self._computing = False
            self.error_label.setVisible(False)
            self.show_report(report.with_agents(agents_table))
            self._set_busy()
        elif channel == CHOICES and generation == self._choices_generation:
            assert isinstance(result, tuple)
            self.controls.set_choices(*result)
        elif channel == EXPORT and generation == self._export_generation:
            self._exporting = False
            self._set_busy()
            self.show_message(self.tr("Saved {0}").format(result))
            self.exported.emit(result)

    def _job_failed(self, channel: str, generation: int, error: object) -> None:
        if channel in (REPORT, AGENTS) and generation == self._generation:
            self._halves = {}
            self._computing = False
            self._set_busy()
            self.error_label.setText(self._error_text(error))
            self.error_label.setVisible(True)
        elif channel == EXPORT and generation == self._export_generation:
            self._exporting = False
            self._set_busy()
            text = str(error) if isinstance(error, TicketdeskError) else self.tr(
                "The analytics could not be exported: {0}").format(error)
            plain_box(self, QMessageBox.Icon.Warning, self.tr("Export analytics"), text).exec()

    def _error_text(self, error: object) -> str:
        if isinstance(error, TicketdeskError):
            return str(error)
        return self.tr("The figures could not be computed: {0}").format(error)

    def _set_busy(self) -> None:
        self.busy = self._computing or self._exporting
        self.controls.show_busy(self.tr("Calculating…") if self._computing
                                else self.tr("Exporting…") if self._exporting else None)

    # -- showing a report ---------------------------------------------------------------------

    def show_report(self, report: AnalyticsReport) -> None:
        """The cards, the period and the table at once; the charts one per turn of the event
        loop (`_run_steps`), so each paints on its own and no turn holds the GUI long."""
        self.report = report
        current, previous = report.current.period, report.previous.period
        self.period_label.setText(self.tr("{0} – {1}, compared with {2} – {3}").format(
            current.first_day.isoformat(), current.last_day.isoformat(),
            previous.first_day.isoformat(), previous.last_day.isoformat()))
        self.period_label.setToolTip(self.tr("Days are local days in {0}.").format(
            report.tz_name))
        self.cards.show_report(report)
        self.agents_table.set_figures(report.current)
        if self.chart_error is not None:
            self.charts_report = report
            self.updated.emit(report)
            return
        self._pending_charts = list(CHART_ORDER)
        self._schedule_steps()

    def _schedule_steps(self) -> None:
        if not self._step_timer.isActive() and self._charts_module is not None:
            self._step_timer.start()

    def _run_steps(self) -> None:
        """One step per turn of the event loop: build a chart the first time (a step of its
        own: a pyqtgraph plot costs about as much to create as to fill and paint), else show
        the report in it and paint it now (a widget's paint otherwise waits for the window's
        next frame, and every chart would paint in one long turn). No turn holds the GUI for
        long, and input is handled between them."""
        if self._closed or not self._pending_charts:
            return
        name = self._pending_charts[0]
        if name not in self.charts:
            self._build_chart(name)
            self._schedule_steps()
            return
        self._pending_charts.pop(0)
        chart = self.charts[name]
        report = self.report
        if report is not None:
            self._fill(name, chart, report.current)
        chart.repaint()
        if self._pending_charts:
            self._schedule_steps()
        elif report is not None:
            self.charts_report = report
            self.updated.emit(report)

    def _fill(self, name: str, chart: Any, figures: PeriodFigures) -> None:
        if name == "trend":
            chart.set_days(figures.daily)
            return
        make, empty = {
            "status": (series.status_bars, self.tr("No tickets created in this period")),
            "priority": (series.priority_bars, self.tr("No tickets created in this period")),
            "tags": (series.tag_bars, self.tr("No tagged tickets created in this period")),
            "categories": (series.category_bars,
                           self.tr("No tickets with a category created in this period")),
            "agents": (series.agent_bars, self.tr("No tickets handled in this period")),
        }[name]
        chart.set_bars(make(figures), empty)

    def _bucket_clicked(self, bucket: Bucket, closed: bool) -> None:
        if self.report is None:
            return
        field = DateField.CLOSED if closed else DateField.CREATED
        self.drillDown.emit(dated(self.report.current.filter, field, bucket.first, bucket.last))

    # -- changes elsewhere --------------------------------------------------------------------

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.everything or changes.tags or changes.agents:
            self.load_choices()
        if not (changes.everything or changes.tickets or changes.created
                or changes.conversation or changes.tags or changes.agents):
            return  # notes, attachments, customers: no figure moves
        if self.isVisible():
            if not self._refresh_timer.isActive():  # a fixed delay from the first change
                self._refresh_timer.start()
        else:
            self.stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self._refresh_timer.isActive():
            self._refresh_timer.stop()
            self.stale = True

    # -- messages and export ------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        palette = self.message_label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, card_colours(self.palette())[2])
        self.message_label.setPalette(palette)
        self.message_label.setText(text)
        self.message_label.setToolTip(plain_tooltip(text))

        def clear() -> None:
            if self.message_label.text() == text:
                self.message_label.setText("")

        QTimer.singleShot(10_000, self, clear)

    def export_csv(self) -> Path | None:
        """File dialog, then the CSV written in the background; `exported(path)` when done."""
        # Imported at the first export: with the services they pull in (services.analytics,
        # services.analytics_export), the export helpers were half of the 45 ms that importing
        # this view cost the GUI thread at the first Ctrl+2. The jobs import services.analytics
        # on their own thread.
        from ticketdesk.ui.analytics import export

        report = self.report
        if report is None:
            self.show_message(self.tr("Nothing to export yet: the figures are still being "
                                      "calculated."))
            return None
        path = export.ask_csv_path(self, report.current.period)
        if path is None:
            return None
        self._export_generation += 1
        self._exporting = True
        self.runner.submit(EXPORT, self._export_generation, export.csv_job(
            self.store, report.current.period, report.current.filter, self.tz, path))
        self._set_busy()
        return path

    def export_png(self, chart: ChartPanel) -> Path | None:
        from ticketdesk.ui.analytics import export

        period = self._shown_period()
        if period is None:
            return None
        path = export.ask_png_path(self, chart, period)
        if path is None:
            return None
        return self._save_pngs(lambda: [export.save_png(chart, path)])

    def export_all_png(self) -> Path | None:
        from ticketdesk.ui.analytics import export

        period = self._shown_period()
        if period is None or not self.charts:
            return None
        folder = export.ask_png_folder(self)
        if folder is None:
            return None
        panels = list(self.charts.values())
        self._save_pngs(lambda: export.save_all_png(panels, folder, period))
        return folder

    def _save_pngs(self, save: Any) -> Path | None:
        try:
            paths: list[Path] = save()
        except TicketdeskError as exc:
            plain_box(self, QMessageBox.Icon.Warning, self.tr("Save chart"), str(exc)).exec()
            return None
        self.show_message(self.tr("Saved {0}").format(", ".join(p.name for p in paths)))
        self.exported.emit(paths)
        return paths[0] if paths else None

    def _shown_period(self) -> Period | None:
        if self.report is None:
            self.show_message(self.tr("Nothing to export yet: the figures are still being "
                                      "calculated."))
            return None
        return self.report.current.period

    # -- helpers for tests and the window -----------------------------------------------------

    def card(self, metric: Metric) -> MetricCard:
        return self.cards.cards[metric]

    def chart(self, name: str) -> ChartPanel:
        return self.charts[name]

    def shutdown(self) -> None:
        """Stop the timers and the background thread (the window calls this before it closes
        the desk). Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for timer in (self._refresh_timer, self._chart_poll, self._step_timer):
            timer.stop()
        self.runner.stop()
        self.agents_runner.stop()
        self.quality.runner.stop()
