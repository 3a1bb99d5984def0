"""The analytics view's toolbar: the period (a preset or two dates), one tag and one assignee to
narrow every figure by, "Calculating…" while the figures are computed, and the Export menu.

It only says what to compute (`changed`); the view computes. Typing a date is debounced, so a
custom range is computed once, not at every keystroke.
"""

from __future__ import annotations

from datetime import date, tzinfo

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QMenu,
    QToolButton,
    QWidget,
)

from ticketdesk.domain.clock import today
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.period import PeriodKind
from ticketdesk.ui.labels import period_text
from ticketdesk.ui.text import plain_label, plain_tooltip

PERIODS = (PeriodKind.TODAY, PeriodKind.LAST_7D, PeriodKind.LAST_30D, PeriodKind.THIS_MONTH,
           PeriodKind.LAST_MONTH, PeriodKind.ALL_TIME, PeriodKind.CUSTOM)
EVERYONE, UNASSIGNED = "everyone", "unassigned"
DATES_DEBOUNCE_MS = 400


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class AnalyticsControls(QWidget):
    changed = Signal()  # the period or the filter changed: compute again

    def __init__(self, tz: tzinfo | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("analyticsControls")
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(6)
        bar.addWidget(plain_label(self.tr("Period:"), self))
        self.period_picker = QComboBox(self)
        self.period_picker.setObjectName("periodPicker")
        for kind in PERIODS:
            self.period_picker.addItem(period_text(kind), kind.value)
        self.period_picker.setCurrentIndex(PERIODS.index(PeriodKind.LAST_30D))
        self.period_picker.currentIndexChanged.connect(self._period_changed)
        bar.addWidget(self.period_picker)

        self._dates_timer = QTimer(self)
        self._dates_timer.setSingleShot(True)
        self._dates_timer.setInterval(DATES_DEBOUNCE_MS)
        self._dates_timer.timeout.connect(self.changed)
        self.date_from = QDateEdit(self)
        self.date_from.setObjectName("periodFrom")
        self.date_to = QDateEdit(self)
        self.date_to.setObjectName("periodTo")
        now = today(tz)
        for edit, value, tip in ((self.date_from, now.replace(day=1), self.tr("First day")),
                                 (self.date_to, now, self.tr("Last day (included)"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(_qdate(value))
            edit.setToolTip(tip)
            edit.setVisible(False)
            edit.dateChanged.connect(lambda _d: self._dates_timer.start())
            bar.addWidget(edit)

        bar.addSpacing(12)
        bar.addWidget(plain_label(self.tr("Tag:"), self))
        self.tag_filter = self._combo("analyticsTagFilter", self.tr("Only tickets with this tag"),
                                      12, [(self.tr("All tags"), None)])
        bar.addWidget(self.tag_filter)
        bar.addWidget(plain_label(self.tr("Assignee:"), self))
        self.assignee_filter = self._combo(
            "analyticsAssigneeFilter", self.tr("Only tickets assigned to this agent now"), 14,
            [(self.tr("Everyone"), EVERYONE), (self.tr("Unassigned"), UNASSIGNED)])
        bar.addWidget(self.assignee_filter)
        bar.addStretch(1)

        self.busy_label = plain_label(self.tr("Calculating…"), self)
        self.busy_label.setObjectName("analyticsBusy")
        policy = self.busy_label.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the toolbar does not move when it shows
        self.busy_label.setSizePolicy(policy)
        self.busy_label.setVisible(False)
        bar.addWidget(self.busy_label)

        self.export_button = QToolButton(self)
        self.export_button.setObjectName("analyticsExport")
        self.export_button.setText(self.tr("Export"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_menu = QMenu(self.export_button)
        self.csv_action = self.export_menu.addAction(self.tr("Figures as CSV…"))
        self.csv_action.setObjectName("exportCsvAction")
        self.png_action = self.export_menu.addAction(self.tr("All Charts as PNG…"))
        self.png_action.setObjectName("exportPngAction")
        self.png_action.setEnabled(False)
        self.export_button.setMenu(self.export_menu)
        bar.addWidget(self.export_button)

    def _combo(self, name: str, tip: str, width: int,
               fixed: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setToolTip(tip)
        combo.setMinimumContentsLength(width)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for text, data in fixed:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return combo

    # -- what to compute ----------------------------------------------------------------------

    def period_kind(self) -> PeriodKind:
        return PeriodKind(self.period_picker.currentData())

    def custom_range(self) -> tuple[date, date]:
        """The two dates, in order whichever way round they were typed."""
        first, last = _date(self.date_from.date()), _date(self.date_to.date())
        return (first, last) if first <= last else (last, first)

    def ticket_filter(self) -> TicketFilter:
        """The tag and assignee chosen, as the filter analytics narrows every figure by."""
        tag = self.tag_filter.currentData()
        who = self.assignee_filter.currentData()
        return TicketFilter(
            tags=frozenset({tag}) if isinstance(tag, str) else frozenset(),
            assignees=frozenset({who}) if isinstance(who, int) else frozenset(),
            unassigned=who == UNASSIGNED)

    def set_period(self, kind: PeriodKind, first: date | None = None,
                   last: date | None = None) -> None:
        """Choose a period as a user does (CUSTOM takes `first` and `last`); `changed` once."""
        if kind == PeriodKind.CUSTOM:
            for edit, value in ((self.date_from, first), (self.date_to, last)):
                if value is not None:
                    edit.blockSignals(True)
                    edit.setDate(_qdate(value))
                    edit.blockSignals(False)
        index = PERIODS.index(kind)
        if self.period_picker.currentIndex() != index:
            self.period_picker.setCurrentIndex(index)
        else:
            self.changed.emit()

    def _period_changed(self, _index: int) -> None:
        custom = self.period_kind() == PeriodKind.CUSTOM
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)
        self._dates_timer.stop()
        self.changed.emit()

    def stop_pending(self) -> None:
        """Forget a date still being typed (the view computes now anyway)."""
        self._dates_timer.stop()

    # -- choices ------------------------------------------------------------------------------

    def set_choices(self, tags: list[str], people: list[tuple[int, str]]) -> None:
        """Offer these tags and agents, keeping the chosen ones; if a chosen one is gone, the
        choice falls back to all and `changed` is emitted."""
        gone = False
        for combo, items, fixed in ((self.tag_filter, [(t, t) for t in tags], 1),
                                    (self.assignee_filter, list(people), 2)):
            index = combo.currentIndex()
            kept = combo.currentData() if index >= fixed else None
            combo.blockSignals(True)
            while combo.count() > fixed:
                combo.removeItem(fixed)
            for data, text in items:
                combo.addItem(text, data)
                combo.setItemData(combo.count() - 1, plain_tooltip(text),
                                  Qt.ItemDataRole.ToolTipRole)
            if kept is None:
                combo.setCurrentIndex(min(index, fixed - 1))
            else:
                found = combo.findData(kept)
                gone = gone or found < 0
                combo.setCurrentIndex(found if found >= 0 else 0)
            combo.blockSignals(False)
        if gone:
            self.changed.emit()

    def choose_tag(self, tag: str | None) -> None:
        index = self.tag_filter.findData(tag) if tag is not None else 0
        if index < 0:
            raise ValueError(f"no tag {tag!r} offered")
        self.tag_filter.setCurrentIndex(index)

    def choose_assignee(self, agent_id: int | str) -> None:
        index = self.assignee_filter.findData(agent_id)
        if index < 0:
            raise ValueError(f"no assignee {agent_id!r} offered")
        self.assignee_filter.setCurrentIndex(index)

    def show_busy(self, text: str | None) -> None:
        if text:
            self.busy_label.setText(text)
        self.busy_label.setVisible(bool(text))
