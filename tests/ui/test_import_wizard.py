"""File ▸ Import Tickets…'s wizard (issue 16), driven as a user clicks it: the file's path, Next,
a combo changed, Import. Another help desk's file imports as `ticketdesk import tickets` imports
it; a column set to Ignore stays empty; an ambiguous date stops on the Times page until the user
says which; Cancel during the import leaves the desk as it was; and the GUI thread never touches
the database or reads the file while the wizard previews, checks and imports."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QWizard

from tests.ui.conftest import wait_listed
from tests.ui.test_import_export_ui import Seen, answer_box, click_ok
from tests.ui.test_window_never_waits import Guard
from ticketdesk.app import main
from ticketdesk.db.models import Customer, Message, Ticket
from ticketdesk.db.store import open_database
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import tickets
from ticketdesk.services.importing import sources
from ticketdesk.ui.import_pages import (
    CHECK_PAGE,
    COLUMNS_PAGE,
    TIMES_PAGE,
    VALUES_PAGE,
    PreviewModel,
)
from ticketdesk.ui.import_wizard import ImportWizard
from ticketdesk.ui.main_window import MainWindow

FILES = Path(__file__).parents[1] / "importing" / "files"
NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton


def open_wizard(qtbot, window: MainWindow) -> ImportWizard:
    """File ▸ Import Tickets…"""
    window.import_action.trigger()
    found = window.findChildren(ImportWizard)
    assert found, "the menu opened no wizard"
    wizard = found[-1]
    qtbot.waitUntil(wizard.isVisible, timeout=5000)
    return wizard


def choose_file(qtbot, wizard: ImportWizard, path: Path) -> None:
    wizard.file_page.path_edit.setText(str(path))
    qtbot.waitUntil(lambda: wizard.button(NEXT).isEnabled(), timeout=10_000)


def press_next(qtbot, wizard: ImportWizard, expected: int) -> None:
    qtbot.waitUntil(lambda: wizard.button(NEXT).isEnabled(), timeout=10_000)
    wizard.button(NEXT).click()
    assert wizard.currentId() == expected


def press_import(qtbot, wizard: ImportWizard) -> None:
    qtbot.waitUntil(lambda: wizard.button(FINISH).isEnabled(), timeout=20_000)
    wizard.button(FINISH).click()


def to_check_page(qtbot, wizard: ImportWizard, path: Path) -> None:
    choose_file(qtbot, wizard, path)
    for page in (COLUMNS_PAGE, VALUES_PAGE, TIMES_PAGE, CHECK_PAGE):
        press_next(qtbot, wizard, page)


def import_through_wizard(qtbot, window: MainWindow, path: Path) -> Seen:
    """Accept every suggestion and import; the summary box's text."""
    wizard = open_wizard(qtbot, window)
    to_check_page(qtbot, wizard, path)
    seen: Seen = []
    answer_box("importSummary", click_ok, seen)
    press_import(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    return seen


def pick(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{combo.objectName()} has no {data!r}"
    combo.setCurrentIndex(index)


def _rows(url: str) -> dict[str, dict[str, Any]]:
    store = open_database(url)
    try:
        return {t["source_id"]: {k: v for k, v in t.items() if k not in ("id", "search_text")}
                for t in Ticket.select().order_by(Ticket.id).dicts()}
    finally:
        store.close()


def test_a_zendesk_csv_imports_with_the_suggestions_as_the_command_line_imports_it(
        db_url: str, window: MainWindow, qtbot, tmp_path: Path) -> None:
    wait_listed(qtbot, window)
    seen = import_through_wizard(qtbot, window, FILES / "zendesk_tickets.csv")
    assert seen[0]["text"] == "Imported 4 ticket(s) from zendesk_tickets.csv."
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=5000)  # the list refreshed

    by_cli = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["import", "tickets", str(FILES / "zendesk_tickets.csv"), "--db", by_cli]) == 0
    wizard_rows = _rows(db_url)
    assert list(wizard_rows) == ["1041", "1042", "1043", "1044"]
    assert wizard_rows == _rows(by_cli)
    solved = wizard_rows["1041"]
    assert (solved["source_system"], solved["status"], solved["priority"]) == (
        "zendesk", Status.RESOLVED, Priority.MEDIUM)


def test_the_file_page_shows_what_was_detected_and_the_first_rows(
        window: MainWindow, qtbot) -> None:
    wizard = open_wizard(qtbot, window)
    choose_file(qtbot, wizard, FILES / "german_tickets_cp1252.csv")
    page = wizard.file_page
    assert page.format_label.text() == "CSV, cp1252, separator ;"
    model = page.model
    assert model.rowCount() >= 1
    headers = [model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(model.columnCount())]
    assert any("ü" in h or "ä" in h or "Betreff" in h for h in headers)
    pick(page.encoding, "utf-8")  # the user says UTF-8: the file is not, and says so
    qtbot.waitUntil(lambda: "not utf-8 text" in page.error.text(), timeout=10_000)
    assert not wizard.button(NEXT).isEnabled()
    pick(page.encoding, "cp1252")
    qtbot.waitUntil(lambda: wizard.button(NEXT).isEnabled(), timeout=10_000)
    wizard.reject()


