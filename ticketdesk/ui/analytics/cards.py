"""The summary cards: a figure of the period, the previous period's, and the change between them.

A card that has a ticket list behind it (every one but Closure Rate, and Open at the end of a
past period) is a button: click it, or Enter/Space when it has the focus, and the ticket list
shows exactly those tickets. The change reads ▲/▼ with a sign, and its colour (green better, red
worse, plain for Created, which is neither) only repeats what the words say.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import (
    QEnterEvent,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.analytics import MISSING, AnalyticsReport, Metric, format_change
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.ui.analytics.style import PALETTE_EVENTS, card_colours, change_colour
from ticketdesk.ui.analytics.words import metric_definition, metric_label
from ticketdesk.ui.text import plain_label

UP, DOWN = "▲", "▼"


def change_text(change: float | None) -> str:
    """"▲ +12%", "▼ −8%", "0%", or "—" when there is nothing to compare with."""
    text = format_change(change)
    if change is None or text == "0%":
        return text
    return f"{UP if change > 0 else DOWN} {text}"


def is_better(metric: Metric, change: float | None) -> bool | None:
    """Whether the change is good news: None for no change or a neutral figure."""
    if change is None or round(change * 100) == 0 or metric.higher_is_better is None:
        return None
    return (change > 0) == metric.higher_is_better


class MetricCard(QFrame):
    """One card; `activated` carries the ticket filter behind it."""

    activated = Signal(object)  # TicketFilter

    def __init__(self, metric: Metric, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.metric_kind = metric
        self.setObjectName(f"card_{metric.value}")
        self.drill: TicketFilter | None = None
        self._good: bool | None = None
        self._hover = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(150)

        self.title_label = plain_label(metric_label(metric), self)
        self.value_label = plain_label("", self)
        self.value_label.setObjectName("cardValue")
        big = QFont(self.font())
        big.setPointSizeF(self.font().pointSizeF() * 2.0)
        big.setBold(True)
        self.value_label.setFont(big)
        self.previous_label = plain_label("", self)
        self.previous_label.setObjectName("cardPrevious")
        self.change_label = plain_label("", self)
        self.change_label.setObjectName("cardChange")
        bold = QFont(self.font())
        bold.setBold(True)
        self.change_label.setFont(bold)

        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 8)
        column.setSpacing(2)
        column.addWidget(self.title_label)
        column.addWidget(self.value_label)
        column.addWidget(self.change_label)
        column.addWidget(self.previous_label)
        self._recolour()
        self.show_report(None)

    # -- figures ------------------------------------------------------------------------------

    def show_report(self, report: AnalyticsReport | None) -> None:
        metric = self.metric_kind
        if report is None:  # the same lines as with figures: the layout will not move
            self.value_label.setText(MISSING)
            self.previous_label.setText(self.tr("previous: {0}").format(MISSING))
            self.change_label.setText(MISSING)
            self._good = None
            self._set_drill(None, "")
            return
        value, previous = report.value(metric), report.previous_value(metric)
        change = report.change(metric)
        self.value_label.setText(metric.format_value(value))
        self.previous_label.setText(self.tr("previous: {0}").format(
            metric.format_value(previous)))
        self.change_label.setText(change_text(change))
        self._good = is_better(metric, change)
        self._recolour()
        prev_period = report.previous.period
        lines = [metric_definition(metric), "",
                 self.tr("This period: {0}").format(metric.format_value(value)),
                 self.tr("Previous period ({0} – {1}): {2}").format(
                     prev_period.first_day.isoformat(), prev_period.last_day.isoformat(),
                     metric.format_value(previous)),
                 self.tr("Change: {0}").format(self._change_words(change))]
        self._set_drill(report.current.drill(metric), "\n".join(lines))

    def _change_words(self, change: float | None) -> str:
        if change is None:
            return self.tr("none to compare (no previous figure, or it was zero)")
        text = change_text(change)
        if self._good is True:
            return self.tr("{0}, better").format(text)
        if self._good is False:
            return self.tr("{0}, worse").format(text)
        return text

    def _set_drill(self, drill: TicketFilter | None, tooltip: str) -> None:
        self.drill = drill
        clickable = drill is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if clickable
                       else Qt.CursorShape.ArrowCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if clickable
                            else Qt.FocusPolicy.NoFocus)
        if tooltip:
            hint = self.tr("Click to list these tickets.") if clickable else self.tr(
                "No single ticket list shows this figure.")
            tooltip = f"{tooltip}\n\n{hint}"
        self.setToolTip(tooltip)
        self.setAccessibleName(f"{metric_label(self.metric_kind)}: {self.value_label.text()}")
        self.update()

    # -- interaction --------------------------------------------------------------------------

    def activate(self) -> bool:
        """List the card's tickets (what a click does); False when it has no list."""
        if self.drill is None:
            return False
        self.activated.emit(self.drill)
        return True

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.activate()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and \
                self.activate():
            return
        super().keyPressEvent(event)

    def enterEvent(self, event: QEnterEvent) -> None:
        self._hover = True
        self.update()
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hover = False
        self.update()
        super().leaveEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    # -- looks --------------------------------------------------------------------------------

    def _recolour(self) -> None:
        palette = self.palette()
        _background, _border, muted = card_colours(palette)
        for label, colour in ((self.title_label, muted), (self.previous_label, muted),
                              (self.change_label, change_colour(palette, self._good))):
            own = label.palette()
            if own.color(QPalette.ColorRole.WindowText) != colour:
                own.setColor(QPalette.ColorRole.WindowText, colour)
                label.setPalette(own)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in PALETTE_EVENTS:
            self._recolour()

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        background, border, _muted = card_colours(palette)
        active = self.drill is not None and (self._hover or self.hasFocus())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        edge = palette.color(QPalette.ColorRole.Highlight) if active else border
        painter.setPen(QPen(edge, 2 if active else 1))
        painter.setBrush(background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 6, 6)


class CardRow(QWidget):
    """The six cards side by side, in the domain's order."""

    activated = Signal(object)  # TicketFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("analyticsCards")
        self.cards = {metric: MetricCard(metric, self) for metric in Metric}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        for column, card in enumerate(self.cards.values()):
            grid.addWidget(card, 0, column)
            grid.setColumnStretch(column, 1)
            card.activated.connect(self.activated)

    def show_report(self, report: AnalyticsReport | None) -> None:
        for card in self.cards.values():
            card.show_report(report)
