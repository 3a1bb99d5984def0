"""The filter bar above the ticket table: search, status, priority, dates, tags, customer tags,
assignees (with "Me" and "Unassigned"), category, custom fields (values, and conditions on text,
number and date fields), SLA (breached, due within the hour or today, needs a first reply), and
Clear. Typing is debounced; everything else applies
at once. It only builds a `TicketFilter`; the model turns that into SQL through the services."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QWidget,
)

from ticketdesk.domain.clock import today
from ticketdesk.domain.custom_fields import FieldDef
from ticketdesk.domain.filters import DateField, DueWindow, TicketFilter
from ticketdesk.domain.period import Period, PeriodKind
from ticketdesk.domain.sla import SlaState
from ticketdesk.domain.status import Priority, Status
from ticketdesk.ui.field_filter import FieldsButton
from ticketdesk.ui.labels import (
    date_field_text,
    period_text,
    priority_text,
    sla_text,
    status_text,
)
from ticketdesk.ui.menus import ChoiceButton
from ticketdesk.ui.text import plain_label

DEBOUNCE_MS = 250
ME, UNASSIGNED = "me", "unassigned"
MY_TEAM = "my_team"  # the agents who share a team with me (services/agent_records.py)
BREACHED, AT_RISK, DUE_HOUR, DUE_TODAY, FIRST_REPLY = (
    "breached", "at-risk", "due-hour", "due-today", "first-reply")
DATE_PRESETS = (None, PeriodKind.TODAY, PeriodKind.LAST_7D, PeriodKind.LAST_30D,
                PeriodKind.THIS_MONTH, PeriodKind.LAST_MONTH, PeriodKind.CUSTOM)


class FilterBar(QWidget):
    filterChanged = Signal(object)  # TicketFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.agent_id: int | None = None
        self.team: frozenset[int] = frozenset()
        self._extra = TicketFilter()  # drill-down criteria the widgets cannot show
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        self.search = QLineEdit(self)
        self.search.setObjectName("searchBox")
        self.search.setPlaceholderText(
            self.tr("Search tickets: number, subject, customer, conversation, notes…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(150)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit)
        self.search.textEdited.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self._emit_now)
        self.search.textChanged.connect(self._cleared_by_button)
        layout.addWidget(self.search, 3)

        self.status = ChoiceButton(self.tr("Status"), self)
        self.status.setObjectName("statusFilter")
        self.status.set_choices([(s, status_text(s)) for s in Status])
        self.priority = ChoiceButton(self.tr("Priority"), self)
        self.priority.setObjectName("priorityFilter")
        self.priority.set_choices([(p, priority_text(p)) for p in Priority])
        self.assignees = ChoiceButton(self.tr("Assignee"), self)
        self.assignees.setObjectName("assigneeFilter")
        self.tags = ChoiceButton(self.tr("Tags"), self)
        self.tags.setObjectName("tagFilter")
        self.customer_tags = ChoiceButton(self.tr("Customer tags"), self)
        self.customer_tags.setObjectName("customerTagFilter")
        self.categories = ChoiceButton(self.tr("Category"), self)
        self.categories.setObjectName("categoryFilter")
        self.fields = FieldsButton(self.tr("Fields"), self)
        self.fields.setObjectName("customFieldFilter")
        self.fields.setVisible(False)  # shown once the desk has custom fields
        self.sla = ChoiceButton(self.tr("SLA"), self)
        self.sla.setObjectName("slaFilter")
        self.sla.set_choices([(BREACHED, self.tr("Breached")), (AT_RISK, self.tr("At risk")),
                              (DUE_HOUR, self.tr("Due within the hour")),
                              (DUE_TODAY, self.tr("Due today")),
                              (FIRST_REPLY, self.tr("Needs first reply"))])
        self.sla.setToolTip(self.tr("Breached or at risk now, due soon, or waiting for a "
                                    "first reply"))
        for button in (self.status, self.priority, self.assignees, self.tags,
                       self.customer_tags, self.categories, self.fields, self.sla):
            button.changed.connect(self._emit_now)
            layout.addWidget(button)

        self.dates = QComboBox(self)
        self.dates.setObjectName("dateFilter")
        self.dates.setToolTip(self.tr("When the ticket was created"))
        for kind in DATE_PRESETS:
            self.dates.addItem(self.tr("Created: any time") if kind is None
                               else self.tr("Created: {0}").format(period_text(kind).lower())
                               if kind != PeriodKind.CUSTOM else self.tr("Created between…"))
        self.dates.currentIndexChanged.connect(self._dates_changed)
        layout.addWidget(self.dates)
        self.date_from = QDateEdit(self)
        self.date_to = QDateEdit(self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
            edit.setVisible(False)
            edit.dateChanged.connect(self._custom_dates_changed)
            layout.addWidget(edit)

        self.extra_label = plain_label("", self)
        self.extra_label.setObjectName("extraCriteria")
        self.extra_label.setToolTip(self.tr("More criteria from a drill-down; Clear filters "
                                            "removes them"))
        self.extra_label.setVisible(False)
        layout.addWidget(self.extra_label)
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("clearFilters")
        self.clear_button.setText(self.tr("Clear filters"))
        self.clear_button.clicked.connect(self.clear)
        layout.addWidget(self.clear_button)
        self._update_clear()

    # -- choices that come from the desk ------------------------------------------------------

    def set_agents(self, agents: list[tuple[int, str]], me: int | None,
                   team: frozenset[int] = frozenset()) -> None:
        """The assignee choices: Me, My team (when I am in a team), Unassigned, then agents."""
        self.agent_id = me
        self.team = team
        choices: list[tuple[object, str]] = [(ME, self.tr("Me"))]
        if team:
            choices.append((MY_TEAM, self.tr("My team")))
        choices.append((UNASSIGNED, self.tr("Unassigned")))
        choices += [(agent_id, name) for agent_id, name in agents]
        self.assignees.set_choices(choices, separator_after=len(choices) - len(agents) - 1)

    def set_tags(self, tags: list[str]) -> None:
        self.tags.set_choices([(t, t) for t in tags])

    def set_customer_tags(self, tags: list[str]) -> None:
        self.customer_tags.set_choices([(t, t) for t in tags])

    def set_categories(self, names: list[str]) -> None:
        self.categories.set_choices([(n, n) for n in names])

    def set_custom_fields(self, fields: list[FieldDef]) -> None:
        """The desk's custom fields: values of list and checkbox fields to tick ("Plan: Pro"),
        a condition to set on a text, number or date field (ui/field_filter.py)."""
        self.fields.set_fields(fields)

    # -- the filter ---------------------------------------------------------------------------

    def current_filter(self) -> TicketFilter:
        chosen = self.assignees.chosen()
        agents = {a for a in chosen if isinstance(a, int)}
        if ME in chosen and self.agent_id is not None:
            agents.add(self.agent_id)
        if MY_TEAM in chosen:
            agents |= self.team
        first, last = self._date_range()
        sla = self.sla.chosen()
        states = {s for key, s in ((BREACHED, SlaState.BREACHED), (AT_RISK, SlaState.AT_RISK))
                  if key in sla}
        # Within the hour is inside today: chosen together, the wider one is what they mean.
        due = DueWindow.TODAY if DUE_TODAY in sla else DueWindow.HOUR if DUE_HOUR in sla \
            else None
        return self._extra.with_(
            text=self.search.text(),
            statuses=frozenset(self.status.chosen()),
            priorities=frozenset(self.priority.chosen()),
            assignees=frozenset(agents),
            unassigned=UNASSIGNED in chosen,
            tags=frozenset(str(t) for t in self.tags.chosen()),
            customer_tags=frozenset(str(t) for t in self.customer_tags.chosen()),
            categories=frozenset(str(c) for c in self.categories.chosen()),
            custom=tuple(sorted(c for c in self.fields.chosen()
                                if isinstance(c, tuple))),
            field_conditions=self.fields.chosen_conditions(),
            date_from=first, date_to=last,
            sla=frozenset(states) | self._extra.sla, due=due, needs_first_reply=FIRST_REPLY in sla,
        )

    def apply(self, f: TicketFilter) -> None:
        """Show `f` in the widgets (analytics drill-down, tests) and announce it once.

        Criteria the widgets cannot show (one customer; a date range on resolved/closed/updated)
        are kept aside, named in a chip beside the bar, and dropped by Clear filters.
        """
        self._debounce.stop()
        choosers = (self.status, self.priority, self.tags, self.customer_tags, self.assignees,
                    self.categories, self.fields, self.sla)
        for widget in choosers:
            widget.blockSignals(True)
        self.search.blockSignals(True)
        self.search.setText(f.text)
        self.search.blockSignals(False)
        self.status.set_chosen(f.statuses)
        self.priority.set_chosen(f.priorities)
        self.tags.set_chosen(f.tags)
        self.customer_tags.set_chosen(f.customer_tags)
        self.categories.set_chosen(f.categories)
        self.fields.set_chosen(f.custom)
        self.fields.set_conditions(f.field_conditions)
        chosen: set[object] = set(f.assignees)
        if f.unassigned:
            chosen.add(UNASSIGNED)
        self.assignees.set_chosen(chosen)
        self.sla.set_chosen(_sla_keys(f))
        for widget in choosers:
            widget.blockSignals(False)
        on_created = f.date_field == DateField.CREATED
        if on_created and (f.date_from or f.date_to):
            self._set_custom(f.date_from, f.date_to)
        else:
            self.dates.blockSignals(True)
            self.dates.setCurrentIndex(0)
            self.dates.blockSignals(False)
            self._show_custom(False)
        self._extra = TicketFilter(
            # SLA states the menu has no entry for (on track, paused, met: from the command
            # line's words or a drill-down) are kept aside like the other extras.
            sla=f.sla - {SlaState.BREACHED, SlaState.AT_RISK},
            customer_id=f.customer_id,
            date_field=f.date_field,
            date_from=None if on_created else f.date_from,
            date_to=None if on_created else f.date_to,
        )
        self._show_extra()
        self._emit_now()

    def clear(self) -> None:
        self._extra = TicketFilter()
        self.apply(TicketFilter())

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- internals ----------------------------------------------------------------------------

    def _date_range(self) -> tuple[date | None, date | None]:
        kind = DATE_PRESETS[self.dates.currentIndex()]
        if kind is None:
            return self._extra.date_from, self._extra.date_to
        if kind == PeriodKind.CUSTOM:
            first = _as_date(self.date_from.date())
            last = _as_date(self.date_to.date())
            return (first, last) if first <= last else (last, first)
        period = Period.of(kind, today())
        return period.first_day, period.last_day

    def _dates_changed(self, index: int) -> None:
        if self._extra.date_field != DateField.CREATED:  # a created range replaces the other
            self._extra = TicketFilter(customer_id=self._extra.customer_id, sla=self._extra.sla)
            self._show_extra()
        self._show_custom(DATE_PRESETS[index] == PeriodKind.CUSTOM)
        self._emit_now()

    def _show_extra(self) -> None:
        parts = []
        if self._extra.customer_id is not None:
            parts.append(self.tr("one customer"))
        parts += [self.tr("SLA {0}").format(sla_text(s).lower()) for s in sorted(self._extra.sla)]
        if self._extra.date_from or self._extra.date_to:
            first = self._extra.date_from.isoformat() if self._extra.date_from else "…"
            last = self._extra.date_to.isoformat() if self._extra.date_to else "…"
            parts.append(f"{date_field_text(self._extra.date_field)} {first} – {last}")
        self.extra_label.setText(" · ".join(parts))
        self.extra_label.setVisible(bool(parts))

    def _custom_dates_changed(self) -> None:
        if DATE_PRESETS[self.dates.currentIndex()] == PeriodKind.CUSTOM:
            self._emit_now()

    def _set_custom(self, first: date | None, last: date | None) -> None:
        start = first or date(2000, 1, 1)
        end = last or today()
        for edit, value in ((self.date_from, start), (self.date_to, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(value.year, value.month, value.day))
            edit.blockSignals(False)
        self.dates.blockSignals(True)
        self.dates.setCurrentIndex(DATE_PRESETS.index(PeriodKind.CUSTOM))
        self.dates.blockSignals(False)
        self._show_custom(True)

    def _show_custom(self, visible: bool) -> None:
        self.date_from.setVisible(visible)
        self.date_to.setVisible(visible)

    def _cleared_by_button(self, text: str) -> None:
        if not text:
            self._emit_now()

    def _emit_now(self) -> None:
        self._debounce.stop()
        self._emit()

    def _emit(self) -> None:
        f = self.current_filter()
        self._update_clear(f)
        self.filterChanged.emit(f)

    def _update_clear(self, f: TicketFilter | None = None) -> None:
        f = f if f is not None else self.current_filter()
        self.clear_button.setEnabled(not f.with_(date_field=DateField.CREATED).is_empty)


def _sla_keys(f: TicketFilter) -> set[object]:
    keys: set[object] = set()
    if SlaState.BREACHED in f.sla:
        keys.add(BREACHED)
    if SlaState.AT_RISK in f.sla:
        keys.add(AT_RISK)
    if f.due == DueWindow.HOUR:
        keys.add(DUE_HOUR)
    elif f.due == DueWindow.TODAY:
        keys.add(DUE_TODAY)
    if f.needs_first_reply:
        keys.add(FIRST_REPLY)
    return keys


def _as_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