def test_the_preview_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = PreviewModel()
    model.show(["Id", "Subject"], [["1", "Printer"], ["2", "Mouse"]])
    qtmodeltester.check(model)


def test_a_column_set_to_ignore_leaves_its_field_empty(
        db_url: str, window: MainWindow, qtbot) -> None:
    wait_listed(qtbot, window)
    wizard = open_wizard(qtbot, window)
    choose_file(qtbot, wizard, FILES / "zendesk_tickets.csv")
    press_next(qtbot, wizard, COLUMNS_PAGE)
    combo = wizard.columns_page.combos["Organization"]
    assert combo.currentData() == "customer_company"  # suggested
    pick(combo, "ignore")
    for page in (VALUES_PAGE, TIMES_PAGE, CHECK_PAGE):
        press_next(qtbot, wizard, page)
    seen: Seen = []
    answer_box("importSummary", click_ok, seen)
    press_import(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    assert tickets.ticket_count() == 4
    assert [c for (c,) in Customer.select(Customer.company).tuples() if c] == []


def test_an_ambiguous_date_file_stops_on_the_times_page_until_the_order_is_chosen(
        db_url: str, window: MainWindow, qtbot) -> None:
    wait_listed(qtbot, window)
    wizard = open_wizard(qtbot, window)
    choose_file(qtbot, wizard, FILES / "osticket_tickets.csv")
    for page in (COLUMNS_PAGE, VALUES_PAGE, TIMES_PAGE):
        press_next(qtbot, wizard, page)
    times = wizard.times_page
    assert "Date Created" in times.order_note.text()
    qtbot.wait(50)
    assert not wizard.button(NEXT).isEnabled()
    pick(times.order, "month")
    pick(times.zone, "UTC")
    press_next(qtbot, wizard, CHECK_PAGE)
    seen: Seen = []
    answer_box("importSummary", click_ok, seen)
    press_import(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    website = Ticket.get(Ticket.source_id == "368126")
    assert website.created_at == int(datetime(2026, 3, 4, 9, 12, tzinfo=UTC).timestamp())
    assert website.priority == Priority.URGENT


def _big_csv(path: Path, rows: int) -> Path:
    lines = ["Id,Subject,Status,Priority,Created at"]
    lines += [f"{n},Ticket {n},open,high,2026-03-02 09:15:00 +0100" for n in range(1, rows + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cancel_an_import(qtbot, window: MainWindow, path: Path, timeout: int = 20_000) -> None:
    """Import a 2,000-row file through the wizard and press the progress dialog's Cancel at
    once; returns when the job has ended, having given no result."""
    wait_listed(qtbot, window)
    wizard = open_wizard(qtbot, window)
    to_check_page(qtbot, wizard, _big_csv(path, 2_000))
    press_import(qtbot, wizard)
    job = wizard.job
    assert job is not None
    assert job.task is not None
    failed: list[object] = []
    job.finished.connect(failed.append)
    cancel = job.task.dialog.findChild(QPushButton)
    assert cancel is not None
    cancel.click()  # the progress dialog's Cancel
    qtbot.waitUntil(lambda: bool(failed), timeout=timeout)
    assert failed == [None]


def test_cancel_during_the_import_leaves_the_desk_as_it_was(
        db_url: str, window: MainWindow, qtbot, tmp_path: Path) -> None:
    cancel_an_import(qtbot, window, tmp_path / "big.csv")
    assert tickets.ticket_count() == 0
    assert "cancel" in window.statusBar().currentMessage().lower()


def test_the_gui_thread_neither_queries_nor_reads_the_file_while_the_wizard_works(
        db_url: str, window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    wait_listed(qtbot, window)
    guard = Guard(monkeypatch)
    guard.install(window.store)
    reads: list[str] = []
    real_raw = sources._raw

    def raw(source):  # type: ignore[no-untyped-def]
        reads.append(threading.current_thread().name)
        if threading.current_thread() is threading.main_thread():
            guard.seen.append(f"file read of {source.path.name}")
        return real_raw(source)

    monkeypatch.setattr(sources, "_raw", raw)
    guard.armed = True
    try:
        seen = import_through_wizard(qtbot, window, FILES / "zendesk_tickets.csv")
    finally:
        guard.armed = False
    assert seen[0]["text"].startswith("Imported 4 ticket(s)")
    assert reads, "the guard saw no file read at all"
    assert guard.seen == []


def test_a_saved_mapping_preset_loads_into_another_wizard(
        db_url: str, window: MainWindow, qtbot, tmp_path: Path, monkeypatch) -> None:
    wait_listed(qtbot, window)
    wizard = open_wizard(qtbot, window)
    choose_file(qtbot, wizard, FILES / "zendesk_tickets.csv")
    press_next(qtbot, wizard, COLUMNS_PAGE)
    pick(wizard.columns_page.combos["Group"], "add_as_tag")
    preset = tmp_path / "zendesk.json"
    wizard.save_preset(preset)
    qtbot.waitUntil(preset.exists, timeout=5000)
    wizard.reject()

    again = open_wizard(qtbot, window)
    choose_file(qtbot, again, FILES / "zendesk_tickets.csv")
    press_next(qtbot, again, COLUMNS_PAGE)
    assert again.columns_page.combos["Group"].currentData() == "category"
    again.load_preset(preset)
    qtbot.waitUntil(lambda: again.columns_page.combos["Group"].currentData() == "add_as_tag",
                    timeout=5000)
    again.reject()


def test_closing_the_window_closes_the_wizard_and_ends_its_thread(
        window: MainWindow, qtbot) -> None:
    wizard = open_wizard(qtbot, window)
    choose_file(qtbot, wizard, FILES / "zendesk_tickets.csv")
    window.close()
    assert not wizard.isVisible()
    assert wizard.runner._thread.isFinished()


def test_the_check_page_groups_problems_and_imports_only_when_the_bad_rows_are_left_out(
        db_url: str, window: MainWindow, qtbot, tmp_path: Path) -> None:
    wait_listed(qtbot, window)
    path = tmp_path / "sheet.csv"
    path.write_text("Ticket ID,Title,Status,Created at,Closed at\n"
                    "1,Printer jam,closed,2026-03-02 09:00:00 +00:00,2026-03-03 09:00:00 +00:00\n"
                    "2,Time travel,closed,2026-03-05 09:00:00 +00:00,2026-03-01 09:00:00 +00:00\n"
                    "3,Mouse,open,2026-03-06 09:00:00 +00:00,\n", encoding="utf-8")
    wizard = open_wizard(qtbot, window)
    to_check_page(qtbot, wizard, path)
    problems = wizard.check_page.problems
    qtbot.waitUntil(lambda: problems.topLevelItemCount() > 0, timeout=10_000)
    first = problems.topLevelItem(0)
    assert (first.text(1), first.text(2)) == ("1", "3")  # one ticket, on line 3
    assert not wizard.button(FINISH).isEnabled()
    skip = wizard.check_page.skip
    assert skip.isVisible()
    skip.setChecked(True)
    seen: Seen = []
    answer_box("importSummary", click_ok, seen)
    press_import(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    assert seen[0]["text"] == "Imported 2 ticket(s) from sheet.csv."
    assert "1 bad row(s) were left out." in seen[0]["informative"]
    assert sorted(t.subject for t in Ticket.select()) == ["Mouse", "Printer jam"]


def test_a_conversations_file_chosen_on_the_check_page_adds_the_messages(
        db_url: str, window: MainWindow, qtbot) -> None:
    wait_listed(qtbot, window)
    wizard = open_wizard(qtbot, window)
    to_check_page(qtbot, wizard, FILES / "zendesk_tickets.csv")
    page = wizard.check_page
    assert page.system.text() == "zendesk"
    qtbot.waitUntil(lambda: wizard.report is not None, timeout=10_000)
    page.conversations.setText(str(FILES / "zendesk_comments.csv"))
    page.conversations.editingFinished.emit()
    assert wizard.report is None  # checked again, with the messages
    seen: Seen = []
    answer_box("importSummary", click_ok, seen)
    press_import(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    assert "messages and notes." in seen[0]["informative"]
    printer = Ticket.get(Ticket.source_id == "1041")
    bodies = [m.body for m in Message.select().where(Message.ticket == printer.id)
              .order_by(Message.created_at)]
    assert bodies == ["Which printer model is it?", "The HP LaserJet, 3rd floor."]


def test_a_column_can_become_a_custom_field_in_the_wizard(
        db_url: str, open_window, qtbot) -> None:
    from ticketdesk.services import custom_fields
    from ticketdesk.services.session import Session

    store = open_database(db_url)
    try:
        custom_fields.add_field(Session(store, None), "Org", "text")
    finally:
        store.close()
    window = open_window()
    wait_listed(qtbot, window)
    wizard = open_wizard(qtbot, window)
    qtbot.waitUntil(lambda: wizard.custom_names == ["Org"], timeout=5000)
    choose_file(qtbot, wizard, FILES / "zendesk_tickets.csv")
    press_next(qtbot, wizard, COLUMNS_PAGE)
    combo = wizard.columns_page.combos["Organization"]
    pick(combo, "field:Org")
    assert combo.currentText() == "Field: Org"
    for page in (VALUES_PAGE, TIMES_PAGE, CHECK_PAGE):
        press_next(qtbot, wizard, page)
    seen: Seen = []
    answer_box("importSummary", click_ok, seen)
    press_import(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    session = Session(window.store, None)
    values = [v for t in range(1, 5) for v in custom_fields.ticket_values(session, t).values()]
    assert values
    assert [c for (c,) in Customer.select(Customer.company).tuples() if c] == []
