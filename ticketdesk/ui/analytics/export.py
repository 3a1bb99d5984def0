"""Exports of the analytics view: every figure as one CSV file, each chart as a PNG image.

The CSV is `services.analytics_export.write_csv` (one tidy file: the summary, each series, the
agents table, the CSAT and the SLA figures of both periods); the view recomputes the shown
period with the previous period's breakdowns for it and writes it on its background thread. A
PNG is the chart panel as shown (title, axes, legend), drawn at twice its size on screen
(`charts.EXPORT_SCALE`) so it stays sharp on a slide. pyqtgraph's own exporters are not used:
its SVG one fails with this Qt
(ticketdesk/ARCHITECTURE.md, "Traps measured here"), and a panel rendered by Qt keeps the title and
the palette the user sees.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from ticketdesk.db.store import Store
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.period import Period
from ticketdesk.services import analytics, analytics_export

if TYPE_CHECKING:
    from ticketdesk.ui.analytics.charts import ChartPanel


translate = QCoreApplication.translate  # lupdate finds translate("context", "text")


def csv_job(store: Store, period: Period, f: TicketFilter, tz: tzinfo | None,
            path: Path) -> Callable[[], Path]:
    """The background job that writes the CSV of `period` for `f` to `path`."""
    def run() -> Path:
        from ticketdesk.services import csat, sla_analytics
        from ticketdesk.services.session import Session

        report = analytics.compute(store, period, filter=f, tz=tz, previous_breakdowns=True)
        session = Session(store, None)
        ratings = (csat.report(session, period, filter=f, tz=tz),
                   csat.report(session, period.previous(), filter=f, tz=tz))
        sla = sla_analytics.report_pair(session, period, filter=f, tz=tz)
        return analytics_export.write_csv(report, path, csat=ratings, sla=sla)

    return run


def ask_csv_path(parent: QWidget, period: Period) -> Path | None:
    name = f"analytics-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
    path, _ = QFileDialog.getSaveFileName(
        parent, translate("AnalyticsExport", "Export analytics as CSV"), str(Path.home() / name),
        translate("AnalyticsExport", "CSV files (*.csv)"))
    return Path(path) if path else None


def png_name(panel: ChartPanel, period: Period) -> str:
    return f"analytics-{panel.objectName()}-{period.first_day.isoformat()}-" \
           f"{period.last_day.isoformat()}.png"


def ask_png_path(parent: QWidget, panel: ChartPanel, period: Period) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(
        parent, translate("AnalyticsExport", "Save chart as PNG"),
        str(Path.home() / png_name(panel, period)),
        translate("AnalyticsExport", "PNG images (*.png)"))
    if not path:
        return None
    target = Path(path)
    return target if target.suffix.lower() == ".png" else target.with_suffix(".png")


def ask_png_folder(parent: QWidget) -> Path | None:
    folder = QFileDialog.getExistingDirectory(
        parent, translate("AnalyticsExport", "Save every chart as PNG into"), str(Path.home()))
    return Path(folder) if folder else None


def save_png(panel: ChartPanel, path: Path) -> Path:
    """Write `panel` to `path` as PNG; a clear error if the file cannot be written."""
    image = panel.render_image()
    if not image.save(str(path)):  # PNG, from the suffix
        raise TicketdeskError(translate(
            "AnalyticsExport", "Could not write {0}: check the folder exists and you may "
                               "write there.").format(path))
    return path


def save_all_png(panels: list[ChartPanel], folder: Path, period: Period) -> list[Path]:
    return [save_png(panel, folder / png_name(panel, period)) for panel in panels]
