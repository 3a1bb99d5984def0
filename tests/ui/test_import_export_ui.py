"""File ▸ Export Tickets… and File ▸ Import Tickets… as a team moving its desk uses them: export
from one desk, import into a new one from its start page through the wizard (which recognises
ticketdesk's own export and goes straight to its Check page), and a file with bad rows, where the
window lists them and the user chooses between importing nothing and importing the good rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton, QWizard

from tests.ui.conftest import wait_listed
from tests.ui.test_main_window import SUBJECTS, seed
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.status import Status
from ticketdesk.services import audit, tickets
from ticketdesk.ui.import_pages import CHECK_PAGE
from ticketdesk.ui.import_wizard import ImportWizard
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.ticket_model import COL_NUMBER, COL_SUBJECT

Seen = list[dict[str, str]]


def answer_box(name: str, act: Callable[[QMessageBox], None], seen: Seen) -> None:
    """When the message box called `name` is the modal one, note what it says and act on it."""
    def attempt() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.objectName() != name:
            QTimer.singleShot(10, attempt)
            return
        seen.append({"text": box.text(), "informative": box.informativeText(),
                     "details": box.detailedText()})
        act(box)

    QTimer.singleShot(0, attempt)


def click_ok(box: QMessageBox) -> None:
    box.button(QMessageBox.StandardButton.Ok).click()


def click_cancel(box: QMessageBox) -> None:
    box.button(QMessageBox.StandardButton.Cancel).click()


def click_import_good_rows(box: QMessageBox) -> None:
    button = box.findChild(QPushButton, "importGoodRowsButton")
    assert button is not None
    button.click()


def choose_file(monkeypatch, method: str, path: Path) -> None:
    """The file dialog answers `path`, as if the user had picked it."""
    monkeypatch.setattr(QFileDialog, method,
                        staticmethod(lambda *_a, **_k: (str(path), "CSV files (*.csv)")))


def own_export_through_wizard(qtbot, window: MainWindow, open_it: Callable[[], object]
                              ) -> ImportWizard:
    """Open the wizard (`open_it`: the menu or the start page's button), pick the file with
    Browse… (the file dialog answers what `choose_file` set), check that it is recognised as
    ticketdesk's own export (Next goes straight to Check) and press Import."""
    open_it()
    wizard = window.findChildren(ImportWizard)[-1]
    qtbot.waitUntil(wizard.isVisible, timeout=5000)
    wizard.file_page.findChild(QPushButton, "importBrowse").click()
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.waitUntil(next_button.isEnabled, timeout=10_000)
    assert "ticketdesk's own export" in wizard.file_page.format_label.text()
    next_button.click()
    assert wizard.currentId() == CHECK_PAGE
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    qtbot.waitUntil(finish.isEnabled, timeout=10_000)
    finish.click()
    return wizard


def listed(qtbot, window: MainWindow, rows: int) -> None:
    """Wait until the list shows `rows` rows with their text (pages arrive off the GUI thread)."""
    model = window.model
    qtbot.waitUntil(lambda: model.rowCount() == rows and all(
        model.index(r, COL_SUBJECT).data() is not None for r in range(rows)), timeout=5000)


def column(window: MainWindow, col: int) -> list[str]:
    model = window.model
    return sorted(model.index(r, col).data(Qt.ItemDataRole.DisplayRole)
                  for r in range(model.rowCount()))


def test_a_desk_exported_from_the_menu_imports_into_a_new_desk_from_its_start_page(
        db_url: str, open_window, qtbot, tmp_path: Path, monkeypatch) -> None:
    source_url = seed(f"sqlite:///{tmp_path / 'source.sqlite'}")
    source = open_window(url=source_url)
    wait_listed(qtbot, source)
    exported = tmp_path / "moving.csv"
    choose_file(monkeypatch, "getSaveFileName", exported)
    source.export_action.trigger()
    qtbot.waitUntil(lambda: "Exported 4 tickets" in source.statusBar().currentMessage(),
                    timeout=10_000)
    source.close()  # one desk open at a time, as in the app

    target = open_window(agent="Carol Clerk")
    wait_listed(qtbot, target)
    assert target.list_stack.currentWidget() is target.empty_state
    choose_file(monkeypatch, "getOpenFileName", exported)
    seen: Seen = []
    answer_box("importSummary", click_ok, seen)
    own_export_through_wizard(qtbot, target, lambda: qtbot.mouseClick(
        target.empty_state.import_button, Qt.MouseButton.LeftButton))
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)

    assert seen[0]["text"] == "Imported 4 ticket(s) from moving.csv."
    assert "2 new customer(s)." in seen[0]["informative"]
    assert "New agents: Alice Agent, Bob Builder." in seen[0]["informative"]
    listed(qtbot, target, 4)
    assert column(target, COL_SUBJECT) == sorted(SUBJECTS)
    assert column(target, COL_NUMBER) == [f"TKT-00000{n}" for n in range(1, 5)]
    refund = tickets.get_ticket(1)
    assert (refund.customer and refund.customer.email) == "jane@example.com"
    assert [a.name for a in refund.assignees] == ["Alice Agent"]
    assert refund.tags == ("billing",)
    assert tickets.get_ticket(4).status is Status.CLOSED
    imported = [a for a in audit.activity_for(1) if a.kind == ActivityKind.IMPORTED.value]
    assert [a.agent for a in imported] == ["Carol Clerk"]


