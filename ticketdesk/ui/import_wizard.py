"""File ▸ Import Tickets…: a wizard for any CSV/TSV, XLSX/ODS or JSON/NDJSON file (issue 16).

Pages: **File** (the file, its detected format, encoding, separator and header row, the first
rows), **Columns** (each source column's ticketdesk target, suggested), **Values** (each status
and priority of the file with its count), **Times** (day/month order when the file cannot tell,
the zone of times without an offset, one row per ticket or an event log) and **Check** (the dry
run, problems grouped by kind; and whether open, unassigned tickets pass through the routing
rules, off by default as `--route` is). Import runs `services/importing/run.import_` as a `Task`
with progress and Cancel — the same calls, in the same order, as `ticketdesk import tickets`
(cli_import.py), so the same file and mapping give the same desk.

ticketdesk's own export is recognised as the command line recognises it and goes straight to
the Check page; it is imported by `services/importer` (numbers kept) through `ui/importing`.

Every file read (preview, survey, dry run) runs on the wizard's `QueryRunner`, never on the GUI
thread (ticketdesk/ARCHITECTURE.md, "Threading"); the pages wait for the answers. For a big file
the runner's thread only waits: the survey, the dry run and the import run in a child process
(services/importing/child.py says why: a thread of this process froze the window for up to
0.1-0.3 s at a time).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QEvent,
    QObject,
    Qt,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.import_mapping import (
    IGNORE,
    Mapping,
    suggest,
)
from ticketdesk.services import custom_fields
from ticketdesk.ui.import_pages import (
    CHECK_PAGE,
    COLUMNS_PAGE,
    FILE_PAGE,
    TIMES_PAGE,
    VALUES_PAGE,
    ColumnsPage,
    FilePage,
    TimesPage,
    ValuesPage,
)
from ticketdesk.ui.importing import responsive
from ticketdesk.ui.worker import QueryRunner

if TYPE_CHECKING:
    from ticketdesk.services.importing.check import Report
    from ticketdesk.services.importing.plan import Survey
    from ticketdesk.services.importing.sources import Preview
    from ticketdesk.ui.importing import TicketImport
    from ticketdesk.ui.main_window import MainWindow


class CheckPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("Check"))
        self.summary = QLabel(self)
        self.summary.setObjectName("importCheckSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.problems = QTreeWidget(self)
        self.problems.setObjectName("importProblems")
        self.problems.setHeaderLabels([self.tr("Problem"), self.tr("Tickets"),
                                       self.tr("Lines, e.g."), self.tr("Example")])
        self.skip = QCheckBox(self)
        self.skip.setObjectName("importSkipBad")
        self.skip.toggled.connect(self.completeChanged)
        self.route = QCheckBox(self.tr("Route open unassigned tickets through the routing "
                                       "rules"), self)
        self.route.setObjectName("importRoute")
        self.route.setToolTip(self.tr("Imported tickets that are still open (Open, In "
                                      "Progress, Waiting) and have no assignee get one from "
                                      "the routing rules, channel “import”, as the command "
                                      "line's --route does. Off: they arrive as the file has "
                                      "them."))
        self.system = QLineEdit(self)
        self.system.setObjectName("importSourceSystem")
        self.system.textChanged.connect(self.completeChanged)
        self.system.setToolTip(self.tr("Where the tickets come from: importing a file of the "
                                       "same system again adds nothing."))
        self.conversations = QLineEdit(self)
        self.conversations.setObjectName("importConversations")
        self.conversations.setPlaceholderText(self.tr("none (optional: one row per message)"))
        self.conversations.editingFinished.connect(self._conversations_changed)
        browse = QPushButton(self.tr("Browse…"), self)
        browse.setObjectName("importConversationsBrowse")
        browse.clicked.connect(self._browse_conversations)
        said = QHBoxLayout()
        said.addWidget(self.conversations, 1)
        said.addWidget(browse)
        self.extras = QWidget(self)
        form = QFormLayout(self.extras)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Source system:"), self.system)
        form.addRow(self.tr("Conversations file:"), said)
        form.addRow(self.route)
        self._checked_with: str | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.extras)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.skip)
        self.setFinalPage(True)

    def initializePage(self) -> None:
        self.problems.clear()
        self.skip.setChecked(False)
        self.skip.hide()
        self.w.report = None
        if self.w.own:
            self.setSubTitle(self.tr("ticketdesk's own export: its ticket numbers are kept."))
            self.summary.setText(self.tr("Import reads {0} as ticketdesk exported it; a row "
                                         "that cannot be read is listed before anything is "
                                         "imported.").format(self.w.path_name()))
            self.problems.hide()
            self.extras.hide()
        else:
            self.setSubTitle(self.tr("A dry run: nothing is written until you press Import."))
            self.problems.show()
            self.extras.show()
            mapping = self.w.mapping
            if not self.system.text().strip() and mapping is not None:
                self.system.setText(mapping.system or "spreadsheet")
            self.recheck()
        self.completeChanged.emit()

    def conversations_path(self) -> Path | None:
        text = self.conversations.text().strip()
        return Path(text).expanduser() if text else None

    def recheck(self) -> None:
        self.problems.clear()
        self.w.report = None
        self.skip.hide()
        self.summary.setText(self.tr("Checking every row…"))
        self._checked_with = self.conversations.text().strip()
        self.w.start_check(self.conversations_path())
        self.completeChanged.emit()

    def _conversations_changed(self) -> None:
        if self.conversations.text().strip() != self._checked_with:
            self.recheck()

    def _browse_conversations(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Conversations file"), str(Path.home()),
            self.tr("Ticket files (*.csv *.tsv *.txt *.xlsx *.ods *.json *.ndjson);;"
                    "All files (*)"))
        if name:
            self.conversations.setText(name)
            self._conversations_changed()

    def checked(self, report: Report) -> None:
        self.summary.setText("\n".join(report.lines()[:2]) if report.ok else
                             report.lines()[0])
        for group in sorted(report.groups.values(), key=lambda g: -g.count):
            more = "" if group.count <= len(group.lines) else ", …"
            QTreeWidgetItem(self.problems, [group.kind, f"{group.count:,}",
                                            ", ".join(map(str, group.lines)) + more,
                                            "; ".join(d for d in group.details if d)])
        for line, why in report.conversation_problems[:5]:
            QTreeWidgetItem(self.problems, [self.tr("conversations file"), "1", str(line), why])
        for col in range(4):
            self.problems.resizeColumnToContents(col)
        if not report.ok:
            self.skip.setText(self.tr("Import the {0} sound ticket(s) and leave the {1} with "
                                      "problems out").format(f"{report.tickets:,}",
                                                             f"{report.bad_tickets:,}"))
            self.skip.setVisible(report.tickets > 0)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        if self.w.own:
            return True
        report = self.w.report
        return (report is not None and report.tickets > 0 and bool(self.system.text().strip())
                and (report.ok or self.skip.isChecked()))


class ImportWizard(QWizard):
    """The import wizard of one window; `job` is the import it started (once Import is
    pressed)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("importWizard")
        self.setWindowTitle(self.tr("Import tickets"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.runner = QueryRunner(window.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._refused)
        self.preview: Preview | None = None
        self.own = False
        self.mapping: Mapping | None = None
        self.survey: Survey | None = None
        self.report: Report | None = None
        self._generation = 0
        self.job: TicketImport | None = None
        self.custom_names: list[str] = []
        """The desk's custom fields: columns may map to them ("field:Name", issue 19)."""
        session = window.session
        self.runner.submit("fields", 0, lambda: [f.name for f in custom_fields.list_fields(
            session)])
        self.file_page = FilePage(self)
        self.columns_page = ColumnsPage(self)
        self.values_page = ValuesPage(self)
        self.times_page = TimesPage(self)
        self.check_page = CheckPage(self)
        for page_id, page in enumerate((self.file_page, self.columns_page, self.values_page,
                                        self.times_page, self.check_page)):
            self.setPage(page_id, page)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Import"))
        self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("Load Mapping…"))
        self.setButtonText(QWizard.WizardButton.CustomButton2, self.tr("Save Mapping…"))
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton2, True)
        self.customButtonClicked.connect(self._custom)
        self.currentIdChanged.connect(self._page_changed)
        self._page_changed(FILE_PAGE)
        responsive(True)  # the file is read on the runner while the window stays live
        self.finished.connect(self._closed)
        window.installEventFilter(self)  # the window closing closes the wizard and its thread

    def _closed(self, _result: int) -> None:
        self.runner.stop()
        responsive(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window_ and event.type() == QEvent.Type.Close and self.isVisible():
            self.reject()
        return False

    # -- what the pages share ------------------------------------------------------------

    def path_name(self) -> str:
        return self.preview.source.path.name if self.preview is not None else ""

    def set_source(self, shown: Preview, own: bool) -> None:
        same = self.preview is not None and self.preview.source.headers == shown.source.headers
        self.preview, self.own = shown, own
        if not same or self.mapping is None:
            self.mapping = suggest(shown.source.headers)
        self.survey = None

    def start_survey(self) -> None:
        from ticketdesk.services.importing import plan

        assert self.preview is not None
        assert self.mapping is not None
        from ticketdesk.services.importing import child

        source, mapping = self.preview.source, _copy(self.mapping)
        self._generation += 1
        generation, runner = self._generation, self.runner

        def survey() -> Survey:
            if not child.worth_a_child(source.path):
                return plan.survey(source, mapping)
            found: Survey = child.call(
                plan.survey, source, mapping, pass_progress=False,
                progress=lambda *_: runner.is_current("survey", generation))
            return found

        self.runner.submit("survey", generation, survey)

    def start_check(self, conversations: Path | None = None) -> None:
        from ticketdesk.domain.clock import utc_now
        from ticketdesk.services.importing import check, child

        assert self.preview is not None
        assert self.mapping is not None
        source, mapping = self.preview.source, _copy(self.mapping)
        self._generation += 1
        generation, runner = self._generation, self.runner

        def still_wanted(_done: int, _total: int, _phase: str) -> bool:
            return runner.is_current("check", generation)  # Back, Cancel: stop reading

        def dry_run() -> Report:
            options: dict[str, Any] = {"now": utc_now(), "timezone": mapping.timezone,
                                       "conversations": conversations,
                                       "progress": still_wanted}
            if not child.worth_a_child(source.path):
                return check.dry_run(source, mapping, **options)
            report: Report = child.call(check.dry_run, source, mapping, **options)
            return report

        self.runner.submit("check", generation, dry_run)

    def _answered(self, channel: str, generation: int, result: object) -> None:
        if channel == "preview":
            self.file_page.previewed(generation, result)  # type: ignore[arg-type]
        elif channel == "fields":
            self.custom_names = list(result)  # type: ignore[call-overload]
        elif channel == "survey" and generation == self._generation:
            self.survey = result  # type: ignore[assignment]
            self.values_page.surveyed()
        elif channel == "check" and generation == self._generation:
            self.report = result  # type: ignore[assignment]
            self.check_page.checked(result)  # type: ignore[arg-type]

    def _refused(self, channel: str, generation: int, error: object) -> None:
        if channel == "preview":
            self.file_page.refused(generation, error)
            return
        text = str(error) if isinstance(error, ValidationError) else self.tr(
            "Something went wrong: {0}").format(error)
        if channel == "survey":
            self.values_page.note.setText(text)
        else:
            self.check_page.summary.setText(text)

    def _page_changed(self, page_id: int) -> None:
        mapped = page_id in (COLUMNS_PAGE, VALUES_PAGE, TIMES_PAGE, CHECK_PAGE) and not self.own
        for which in (QWizard.WizardButton.CustomButton1, QWizard.WizardButton.CustomButton2):
            button = self.button(which)
            button.setVisible(mapped)
        self.button(QWizard.WizardButton.CustomButton1).setEnabled(page_id == COLUMNS_PAGE)

    # -- presets -------------------------------------------------------------------------

    def _custom(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            name, _ = QFileDialog.getOpenFileName(self, self.tr("Load mapping"),
                                                  str(Path.home()),
                                                  self.tr("Mappings (*.json);;All files (*)"))
            if name:
                self.load_preset(Path(name))
        else:
            name, _ = QFileDialog.getSaveFileName(self, self.tr("Save mapping"),
                                                  str(Path.home() / "mapping.json"),
                                                  self.tr("Mappings (*.json)"))
            if name:
                self.save_preset(Path(name))

    def load_preset(self, path: Path) -> None:
        """Read a preset on the runner's thread and show it on the Columns page."""
        headers = list(self.preview.source.headers) if self.preview is not None else []

        def read() -> Mapping:
            try:
                mapping = Mapping.from_json(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ValidationError(f"Cannot read {path}: {exc.strerror}.") from None
            missing = [h for h in mapping.columns if h not in headers]
            if missing:
                raise ValidationError(f"The mapping names column(s) the file does not have: "
                                      f"{', '.join(map(repr, missing))}.")
            for header in headers:
                mapping.columns.setdefault(header, IGNORE)
            return mapping

        self._run_then("preset", read, self._preset_loaded)

    def _preset_loaded(self, mapping: object) -> None:
        assert isinstance(mapping, Mapping)
        self.mapping = mapping
        self.survey = None
        self.columns_page.show_mapping()

    def save_preset(self, path: Path) -> None:
        """Write the mapping as chosen so far (the current page's choices included)."""
        page = self.currentPage()
        if isinstance(page, ColumnsPage | ValuesPage | TimesPage) and not page.validatePage():
            return
        assert self.mapping is not None
        text = self.mapping.to_json()

        def write() -> Path:
            try:
                path.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise ValidationError(f"Cannot write {path}: {exc.strerror}.") from None
            return path

        self._run_then("preset", write, lambda _p: self.window_.statusBar().showMessage(
            self.tr("Saved the mapping to {0}.").format(path), 10_000))

    def _run_then(self, channel: str, fn: Callable[[], object],
                  then: Callable[[object], None]) -> None:
        self._generation += 1
        generation = self._generation

        def answered(ch: str, gen: int, result: object) -> None:
            if ch == channel and gen == generation:
                self.runner.finished.disconnect(answered)
                then(result)

        def refused(ch: str, gen: int, error: object) -> None:
            if ch == channel and gen == generation:
                self.runner.failed.disconnect(refused)
                self.columns_page.error.setText(str(error))

        self.runner.finished.connect(answered)
        self.runner.failed.connect(refused)
        self.runner.submit(channel, generation, fn)

    # -- the import ----------------------------------------------------------------------

    def accept(self) -> None:
        """Import: the wizard closes and the import runs behind its progress dialog."""
        from ticketdesk.ui.importing import TicketImport, foreign_job

        assert self.preview is not None
        source = self.preview.source
        if self.own:
            self.job = TicketImport(self.window_, source.path)
        else:
            assert self.mapping is not None
            page = self.check_page
            self.job = TicketImport(self.window_, source.path, foreign_job(
                self.window_, source, _copy(self.mapping), system=page.system.text().strip(),
                conversations=page.conversations_path(), route=page.route.isChecked()))
        super().accept()
        self.job.start(skip_bad_rows=self.check_page.skip.isChecked())


def _copy(mapping: Mapping) -> Mapping:
    """A copy for another thread (the pages go on changing theirs)."""
    return copy.deepcopy(mapping)


def open_wizard(window: MainWindow) -> ImportWizard:
    wizard = ImportWizard(window)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    wizard.open()
    return wizard
