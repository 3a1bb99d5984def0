"""The analytics charts, drawn with pyqtgraph: the daily trend and the bar charts.

This module imports pyqtgraph (about 0.8 s), so nothing imports it before the analytics view is
first shown, and then on a background thread (`loader.py`).

Every chart is a panel: a plain-text title above a plot whose colours come from the palette
(`style.py`), restyled when the scheme changes. Plots do not pan, zoom or open pyqtgraph's own menu
(its export dialog offers SVG, which fails with this Qt; see ticketdesk/ARCHITECTURE.md, "Traps
measured here"): the view exports PNG itself. Hovering shows the exact figures in a tooltip; a click
on a bar (or a day) emits the ticket filter behind it, when one exists.

Category labels never overlap: vertical bars elide their labels to the bar's slot, horizontal
bars (tags, agents: long names) elide them to the axis width, and a chart never draws more bars
than it has room for (the view passes the top N and folds the rest into "Other").
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems import DateAxisItem as date_axis  # noqa: N813 - a module
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QToolTip, QVBoxLayout, QWidget

from ticketdesk.domain.analytics import DayCount, format_count
from ticketdesk.ui.analytics.series import BarSpec
from ticketdesk.ui.analytics.style import PALETTE_EVENTS, ChartColours, chart_colours
from ticketdesk.ui.text import plain_label, plain_tooltip

EXPORT_SCALE = 2
"""PNG exports are drawn at twice the size on screen, so they stay sharp in a slide or print."""
MIN_SLOT_PX = 34
"""Narrowest slot a vertical bar's label gets before labels are thinned out."""
DAY = 86_400


def _utc(day: date) -> float:
    """A calendar day as the x coordinate of its midnight in UTC: the date axis is drawn in UTC
    (utcOffset=0), so a local day is labelled as itself whatever the zone and DST."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _font() -> QFont:
    return QFont(QApplication.font())


class CountAxis(pg.AxisItem):  # type: ignore[misc]
    """A value axis of whole tickets: no fractional ticks, thousands separated, no SI prefix."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)

    def tickValues(self, min_val: float, max_val: float, size: float) -> list[Any]:
        """One level of ticks (a grid line each, no faint minor lines): the major one, or the
        next finer when the major one has fewer than four ticks."""
        levels = [(spacing, [v for v in values if float(v).is_integer()])
                  for spacing, values in super().tickValues(min_val, max_val, size)
                  if spacing >= 1]
        if not levels:
            return [(1.0, [float(v) for v in range(math.ceil(min_val),
                                                   math.floor(max_val) + 1)])]
        chosen = levels[0]
        if len(chosen[1]) < 4 and len(levels) > 1 and len(levels[0][1] + levels[1][1]) <= 10:
            chosen = (levels[1][0], sorted(levels[0][1] + levels[1][1]))
        return [chosen]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [f"{round(v * scale):,}" for v in values]


class DayAxis(pg.DateAxisItem):  # type: ignore[misc]
    """Calendar days, drawn in UTC (see `_utc`): "Oct 24" ticks a few days apart up to a few
    months, then years and months. No hours: every point of the trend is a whole day or more.
    Each level has one kind of label, evenly skipped, so no two labels can collide."""

    def __init__(self) -> None:
        super().__init__(orientation="bottom", utcOffset=0)
        levels = date_axis
        self.days_level = levels.ZoomLevel([levels.TickSpec(
            levels.DAY_SPACING, levels.makeSStepper(levels.DAY_SPACING), "%d",
            autoSkip=[1, 2, 5])], "MMM 00")
        self.months_level = levels.ZoomLevel([
            levels.TickSpec(levels.YEAR_SPACING, levels.makeYStepper(1), "%Y",
                            autoSkip=[1, 2, 5]),
            levels.TickSpec(levels.MONTH_SPACING, levels.makeMStepper(1), "%b",
                            autoSkip=[1, 3, 6])], "0000")
        self.zoomLevels = OrderedDict([(np.inf, self.months_level),
                                       (20 * levels.DAY_SPACING, self.days_level)])

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if self.zoomLevel is self.days_level:
            days = [datetime.fromtimestamp(v, UTC) for v in values]
            return [f"{d:%b} {d.day}" for d in days]
        result: list[str] = super().tickStrings(values, scale, spacing)
        return result


