"""The first four pages of the import wizard (ui/import_wizard.py): **File** (the file, its
detected format, encoding, separator and header row, the first rows), **Columns** (each source
column's ticketdesk target, suggested), **Values** (each status and priority of the file with its
count) and **Times** (day/month order when the file cannot tell, the zone of times without an
offset, one row per ticket or an event log). Each reads through the wizard's `QueryRunner`, never
on the GUI thread (ticketdesk/ARCHITECTURE.md, "Threading")."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.import_mapping import (
    ADD_AS_TAG,
    APPEND_TO_DESCRIPTION,
    CUSTOM_FIELD,
    DURATIONS,
    FIELDS,
    IGNORE,
    SOURCE_ID,
    Mapping,
)
from ticketdesk.domain.status import Priority, Status
from ticketdesk.ui.text import plain_label

if TYPE_CHECKING:
    from ticketdesk.services.importing.sources import Preview
    from ticketdesk.ui.import_wizard import ImportWizard

FILE_PAGE, COLUMNS_PAGE, VALUES_PAGE, TIMES_PAGE, CHECK_PAGE = range(5)
ORDER_ASK, ORDER_DETECTED, ORDER_DAY, ORDER_MONTH = "ask", "detected", "day", "month"
"""What the Times page's day/month combo holds for each choice."""
FILE_PAGE, COLUMNS_PAGE, VALUES_PAGE, TIMES_PAGE, CHECK_PAGE = range(5)
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "cp850", "iso8859_15", "latin_1",
             "cp1250", "mac_roman")