def _write(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_bad_rows_are_listed_and_nothing_is_imported_until_the_user_skips_them(
        db_url: str, window: MainWindow, qtbot, tmp_path: Path, monkeypatch) -> None:
    wait_listed(qtbot, window)
    path = _write(tmp_path / "mixed.csv", "number,subject,status",
                  "TKT-000007,Keyboard missing keys,Open",
                  "TKT-xyz,Bad number,Open",
                  ",Monitor flickers,Sideways",
                  ",Mouse double-clicks,Waiting")
    choose_file(monkeypatch, "getOpenFileName", path)

    seen: Seen = []
    answer_box("importBadRows", click_cancel, seen)
    own_export_through_wizard(qtbot, window, window.import_action.trigger)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen[0]["text"] == ("mixed.csv has 2 row(s) that cannot be imported, so nothing was "
                               "imported. The other 2 row(s) are fine.")
    shown = seen[0]["informative"].splitlines()
    assert shown[0].startswith("line 3: 'TKT-xyz' is not a ticket number")
    assert shown[1].startswith("line 4: Unknown status 'Sideways'")
    assert seen[0]["details"].splitlines() == shown[:2]
    qtbot.wait(100)
    assert tickets.ticket_count() == 0
    assert window.list_stack.currentWidget() is window.empty_state

    seen.clear()
    answer_box("importBadRows", click_import_good_rows, seen)
    answer_box("importSummary", click_ok, seen)
    own_export_through_wizard(qtbot, window, window.import_action.trigger)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    assert seen[1]["text"] == "Imported 2 ticket(s) from mixed.csv."
    assert "2 bad row(s) were left out." in seen[1]["informative"]
    assert seen[1]["details"].splitlines()[0].startswith("line 3: ")
    listed(qtbot, window, 2)
    assert column(window, COL_SUBJECT) == ["Keyboard missing keys", "Mouse double-clicks"]
    assert tickets.get_ticket(7).subject == "Keyboard missing keys"  # its number kept
    assert tickets.ticket_count() == 2


def test_a_file_that_cannot_be_read_as_tickets_is_refused_with_the_reason(
        db_url: str, window: MainWindow, qtbot, tmp_path: Path, monkeypatch) -> None:
    wait_listed(qtbot, window)
    path = _write(tmp_path / "spreadsheet.csv", "subjekt,status", "Printer jam,Open")
    choose_file(monkeypatch, "getOpenFileName", path)
    seen: Seen = []
    answer_box("importRefused", click_ok, seen)
    own_export_through_wizard(qtbot, window, window.import_action.trigger)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen[0]["text"] == "spreadsheet.csv cannot be imported; nothing was imported."
    assert "subjekt" in seen[0]["informative"]
    assert tickets.ticket_count() == 0


def test_choosing_no_file_imports_nothing(db_url: str, window: MainWindow, qtbot,
                                          monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *_a, **_k: ("", "")))
    wizard = window.import_tickets()
    wizard.file_page.findChild(QPushButton, "importBrowse").click()
    qtbot.wait(300)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.reject()
    assert wizard.job is None
    assert tickets.ticket_count() == 0


def test_many_bad_rows_show_the_first_few_and_all_of_them_under_details(
        db_url: str, window: MainWindow, qtbot, tmp_path: Path, monkeypatch) -> None:
    wait_listed(qtbot, window)
    path = _write(tmp_path / "typos.csv", "subject,status", "Fine,Open",
                  *[f"Typo {n},Opne" for n in range(12)])
    choose_file(monkeypatch, "getOpenFileName", path)
    seen: Seen = []
    answer_box("importBadRows", click_cancel, seen)
    own_export_through_wizard(qtbot, window, window.import_action.trigger)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    shown = seen[0]["informative"].splitlines()
    assert [s.split(":")[0] for s in shown[:5]] == [f"line {n}" for n in range(3, 8)]
    assert shown[5] == "… and 7 more (Show Details… lists them all)."
    assert [d.split(":")[0] for d in seen[0]["details"].splitlines()] == [
        f"line {n}" for n in range(3, 15)]
    assert tickets.ticket_count() == 0


def test_the_import_progress_shows_the_file_name_as_plain_text(
        db_url: str, window: MainWindow, qtbot, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QLabel

    wait_listed(qtbot, window)
    name = "<b>bold<img src=x onerror=alert(1)>.csv"
    path = _write(tmp_path / name, "subject", "Printer jam")
    choose_file(monkeypatch, "getOpenFileName", path)
    seen: Seen = []
    answer_box("importSummary", click_ok, seen)
    job = own_export_through_wizard(qtbot, window, window.import_tickets).job
    assert job is not None
    assert job.task is not None
    label = job.task.dialog.findChild(QLabel)
    assert label is not None
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == f"Importing tickets from {name}…"
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen[0]["text"] == f"Imported 1 ticket(s) from {name}."