class CategoryAxis(pg.AxisItem):  # type: ignore[misc]
    """One label per category at 0, 1, 2..., elided to the room it has, thinned out when the
    categories are closer than a line of text."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.labels: list[str] = []
        self._px_per_unit = 0.0
        self.setStyle(tickLength=0)

    def set_labels(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self.picture = None
        self.update()

    def _metrics(self) -> QFontMetricsF:
        return QFontMetricsF(self.style.get("tickFont") or _font())

    def tickValues(self, min_val: float, max_val: float, size: float) -> list[Any]:
        n = len(self.labels)
        min_val, max_val = sorted((min_val, max_val))  # an inverted view gives them reversed
        if n == 0 or max_val <= min_val or size <= 0:
            return []
        self._px_per_unit = size / (max_val - min_val)
        if self.orientation in ("left", "right"):
            needed = self._metrics().height() * 1.05
        else:
            needed = MIN_SLOT_PX
        step = max(1, math.ceil(needed / self._px_per_unit))
        values = [float(i) for i in range(0, n, step) if min_val <= i <= max_val]
        return [(float(step), values)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        metrics = self._metrics()
        if self.orientation in ("left", "right"):
            room = self.width() - self.style["tickTextOffset"][0] - 6
        else:
            room = self._px_per_unit * spacing - 4
        room = max(room, metrics.horizontalAdvance("W…"))
        texts = []
        for v in values:
            i = int(v)
            label = self.labels[i] if 0 <= i < len(self.labels) else ""
            texts.append(self._fit(label, room, metrics))
        return texts

    def _fit(self, label: str, room: float, metrics: QFontMetricsF) -> str:
        """`label` in `room` pixels: whole, else on two lines under a bar (at the space that
        balances them), else elided."""
        elide = Qt.TextElideMode.ElideRight
        if metrics.horizontalAdvance(label) <= room or self.orientation in ("left", "right"):
            return metrics.elidedText(label, elide, room)
        words = label.split(" ")
        if len(words) > 1:
            splits = [(" ".join(words[:k]), " ".join(words[k:])) for k in range(1, len(words))]
            top, bottom = min(splits, key=lambda pair: max(metrics.horizontalAdvance(pair[0]),
                                                           metrics.horizontalAdvance(pair[1])))
            return f"{metrics.elidedText(top, elide, room)}\n" \
                   f"{metrics.elidedText(bottom, elide, room)}"
        return metrics.elidedText(label, elide, room)


class ChartPanel(QWidget):
    """A titled plot that follows the palette, shows tooltips and exports itself as PNG."""

    exportRequested = Signal()

    def __init__(self, title: str, name: str, axis_items: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.title = title
        self.title_label = plain_label(title, self)
        bold = QFont(self.font())
        bold.setBold(True)
        self.title_label.setFont(bold)
        # No context menus (see the module's docstring): without them the view box does not
        # build its menu of widgets either, a third of a plot's cost to create.
        self.plot = pg.PlotWidget(self, axisItems=axis_items, enableMenu=False)
        self.plot.setObjectName(f"{name}Plot")
        self.item: Any = self.plot.getPlotItem()
        self.item.setMenuEnabled(False)
        self.item.hideButtons()
        self.item.setMouseEnabled(x=False, y=False)
        self.item.vb.setMouseEnabled(x=False, y=False)
        self.item.vb.enableAutoRange(enable=False)
        font = _font()
        for axis_name in ("left", "bottom"):
            self.item.getAxis(axis_name).setTickFont(font)
        self.empty_label = QLabel(self.plot)
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setVisible(False)
        self.empty_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.title_label)
        column.addWidget(self.plot, 1)
        self.colours: ChartColours = chart_colours(self.palette())
        self._tip_key: object = None
        scene = self.plot.scene()
        scene.sigMouseMoved.connect(self._mouse_moved)
        scene.sigMouseClicked.connect(self._mouse_clicked)
        self.plot.viewport().installEventFilter(self)

    # -- to fill in -----------------------------------------------------------------------------

    def hover_at(self, point: QPointF) -> tuple[object, str] | None:
        """(a key for what is under `point` in data coordinates, its tooltip)."""
        return None

    def click_at(self, point: QPointF) -> None:
        """React to a left click at `point` (data coordinates)."""

    def set_hover(self, key: object) -> None:
        """Highlight what `key` names (None: nothing)."""

    def restyle(self) -> None:
        """Apply `self.colours` to the plot's items."""

    # -- plumbing -----------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(420, 300)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 200)

    def _apply_palette(self) -> None:
        self.colours = c = chart_colours(self.palette())
        self.plot.setBackground(c.background)
        for name in ("left", "bottom"):
            axis = self.item.getAxis(name)
            axis.setPen(pg.mkPen(c.muted))
            axis.setTextPen(pg.mkPen(c.text))
            if axis.label is not None and axis.labelText:
                axis.setLabel(axis.labelText, color=c.text.name())
        empty = self.empty_label.palette()
        empty.setColor(QPalette.ColorRole.WindowText, c.muted)
        self.empty_label.setPalette(empty)
        self.restyle()

    def set_axis_label(self, name: str, text: str) -> None:
        axis = self.item.getAxis(name)
        if axis.labelText != text or not axis.label.isVisible():  # setLabel re-lays the HTML
            axis.setLabel(text, color=self.colours.text.name())

    def show_empty(self, text: str | None) -> None:
        self.empty_label.setText(text or "")
        self.empty_label.setVisible(bool(text))
        self._place_empty()

    def _place_empty(self) -> None:
        rect = self.item.vb.sceneBoundingRect()
        top_left = self.plot.mapFromScene(rect.topLeft())
        bottom_right = self.plot.mapFromScene(rect.bottomRight())
        self.empty_label.setGeometry(top_left.x(), top_left.y(),
                                     max(bottom_right.x() - top_left.x(), 1),
                                     max(bottom_right.y() - top_left.y(), 1))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.empty_label.isVisible():
            self._place_empty()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._apply_palette()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in PALETTE_EVENTS:
            self._apply_palette()

    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._hover(None)
        return False

    def _data_point(self, scene_pos: QPointF) -> QPointF | None:
        vb = self.item.vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        return QPointF(vb.mapSceneToView(scene_pos))

    def _mouse_moved(self, scene_pos: QPointF) -> None:
        point = self._data_point(scene_pos)
        found = self.hover_at(point) if point is not None else None
        self._hover(found, scene_pos)

    def _hover(self, found: tuple[object, str] | None, scene_pos: QPointF | None = None) -> None:
        key = found[0] if found is not None else None
        if key != self._tip_key:
            self._tip_key = key
            self.set_hover(key)
        if found is None or scene_pos is None:
            QToolTip.hideText()
            self.plot.viewport().unsetCursor()
            return
        local = self.plot.mapFromScene(scene_pos)
        QToolTip.showText(self.plot.viewport().mapToGlobal(local), found[1], self.plot)

    def _mouse_clicked(self, event: Any) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = self._data_point(event.scenePos())
        if point is not None:
            self.click_at(point)

    def data_to_widget(self, x: float, y: float) -> Any:
        """Where the data point (x, y) is on the plot's viewport (for tests and tooltips)."""
        scene = self.item.vb.mapViewToScene(QPointF(x, y))
        return self.plot.mapFromScene(scene)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        save = menu.addAction(self.tr("Save Chart as PNG…"))
        save.triggered.connect(self.exportRequested)
        menu.exec(event.globalPos())

    # -- export -------------------------------------------------------------------------------

    def render_image(self, scale: int = EXPORT_SCALE) -> QImage:
        """The panel (title, plot, legend) as an opaque image `scale` times its size on screen."""
        self._hover(None)
        size = self.size()
        image = QImage(size.width() * scale, size.height() * scale,
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(scale)
        image.fill(self.palette().color(QPalette.ColorRole.Window))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.render(painter, QPoint(0, 0))
        painter.end()
        return image


# -- the daily trend ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Bucket:
    """One point of the trend: a day, or a week or month of a long period."""

    first: date
    last: date
    created: int
    closed: int

    @property
    def x(self) -> float:
        """Where the point is drawn: at its first day, where the date axis puts that day's
        (or month's) label."""
        return _utc(self.first)


def buckets(days: Sequence[DayCount]) -> tuple[str, list[Bucket]]:
    """The days as points: daily up to 92 days, weekly up to three years, monthly beyond.
    Returns ("day" | "week" | "month", points).

    Weeks are counted back from the period's last day, so the latest point is a whole week
    like the others (a short first week is where the data starts anyway); months are calendar
    months."""
    if len(days) <= 92:
        return "day", [Bucket(d.day, d.day, d.created, d.closed) for d in days]
    if len(days) <= 3 * 366:
        size = 7
        first = len(days) % size
        groups = ([days[:first]] if first else []) + [
            days[i:i + size] for i in range(first, len(days), size)]
        return "week", [Bucket(g[0].day, g[-1].day, sum(d.created for d in g),
                               sum(d.closed for d in g)) for g in groups]
    months: dict[tuple[int, int], list[DayCount]] = {}
    for d in days:
        months.setdefault((d.day.year, d.day.month), []).append(d)
    return "month", [Bucket(g[0].day, g[-1].day, sum(d.created for d in g),
                            sum(d.closed for d in g)) for g in months.values()]


class TrendChart(ChartPanel):
    """Created and Closed per day (week, month) on a date axis, with a legend. Closed is dashed
    with square markers, Created solid with round ones: told apart without colour."""

    bucketClicked = Signal(object, bool)  # Bucket, closed?

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Created and closed"), "trendChart",
                         {"bottom": DayAxis(), "left": CountAxis("left")}, parent)
        self.unit = "day"
        self.points: list[Bucket] = []
        self._styled: tuple[object, ...] = ()
        self.item.showGrid(x=False, y=True, alpha=0.35)
        self.created_curve = self.item.plot([], [])
        self.closed_curve = self.item.plot([], [])
        # The legend takes the plot's title row, above the data, where it can cover none of it.
        self.legend = pg.LegendItem(colCount=2, horSpacing=16)
        layout = self.item.layout
        layout.removeItem(self.item.titleLabel)
        self.item.titleLabel.setVisible(False)
        layout.addItem(self.legend, 0, 1)
        layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignLeft)
        self.legend.addItem(self.created_curve, self.tr("Created"))
        self.legend.addItem(self.closed_curve, self.tr("Closed"))
        size = self.legend.boundingRect().size()
        self.legend.setMaximumSize(size)  # not stretched over the row: its two entries together
        layout.setRowFixedHeight(0, size.height())
        self.hover_line = pg.InfiniteLine(angle=90, movable=False)
        self.hover_line.setVisible(False)
        self.item.addItem(self.hover_line, ignoreBounds=True)
        self.set_axis_label("left", self.tr("Tickets per day"))
        self.set_axis_label("bottom", self.tr("Date"))

    def set_days(self, days: Sequence[DayCount]) -> None:
        self.unit, self.points = buckets(days)
        self.set_axis_label("left", {"day": self.tr("Tickets per day"),
                                     "week": self.tr("Tickets per week"),
                                     "month": self.tr("Tickets per month")}[self.unit])
        xs = np.array([p.x for p in self.points], dtype=float)
        created = np.array([p.created for p in self.points], dtype=float)
        closed = np.array([p.closed for p in self.points], dtype=float)
        style = self._curve_style()
        if style != self._styled:  # re-styling the curves costs more than their data
            self.restyle()
        self.created_curve.setData(xs, created)
        self.closed_curve.setData(xs, closed)
        if self.points:
            first, last = self.points[0], self.points[-1]
            # Half a point's span of margin at each end; a day on each side of a lone point, so
            # the axis still reads as dates.
            margin = DAY if len(self.points) < 3 else (_utc(first.last) + DAY - first.x) / 2
            top = max(float(created.max(initial=0)), float(closed.max(initial=0)), 4.0)
            self.item.vb.setRange(xRange=(first.x - margin, last.x + margin),
                                  yRange=(0, top * 1.06), padding=0)
        nothing = not any(p.created or p.closed for p in self.points)
        self.show_empty(self.tr("No tickets created or closed in this period")
                        if nothing else None)

    def _curve_style(self) -> tuple[object, ...]:
        """What the curves' looks depend on: markers for a few points, the line width, the
        colours."""
        return (len(self.points) <= 45, 2.0 if len(self.points) <= 120 else 1.5,
                self.colours.created.rgba(), self.colours.closed.rgba(), self.colours.text.rgba())

    def restyle(self) -> None:
        c = self.colours
        self._styled = self._curve_style()
        markers, width = self._styled[0], float(self._styled[1])  # type: ignore[arg-type]
        for curve, colour, style, symbol in (
                (self.created_curve, c.created, Qt.PenStyle.SolidLine, "o"),
                (self.closed_curve, c.closed, Qt.PenStyle.DashLine, "s")):
            curve.setPen(pg.mkPen(colour, width=width, style=style))
            if markers:
                curve.setSymbol(symbol)
                curve.setSymbolSize(6)
                curve.setSymbolPen(pg.mkPen(colour))
                curve.setSymbolBrush(pg.mkBrush(colour))
            else:
                curve.setSymbol(None)
        self.legend.setLabelTextColor(c.text)
        for _sample, label in self.legend.items:  # LabelItem keeps its old colour until re-set
            label.setText(label.text, color=c.text.name())
        self.legend.setBrush(pg.mkBrush(c.background))
        self.legend.setPen(pg.mkPen(None))
        self.hover_line.setPen(pg.mkPen(c.muted, width=1, style=Qt.PenStyle.DotLine))

    def _index_at(self, x: float) -> int | None:
        if not self.points:
            return None
        xs = np.array([p.x for p in self.points])
        i = int(np.argmin(np.abs(xs - x)))
        half = max((_utc(self.points[i].last) + DAY - _utc(self.points[i].first)) / 2, DAY / 2)
        return i if abs(xs[i] - x) <= half else None

    def describe(self, bucket: Bucket) -> str:
        if self.unit == "day":
            when = bucket.first.strftime("%a %Y-%m-%d")
        else:
            when = f"{bucket.first.isoformat()} – {bucket.last.isoformat()} " + self.tr(
                "({0} days)").format((bucket.last - bucket.first).days + 1)
        return "\n".join([when, self.tr("Created: {0}").format(format_count(bucket.created)),
                          self.tr("Closed: {0}").format(format_count(bucket.closed)),
                          self.tr("Click to list the tickets created (or closed) then.")])

    def hover_at(self, point: QPointF) -> tuple[object, str] | None:
        i = self._index_at(point.x())
        return None if i is None else (i, self.describe(self.points[i]))

    def set_hover(self, key: object) -> None:
        if isinstance(key, int) and 0 <= key < len(self.points):
            self.hover_line.setValue(self.points[key].x)
            self.hover_line.setVisible(True)
        else:
            self.hover_line.setVisible(False)

    def click_at(self, point: QPointF) -> None:
        i = self._index_at(point.x())
        if i is None:
            return
        bucket = self.points[i]
        # The series nearer the click: Closed when the click is nearer its point.
        closed = abs(point.y() - bucket.closed) < abs(point.y() - bucket.created)
        self.bucketClicked.emit(bucket, closed)


