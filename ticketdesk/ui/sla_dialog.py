"""Desk ▸ SLA Policies…: the policies in the order the first match is taken from (add, edit,
remove, move), the business hours (zone, weekly schedule, holidays, a country's public
holidays), and Recompute, which brings the existing tickets to the new rules.

Every read and save runs on the dialog's own query thread through `services.sla`; the window
never waits (ticketdesk/ARCHITECTURE.md, "Threading"). Recompute is a long job (`ui/tasks.Task`)
with progress and Cancel; a cancelled recompute resumes where it stopped the next time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.business_time import format_duration, holidays_from_country, parse_duration
from ticketdesk.domain.errors import TicketdeskError, ValidationError
from ticketdesk.domain.progress import Progress
from ticketdesk.domain.sla import Metric, Targets
from ticketdesk.domain.status import Priority
from ticketdesk.services import sla
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.sla_box import metric_text
from ticketdesk.ui.labels import priority_text
from ticketdesk.ui.tasks import Task
from ticketdesk.ui.text import plain_box, plain_label
from ticketdesk.ui.worker import QueryRunner

LOAD, SAVE = "sla.load", "sla.save"
METRICS = (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.RESOLUTION)
PolicyValues = tuple[str, dict[Priority, Targets], list[str], list[str], list[str]]


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


class PolicyEditor(QDialog):
    """One policy: its name, targets per priority (durations such as 30m, 4h, 1h30m, 2d; empty
    for none) and what narrows it (tags, customer tags, categories; empty for any)."""

    def __init__(self, record: sla.PolicyRecord | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("slaPolicyEditor")
        self.setWindowTitle(self.tr("Edit SLA Policy") if record else self.tr("Add SLA Policy"))
        self.values: PolicyValues | None = None
        self.before = frozenset(record.targets) if record else frozenset()
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(record.name if record else "", self)
        self.name.setObjectName("policyName")
        self.name.setReadOnly(record is not None)  # the name is how the policy is found
        form.addRow(self.tr("&Name:"), self.name)
        layout.addLayout(form)
        box = QGroupBox(self.tr("Targets in business time (e.g. 30m, 4h, 1h30m, 2d)"), self)
        grid = QGridLayout(box)
        for col, metric in enumerate(METRICS, start=1):
            grid.addWidget(QLabel(metric_text(metric), box), 0, col)
        self.targets: dict[tuple[Priority, Metric], QLineEdit] = {}
        for row, level in enumerate(reversed(Priority), start=1):
            grid.addWidget(QLabel(priority_text(level), box), row, 0)
            current = record.targets.get(level) if record else None
            for col, metric in enumerate(METRICS, start=1):
                seconds = current.of(metric) if current else None
                edit = QLineEdit(format_duration(seconds) if seconds else "", box)
                edit.setObjectName(f"target_{level.name.lower()}_{metric.value}")
                edit.setPlaceholderText(self.tr("none"))
                grid.addWidget(edit, row, col)
                self.targets[(level, metric)] = edit
        layout.addWidget(box)
        narrow = QFormLayout()
        self.tags = QLineEdit(", ".join(sorted(record.tags)) if record else "", self)
        self.customer_tags = QLineEdit(
            ", ".join(sorted(record.customer_tags)) if record else "", self)
        self.categories = QLineEdit(", ".join(sorted(record.categories)) if record else "", self)
        for edit, name in ((self.tags, "policyTags"), (self.customer_tags, "policyCustomerTags"),
                           (self.categories, "policyCategories")):
            edit.setObjectName(name)
            edit.setPlaceholderText(self.tr("any (separate several with commas)"))
        narrow.addRow(self.tr("&Tags:"), self.tags)
        narrow.addRow(self.tr("C&ustomer tags:"), self.customer_tags)
        narrow.addRow(self.tr("C&ategories:"), self.categories)
        layout.addLayout(narrow)
        self.error = plain_label("", self)
        self.error.setObjectName("policyError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: palette(link)")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        """Check every duration here (nothing is saved until all of them read)."""
        name = self.name.text().strip()
        try:
            if not name:
                raise ValidationError(self.tr("A policy needs a name."))
            targets: dict[Priority, Targets] = {}
            for level in Priority:
                values = []
                for metric in METRICS:
                    typed = self.targets[(level, metric)].text().strip()
                    try:
                        values.append(parse_duration(typed) if typed else None)
                    except ValidationError as exc:
                        raise ValidationError(f"{priority_text(level)}, "
                                              f"{metric_text(metric)}: {exc}") from None
                if any(values):
                    targets[level] = Targets(*values)
            dropped = [priority_text(p) for p in self.before if p not in targets]
            if dropped:
                # The services set a priority's targets but cannot drop them: say so rather
                # than keep them behind an empty row.
                raise ValidationError(self.tr(
                    "{0}: a priority's targets cannot be emptied here; remove the policy and "
                    "add it again without them.").format(", ".join(dropped)))
        except ValidationError as exc:
            self.error.setText(str(exc))
            return
        self.values = (name, targets, _names(self.tags.text()),
                       _names(self.customer_tags.text()), _names(self.categories.text()))
        super().accept()


def save_policy(session: Session, values: PolicyValues) -> None:
    """The editor's policy through the services: its narrowing, then each priority's targets."""
    name, targets, tags, customer_tags, categories = values
    sla.save_policy(session, name, tags=tags, customer_tags=customer_tags,
                    categories=categories)
    for level, wanted in sorted(targets.items()):
        sla.save_policy(session, name, priority=level, targets=wanted)


class SlaPoliciesDialog(QDialog):
    def __init__(self, session: Session, announce: Callable[[Changes], None],
                 parent: QWidget | None = None) -> None:
        """`announce` tells the window what a recompute changed (the list refreshes)."""
        super().__init__(parent)
        self.setObjectName("slaPoliciesDialog")
        self.setWindowTitle(self.tr("SLA Policies"))
        self.session = session
        self.announce = announce
        self.records: list[sla.PolicyRecord] = []
        self.task: Task | None = None
        self._asked = 0
        self._after: Callable[[], None] | None = None
        self._loading = False
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        layout = QVBoxLayout(self)

        box = QGroupBox(self.tr("Policies (the first that matches a ticket applies)"), self)
        row = QHBoxLayout(box)
        self.policies = QListWidget(box)
        self.policies.setObjectName("slaPolicyList")
        self.policies.itemDoubleClicked.connect(lambda _item: self.edit_policy())
        row.addWidget(self.policies, 1)
        side = QVBoxLayout()
        self.add_button = self._button(self.tr("&Add…"), "addPolicyButton", self.add_policy, side)
        self.edit_button = self._button(self.tr("&Edit…"), "editPolicyButton", self.edit_policy,
                                        side)
        self.remove_button = self._button(self.tr("&Remove"), "removePolicyButton",
                                          self.remove_policy, side)
        self.up_button = self._button(self.tr("Move &Up"), "movePolicyUpButton",
                                      lambda: self.move_policy(-1), side)
        self.down_button = self._button(self.tr("Move &Down"), "movePolicyDownButton",
                                        lambda: self.move_policy(1), side)
        side.addStretch(1)
        row.addLayout(side)
        layout.addWidget(box)

        hours = QGroupBox(self.tr("Business hours"), self)
        form = QFormLayout(hours)
        self.zone = QLineEdit(hours)
        self.zone.setObjectName("hoursZone")
        self.zone.setPlaceholderText(self.tr("Europe/Berlin"))
        form.addRow(self.tr("Time &zone:"), self.zone)
        self.week = QLineEdit(hours)
        self.week.setObjectName("hoursWeek")
        self.week.setPlaceholderText(self.tr("mon-fri 09:00-17:00"))
        form.addRow(self.tr("&Week:"), self.week)
        self.holidays = QListWidget(hours)
        self.holidays.setObjectName("holidayList")
        self.holidays.setMaximumHeight(120)
        form.addRow(self.tr("Holidays:"), self.holidays)
        country_row = QHBoxLayout()
        self.country = QLineEdit(hours)
        self.country.setObjectName("holidayCountry")
        self.country.setPlaceholderText(self.tr("country, e.g. DE"))
        self.country.setMaximumWidth(140)
        self.years = QLineEdit(str(date.today().year), hours)
        self.years.setObjectName("holidayYears")
        self.years.setMaximumWidth(140)
        country_row.addWidget(self.country)
        country_row.addWidget(self.years)
        self.country_button = self._button(self.tr("Add a Country's &Holidays"),
                                           "addCountryHolidaysButton", self.add_country,
                                           country_row)
        self.remove_holiday_button = self._button(self.tr("Remove Holiday"),
                                                  "removeHolidayButton", self.remove_holiday,
                                                  country_row)
        form.addRow("", country_row)
        self.save_hours_button = self._button(self.tr("&Save Hours"), "saveHoursButton",
                                              self.save_hours, None)
        form.addRow("", self.save_hours_button)
        layout.addWidget(hours)

        self.note = plain_label("", self)
        self.note.setObjectName("slaNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.recompute_button = buttons.addButton(self.tr("Re&compute Tickets"),
                                                  QDialogButtonBox.ButtonRole.ActionRole)
        self.recompute_button.setObjectName("recomputeButton")
        self.recompute_button.setToolTip(self.tr(
            "Bring every existing ticket's due times to the current rules"))
        self.recompute_button.clicked.connect(self.recompute)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 620)
        self.load()

    def _button(self, text: str, name: str, slot: Callable[[], None],
                layout: QVBoxLayout | QHBoxLayout | None) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        if layout is not None:
            layout.addWidget(button)
        return button

    # -- reading and saving on the worker -----------------------------------------------------

    @property
    def busy(self) -> bool:
        """A read or a save is on its way (tests wait for it as a user watches)."""
        return self._after is not None or self._loading

    def load(self) -> None:
        session = self.session
        self._asked += 1
        self._loading = True
        self.runner.submit(LOAD, self._asked, lambda: sla.read_rules(session))

    def _save(self, fn: Callable[[], Any], done: str) -> None:
        """Run a save on the worker; when it is through, reload and say so (and that the
        tickets follow after a recompute)."""
        self._asked += 1
        self._after = lambda: self.note.setText(
            done + " " + self.tr("Existing tickets follow the new rules after Recompute."))
        self.setEnabled(False)
        self.runner.submit(SAVE, self._asked, fn)

    def _answered(self, channel: str, _generation: int, result: Any) -> None:
        if channel == LOAD:
            self._loading = False
            self._show(*result)
        elif channel == SAVE:
            self.setEnabled(True)
            after, self._after = self._after, None
            if after is not None:
                after()
            self.load()

    def _failed(self, channel: str, _generation: int, error: object) -> None:
        self.setEnabled(True)
        self._after = None
        self._loading = False
        message = str(error) if isinstance(error, TicketdeskError) else self.tr(
            "Something went wrong: {0}").format(error)
        plain_box(self, QMessageBox.Icon.Warning, self.windowTitle(), message).open()
        if channel == SAVE:
            self.load()

    def _show(self, records: list[sla.PolicyRecord], hours: sla.HoursRecord) -> None:
        chosen = self.policies.currentRow()
        self.records = records
        self.policies.clear()
        for record in records:
            item = QListWidgetItem(record.name, self.policies)
            item.setToolTip(self._summary(record))
        if records:
            self.policies.setCurrentRow(min(max(chosen, 0), len(records) - 1))
        self.zone.setText(hours.zone)
        self.week.setText(hours.week)
        self.holidays.clear()
        for day, name in hours.holidays.items():
            item = QListWidgetItem(f"{day.isoformat()}  {name}", self.holidays)
            item.setData(Qt.ItemDataRole.UserRole, day.isoformat())

    def _summary(self, record: sla.PolicyRecord) -> str:
        lines = []
        for level in reversed(Priority):
            targets = record.targets.get(level)
            if targets is None:
                continue
            parts = [f"{metric_text(m)} {format_duration(s)}" for m in METRICS
                     if (s := targets.of(m))]
            lines.append(f"{priority_text(level)}: " + ", ".join(parts))
        for label, names in ((self.tr("Tags"), record.tags),
                             (self.tr("Customer tags"), record.customer_tags),
                             (self.tr("Categories"), record.categories)):
            if names:
                lines.append(f"{label}: " + ", ".join(sorted(names)))
        return "\n".join(lines)

    # -- policies -----------------------------------------------------------------------------

    def _current(self) -> sla.PolicyRecord | None:
        row = self.policies.currentRow()
        return self.records[row] if 0 <= row < len(self.records) else None

    def add_policy(self) -> None:
        self._open_editor(None)

    def edit_policy(self) -> None:
        record = self._current()
        if record is not None:
            self._open_editor(record)

    def _open_editor(self, record: sla.PolicyRecord | None) -> None:
        editor = PolicyEditor(record, self)
        if not editor.exec() or editor.values is None:
            return
        values, session = editor.values, self.session
        self._save(lambda: save_policy(session, values),
                   self.tr("Saved the policy “{0}”.").format(values[0]))

    def remove_policy(self) -> None:
        record = self._current()
        if record is None:
            return
        asked = plain_box(self, QMessageBox.Icon.Question, self.tr("Remove SLA Policy"),
                          self.tr("Remove the policy “{0}”? Its tickets fall to the next "
                                  "policy that matches.").format(record.name))
        asked.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        if asked.exec() != QMessageBox.StandardButton.Yes:
            return
        session, name = self.session, record.name
        self._save(lambda: sla.delete_policy(session, name),
                   self.tr("Removed the policy “{0}”.").format(name))

    def move_policy(self, step: int) -> None:
        row = self.policies.currentRow()
        record = self._current()
        if record is None or not 0 <= row + step < len(self.records):
            return
        self.policies.setCurrentRow(row + step)  # the selection follows the policy
        session, name, position = self.session, record.name, row + step + 1
        self._save(lambda: sla.move_policy(session, name, position),
                   self.tr("Moved the policy “{0}”.").format(name))

    # -- business hours -----------------------------------------------------------------------

    def save_hours(self) -> None:
        session, zone, week = self.session, self.zone.text().strip(), self.week.text().strip()
        self._save(lambda: sla.set_hours(session, timezone=zone or None, week=week or None),
                   self.tr("Saved the business hours."))

    def add_country(self) -> None:
        country = self.country.text().strip()
        try:
            years = [int(y) for y in _names(self.years.text().replace(" ", ","))]
            if not country or not years:
                raise ValueError
        except ValueError:
            self.note.setText(self.tr("Give a two-letter country code and one or more years "
                                      "(e.g. DE and 2026, 2027)."))
            return
        session = self.session

        def add() -> Mapping[date, str]:
            found = holidays_from_country(country, years)
            sla.set_hours(session, add_holidays=found)
            return found

        self._save(add, self.tr("Added the public holidays of {0}.").format(country.upper()))

    def remove_holiday(self) -> None:
        row = self.holidays.currentRow()
        if row < 0:
            return
        item = self.holidays.item(row)
        day = date.fromisoformat(str(item.data(Qt.ItemDataRole.UserRole)))
        session = self.session
        self._save(lambda: sla.set_hours(session, remove_holidays=[day]),
                   self.tr("Removed the holiday {0}.").format(day.isoformat()))

    # -- recompute ----------------------------------------------------------------------------

    def recompute(self) -> None:
        """Every ticket's SLA to the current rules, with progress and Cancel; what was done
        is kept, and the next recompute resumes after it."""
        session = self.session
        stopped = [False]

        def job(progress: Progress) -> sla.RecomputeResult:
            def told(done: int, total: int, phase: str = "") -> bool:
                going = progress(done, total, phase) is not False
                stopped[0] = stopped[0] or not going
                return going

            return sla.recompute(session, told, cancelled=lambda: stopped[0])

        self.task = Task(session.store, job, self.tr("Recomputing the SLA of every ticket…"),
                         self)
        self.task.done.connect(self._recomputed)
        self.task.failed.connect(self._recompute_failed)
        self.recompute_button.setEnabled(False)
        self.task.start()

    def _recomputed(self, result: object) -> None:
        self.recompute_button.setEnabled(True)
        if isinstance(result, sla.RecomputeResult):
            if result.finished:
                self.note.setText(self.tr("Recomputed {0} tickets; {1} changed.").format(
                    f"{result.tickets:,}", f"{result.changed:,}"))
            else:
                self.note.setText(self.tr("Recompute stopped after {0} tickets; the next one "
                                          "continues from there.").format(f"{result.tickets:,}"))
            if result.changed:
                self.announce(Changes(everything=True))

    def _recompute_failed(self, error: object) -> None:
        self.recompute_button.setEnabled(True)
        self.note.setText(str(error))
        self.announce(Changes(everything=True))  # chunks before the failure were kept

    def done(self, result: int) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task.wait()
        self.runner.stop()  # its thread and connection end with the dialog
        super().done(result)