SEPARATORS = ((",", ","), (";", ";"), ("Tab", "\t"), ("|", "|"))
ZONES = ("UTC", "Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York",
         "America/Chicago", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney")
DEBOUNCE_MS = 200
Index = QModelIndex | QPersistentModelIndex


def target_label(target: str) -> str:
    """A target as the user reads it ("created_at" → "Created at", IGNORE → "Ignore")."""
    special = {IGNORE: "Ignore", ADD_AS_TAG: "Add as tag",
               APPEND_TO_DESCRIPTION: "Append to description", SOURCE_ID: "Source id",
               "customer": "Customer name", "assignees": "Assignee(s)"}
    if target.startswith(CUSTOM_FIELD):  # the desk's own field (issue 19)
        return QCoreApplication.translate("ImportPages", "Field: {0}").format(
            target[len(CUSTOM_FIELD):])
    return special.get(target, target.replace("_", " ").capitalize())


class PreviewModel(QAbstractTableModel):
    """The first rows of the file as plain text (the File page's table)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers: list[str] = []
        self.rows: list[list[str]] = []

    def show(self, headers: list[str], rows: list[list[str]]) -> None:
        self.beginResetModel()
        self.headers, self.rows = list(headers), [list(r) for r in rows]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        return row[index.column()] if index.column() < len(row) else ""

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if 0 <= section < len(self.headers) else None
        return str(section + 1)


def _read_preview(path: Path, encoding: str | None, separator: str | None,
                  header_row: int) -> tuple[Preview, bool]:
    """On the runner's thread: the first rows, and whether this is ticketdesk's own export
    (decided as `ticketdesk import tickets` decides it, `sources.is_own_export`)."""
    from ticketdesk.services.importing.sources import is_own_export, preview

    shown = preview(path, encoding=encoding, separator=separator, header_row=header_row)
    detected = encoding is None and separator is None and header_row == 1
    return shown, detected and is_own_export(path)


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("File"))
        self.setSubTitle(self.tr("Choose the file to import: CSV or TSV, XLSX or ODS, JSON or "
                                 "NDJSON."))
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("importPath")
        browse = QPushButton(self.tr("Browse…"), self)
        browse.setObjectName("importBrowse")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.format_label = QLabel(self)
        self.format_label.setObjectName("importFormat")
        self.format_label.setTextFormat(Qt.TextFormat.PlainText)
        self.encoding = QComboBox(self)
        self.encoding.setObjectName("importEncoding")
        self.encoding.addItem(self.tr("Detected"), None)
        for name in ENCODINGS:
            self.encoding.addItem(name, name)
        self.separator = QComboBox(self)
        self.separator.setObjectName("importSeparator")
        self.separator.addItem(self.tr("Detected"), None)
        for text, sep in SEPARATORS:
            self.separator.addItem(self.tr(text) if text == "Tab" else text, sep)
        self.header_row = QSpinBox(self)
        self.header_row.setObjectName("importHeaderRow")
        self.header_row.setRange(1, 1000)
        self.error = QLabel(self)
        self.error.setObjectName("importFileError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.model = PreviewModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("importPreview")
        self.table.setModel(self.model)
        form = QFormLayout()
        form.addRow(self.tr("File:"), row)
        form.addRow(self.tr("Format:"), self.format_label)
        form.addRow(self.tr("Encoding:"), self.encoding)
        form.addRow(self.tr("Separator:"), self.separator)
        form.addRow(self.tr("Header row:"), self.header_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.read)
        self.path_edit.textChanged.connect(self._changed)
        self.encoding.currentIndexChanged.connect(self._changed)
        self.separator.currentIndexChanged.connect(self._changed)
        self.header_row.valueChanged.connect(self._changed)
        self.generation = 0
        self.loaded = False

    def browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import tickets"), self.path_edit.text() or str(Path.home()),
            self.tr("Ticket files (*.csv *.tsv *.txt *.xlsx *.xlsm *.ods *.json *.ndjson "
                    "*.jsonl);;All files (*)"))
        if name:
            self.path_edit.setText(name)

    def _changed(self) -> None:
        self.generation += 1
        self.loaded = False
        self.completeChanged.emit()
        self._timer.start()

    def read(self) -> None:
        """Ask the runner for the preview of what is chosen now."""
        self._timer.stop()
        text = self.path_edit.text().strip()
        if not text:
            self.error.clear()
            return
        path = Path(text).expanduser()
        encoding, separator = self.encoding.currentData(), self.separator.currentData()
        header_row = self.header_row.value()
        self.error.setText(self.tr("Reading the file…"))
        self.w.runner.submit("preview", self.generation,
                             lambda: _read_preview(path, encoding, separator, header_row))

    def previewed(self, generation: int, answer: tuple[Preview, bool]) -> None:
        if generation != self.generation:
            return
        shown, own = answer
        source = shown.source
        self.error.clear()
        kind = {"csv": "CSV", "xlsx": "XLSX", "ods": "ODS", "json": "JSON"}[source.kind]
        if own:
            kind = self.tr("ticketdesk's own export (ticket numbers are kept)")
        elif source.kind == "csv":
            sep = "Tab" if source.separator == "\t" else source.separator
            kind = self.tr("{0}, {1}, separator {2}").format(kind, source.encoding, sep)
        self.format_label.setText(kind)
        self.model.show(source.headers,
                        [[row.get(h) or "" for h in source.headers] for _line, row in shown.rows])
        self.w.set_source(shown, own)
        self.loaded = True
        self.completeChanged.emit()

    def refused(self, generation: int, error: object) -> None:
        if generation != self.generation:
            return
        self.format_label.clear()
        self.model.show([], [])
        self.error.setText(str(error) if isinstance(error, ValidationError)
                           else self.tr("Cannot read the file: {0}").format(error))

    def isComplete(self) -> bool:
        return self.loaded

    def nextId(self) -> int:
        return CHECK_PAGE if self.w.own else COLUMNS_PAGE


class ColumnsPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("Columns"))
        self.setSubTitle(self.tr("What each column of the file becomes in ticketdesk."))
        self.combos: dict[str, QComboBox] = {}
        self.area = QScrollArea(self)
        self.area.setWidgetResizable(True)
        self.error = QLabel(self)
        self.error.setObjectName("importColumnsError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.area, 1)
        layout.addWidget(self.error)

    def initializePage(self) -> None:
        self.show_mapping()

    def show_mapping(self) -> None:
        mapping, shown = self.w.mapping, self.w.preview
        if mapping is None or shown is None:
            return
        inner = QWidget()
        form = QFormLayout(inner)
        self.combos = {}
        targets = (*FIELDS, SOURCE_ID, *DURATIONS, ADD_AS_TAG, APPEND_TO_DESCRIPTION,
                   *(CUSTOM_FIELD + name for name in self.w.custom_names), IGNORE)
        for header in shown.source.headers:
            sample = next((row.get(header) for _l, row in shown.rows if row.get(header)), None)
            label = QLabel(header if sample is None else f"{header}  ({sample[:40]})")
            label.setTextFormat(Qt.TextFormat.PlainText)
            combo = QComboBox()
            combo.setObjectName(f"column:{header}")
            for target in targets:
                combo.addItem(self.tr(target_label(target)), target)
            combo.setCurrentIndex(combo.findData(mapping.target_of(header)))
            self.combos[header] = combo
            form.addRow(label, combo)
        self.area.setWidget(inner)
        self.error.clear()

    def choose(self, header: str, target: str) -> None:
        """Set one column's target (as picking it in its combo does)."""
        combo = self.combos[header]
        combo.setCurrentIndex(combo.findData(target))

    def validatePage(self) -> bool:
        mapping = self.w.mapping
        assert mapping is not None
        columns = {h: str(c.currentData()) for h, c in self.combos.items()}
        trial = Mapping(columns=columns, statuses=dict(mapping.statuses),
                        priorities=dict(mapping.priorities), system=mapping.system)
        try:
            trial.check()
        except ValidationError as exc:
            self.error.setText(str(exc))
            return False
        if columns != mapping.columns:
            self.w.survey = None  # the values and dates depend on the columns
        mapping.columns = columns
        return True


class ValuesPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("Values"))
        self.setSubTitle(self.tr("Each status and priority of the file, with how many rows "
                                 "have it, and what it becomes."))
        self.status_combos: dict[str, QComboBox] = {}
        self.priority_combos: dict[str, QComboBox] = {}
        self.area = QScrollArea(self)
        self.area.setWidgetResizable(True)
        self.note = QLabel(self)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.area, 1)

    def initializePage(self) -> None:
        self.area.setWidget(QWidget())
        self.status_combos, self.priority_combos = {}, {}
        if self.w.survey is not None:
            self.surveyed()
        else:
            self.note.setText(self.tr("Reading the file…"))
            self.w.start_survey()
        self.completeChanged.emit()

    def surveyed(self) -> None:
        found, mapping = self.w.survey, self.w.mapping
        assert found is not None
        assert mapping is not None
        inner = QWidget()
        form = QFormLayout(inner)
        for title, counts, members, decide, combos in (
                (self.tr("Status"), found.statuses, list(Status), mapping.status,
                 self.status_combos),
                (self.tr("Priority"), found.priorities, list(Priority),
                 lambda v: mapping.priority(v, found.highest_priority), self.priority_combos)):
            if not counts:
                continue
            heading = plain_label(title)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            form.addRow(heading)
            for value, n in counts.most_common():
                label = plain_label(f"{value}  ({n:,})")  # the file's words: plain text
                label.setTextFormat(Qt.TextFormat.PlainText)
                combo = QComboBox()
                combo.setObjectName(f"value:{title}:{value}")
                chosen = decide(value)
                if chosen is None:
                    combo.addItem(self.tr("Choose…"), None)
                for member in members:
                    combo.addItem(self.tr(member.label), member.name)
                if chosen is not None:
                    combo.setCurrentIndex(combo.findData(chosen.name))
                combo.currentIndexChanged.connect(self.completeChanged)
                combos[value] = combo
                form.addRow(label, combo)
        self.area.setWidget(inner)
        self.note.setText(self.tr("{0} rows.").format(f"{found.rows:,}")
                          if found.statuses or found.priorities else
                          self.tr("{0} rows; no status or priority column.")
                          .format(f"{found.rows:,}"))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        if self.w.survey is None:
            return False
        return all(c.currentData() is not None
                   for c in (*self.status_combos.values(), *self.priority_combos.values()))

    def validatePage(self) -> bool:
        mapping = self.w.mapping
        assert mapping is not None
        mapping.statuses = {v: str(c.currentData()) for v, c in self.status_combos.items()}
        mapping.priorities = {v: str(c.currentData()) for v, c in self.priority_combos.items()}
        return True


class TimesPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("Times"))
        self.setSubTitle(self.tr("How the file's dates are read, and its shape."))
        self.order = QComboBox(self)
        self.order.setObjectName("importDateOrder")
        self.order.currentIndexChanged.connect(self.completeChanged)
        self.order_note = QLabel(self)
        self.order_note.setObjectName("importDateNote")
        self.order_note.setTextFormat(Qt.TextFormat.PlainText)
        self.order_note.setWordWrap(True)
        self.zone = QComboBox(self)
        self.zone.setObjectName("importTimezone")
        self.zone.setEditable(True)
        self.zone.addItem(self.tr("This computer's zone"), None)
        for name in ZONES:
            self.zone.addItem(name, name)
        self.shape = QComboBox(self)
        self.shape.setObjectName("importShape")
        self.shape.addItem(self.tr("One row per ticket"), False)
        self.shape.addItem(self.tr("One row per event, grouped by ticket id"), True)
        self.error = QLabel(self)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(self.tr("Day and month:"), self.order)
        form.addRow(self.order_note)
        form.addRow(self.tr("Times without an offset are in:"), self.zone)
        form.addRow(self.tr("Shape:"), self.shape)
        form.addRow(self.error)
        self.detected: bool | None = None

    def initializePage(self) -> None:
        found, mapping = self.w.survey, self.w.mapping
        assert found is not None
        assert mapping is not None
        ambiguous = [h for h, o in found.date_order.items() if o.ambiguous or o.conflicting]
        self.detected = found.day_first
        self.order.blockSignals(True)
        self.order.clear()
        if self.detected is None and ambiguous:
            self.order.addItem(self.tr("Choose…"), ORDER_ASK)
            self.order_note.setText(self.tr(
                "Dates like 03/04/2026 in {0} can be read either way: say which comes first.")
                .format(", ".join(ambiguous)))
        else:
            described = (self.tr("day first") if self.detected else self.tr("month first")
                         if self.detected is False else self.tr("ISO or unambiguous"))
            self.order.addItem(self.tr("Detected: {0}").format(described), ORDER_DETECTED)
            self.order_note.clear()
        self.order.addItem(self.tr("Day first (03/04/2026 is 3 April)"), ORDER_DAY)
        self.order.addItem(self.tr("Month first (03/04/2026 is March 4)"), ORDER_MONTH)
        if mapping.day_first is not None:
            self.order.setCurrentIndex(self.order.findData(ORDER_DAY if mapping.day_first
                                                           else ORDER_MONTH))
        self.order.blockSignals(False)
        if mapping.timezone:
            index = self.zone.findData(mapping.timezone)
            if index < 0:
                self.zone.addItem(mapping.timezone, mapping.timezone)
                index = self.zone.count() - 1
            self.zone.setCurrentIndex(index)
        grouped = mapping.event_log if mapping.event_log is not None else found.repeated_ids
        self.shape.setCurrentIndex(1 if grouped else 0)
        self.shape.setEnabled(bool(mapping.columns_for(SOURCE_ID)))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.order.currentData() != ORDER_ASK)

    def zone_name(self) -> str | None:
        text = self.zone.currentText().strip()
        data = self.zone.currentData()
        if self.zone.currentIndex() >= 0 and text == self.zone.itemText(
                self.zone.currentIndex()):
            return data if isinstance(data, str) else None
        return text or None  # a zone typed in

    def validatePage(self) -> bool:
        from ticketdesk.services.importing.times import zone

        mapping, found = self.w.mapping, self.w.survey
        assert mapping is not None
        assert found is not None
        name = self.zone_name()
        try:
            zone(name)
        except ValidationError as exc:
            self.error.setText(str(exc))
            return False
        order = self.order.currentData()
        mapping.day_first = True if order == ORDER_DAY else False if order == ORDER_MONTH else None
        mapping.timezone = name
        grouped = bool(self.shape.currentData())
        mapping.event_log = None if grouped == found.repeated_ids else grouped
        return True