# -- bar charts --------------------------------------------------------------------------------

class ValueLabels(pg.GraphicsObject):  # type: ignore[misc]
    """The number at the end of each bar, all painted by one item in screen pixels.

    One pyqtgraph TextItem per bar cost ~2 ms each to create, place and colour (30 of them made
    the GUI thread's share of a period change 60 ms); this paints the same text in one pass."""

    def __init__(self, horizontal: bool) -> None:
        super().__init__()
        self.horizontal = horizontal
        self.labels: list[tuple[float, float, str]] = []
        self.colour = QColor()
        self.font = _font()

    def set_labels(self, labels: list[tuple[float, float, str]], colour: QColor) -> None:
        self.prepareGeometryChange()
        self.labels = labels
        self.colour = colour
        self.update()

    def viewRangeChanged(self) -> None:
        self.prepareGeometryChange()

    def boundingRect(self) -> QRectF:
        vb = self.getViewBox()
        return QRectF(vb.viewRect()) if vb is not None and self.labels else QRectF()

    def paint(self, painter: QPainter, *_args: Any) -> None:
        if not self.labels:
            return
        to_device = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setFont(self.font)
        painter.setPen(self.colour)
        metrics = QFontMetricsF(self.font)
        for x, y, text in self.labels:
            point = to_device.map(QPointF(x, y))
            width = metrics.horizontalAdvance(text)
            if self.horizontal:
                corner = QPointF(point.x() + 4, point.y() + metrics.ascent() / 2 - 1)
            else:
                corner = QPointF(point.x() - width / 2, point.y() - 4)
            painter.drawText(corner, text)
        painter.restore()


class BarChart(ChartPanel):
    """Bars of counts, vertical (a few short labels) or horizontal (names, most first, at the
    top). Each bar shows its number; a click on a bar with a ticket list emits it."""

    barClicked = Signal(object)  # TicketFilter

    def __init__(self, title: str, name: str, *, horizontal: bool, value_label: str,
                 category_label: str = "", parent: QWidget | None = None) -> None:
        self.horizontal = horizontal
        if horizontal:
            self.category_axis = CategoryAxis("left")
            value_axis = CountAxis("bottom")
            axes = {"left": self.category_axis, "bottom": value_axis}
        else:
            self.category_axis = CategoryAxis("bottom")
            value_axis = CountAxis("left")
            axes = {"left": value_axis, "bottom": self.category_axis}
        super().__init__(title, name, axes, parent)
        self.bars: list[BarSpec] = []
        self._hovered: int | None = None
        self._no_pen = QPen(Qt.PenStyle.NoPen)
        self.item.showGrid(x=horizontal, y=not horizontal, alpha=0.35)
        if horizontal:
            self.item.vb.invertY(True)
            self.category_axis.setWidth(150)
        self.set_axis_label("bottom" if horizontal else "left", value_label)
        if category_label:
            self.set_axis_label("left" if horizontal else "bottom", category_label)
        self.graph = pg.BarGraphItem(x=[], height=[], width=0.6)
        self.item.addItem(self.graph)
        self.value_labels = ValueLabels(horizontal)
        self.item.addItem(self.value_labels, ignoreBounds=True)

    def set_category_width(self, pixels: int) -> None:
        if self.horizontal:
            self.category_axis.setWidth(pixels)

    def set_bars(self, bars: Sequence[BarSpec], empty_text: str) -> None:
        self.bars = list(bars)
        self._hovered = None
        n = len(self.bars)
        self.category_axis.set_labels([b.label for b in self.bars])
        positions = np.arange(n, dtype=float)
        values = np.array([b.value for b in self.bars], dtype=float)
        # One setOpts: each call redraws the bars' picture.
        looks = self._brushes()
        if self.horizontal:
            self.graph.setOpts(x=None, x0=np.zeros(n), y=positions, height=0.62, width=values,
                               y0=None, y1=None, x1=None, **looks)
        else:
            self.graph.setOpts(x=positions, height=values, width=0.62, x0=None, y=None,
                               y0=np.zeros(n), x1=None, y1=None, **looks)
        self.value_labels.set_labels(
            [(b.value, i, format_count(b.value)) if self.horizontal
             else (i, b.value, format_count(b.value)) for i, b in enumerate(self.bars)],
            self.colours.text)
        top = max(float(values.max(initial=0)), 4.0)
        # Room beyond the longest bar for its number.
        headroom = 1.18 if self.horizontal else 1.15
        span = (-0.6, max(n, 1) - 0.4)
        if self.horizontal:
            self.item.vb.setRange(xRange=(0, top * headroom), yRange=span, padding=0)
        else:
            self.item.vb.setRange(xRange=span, yRange=(0, top * headroom), padding=0)
        self.show_empty(empty_text if not any(b.value for b in self.bars) else None)

    def _brushes(self) -> dict[str, Any]:
        c = self.colours
        brushes = []
        for i, bar in enumerate(self.bars):
            colour = c.bar if bar.drill is not None else c.bar_inert
            if i == self._hovered:
                colour = c.bar_hover
            brushes.append(QBrush(colour))
        return {"brushes": brushes, "pen": self._no_pen, "pens": None}  # one pen: no outline

    def restyle(self) -> None:
        if self.bars:
            self.graph.setOpts(**self._brushes())
        self.value_labels.colour = self.colours.text
        self.value_labels.update()

    def _index_at(self, point: QPointF) -> int | None:
        position = point.y() if self.horizontal else point.x()
        i = round(position)
        if 0 <= i < len(self.bars) and abs(position - i) <= 0.45:
            return int(i)
        return None

    def hover_at(self, point: QPointF) -> tuple[object, str] | None:
        i = self._index_at(point)
        if i is None:
            return None
        bar = self.bars[i]
        hint = self.tr("Click to list these tickets.") if bar.drill is not None else ""
        return i, plain_tooltip(f"{bar.tooltip}\n{hint}".strip())

    def set_hover(self, key: object) -> None:
        index = key if isinstance(key, int) else None
        if index != self._hovered:
            self._hovered = index
            self.restyle()
        clickable = index is not None and self.bars[index].drill is not None
        if clickable:
            self.plot.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.plot.viewport().unsetCursor()

    def click_at(self, point: QPointF) -> None:
        i = self._index_at(point)
        if i is not None:
            self.activate(i)

    def activate(self, index: int) -> bool:
        """What a click on bar `index` does; False when it has no ticket list."""
        drill = self.bars[index].drill if 0 <= index < len(self.bars) else None
        if drill is None:
            return False
        self.barClicked.emit(drill)
        return True

    def bar_position(self, index: int) -> Any:
        """The middle of bar `index` on the plot's viewport, where a click lands on it."""
        value = self.bars[index].value / 2
        return self.data_to_widget(value, index) if self.horizontal else \
            self.data_to_widget(index, value)
