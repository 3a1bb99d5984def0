"""Desk ▸ Tags…, Categories… and Custom Fields… driven as a user does (issue 19): the lists
with counts, rename / merge / delete / colour as long jobs, deleting a tag in use asks first
with the count, the ticket list follows, and nothing is read on the GUI thread. On SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import answer_modal, wait_listed
from tests.ui.test_window_never_waits import Guard
from ticketdesk.db.store import open_database
from ticketdesk.services import categories, custom_fields, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.categories_dialog import CategoriesDialog
from ticketdesk.ui.custom_fields_dialog import CustomFieldsDialog, FieldEditor
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.record_list_dialog import ListEntry, RecordListDialog, RecordListModel
from ticketdesk.ui.tags_dialog import TagsDialog


@pytest.fixture
def session(db_url: str) -> Any:
    store = open_database(db_url)
    system = Session(store, None)
    tickets.create_ticket(system, subject="One", tags=["biling", "vip"], category="Invoices")
    tickets.create_ticket(system, subject="Two", tags=["biling"], category="Billing")
    tickets.create_ticket(system, subject="Three", tags=["vip"])
    yield system
    store.close()


def _open(qtbot, kind: type[RecordListDialog], session: Session,
          heard: list[object] | None = None) -> Any:
    dialog = kind(session, (heard if heard is not None else []).append)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.model.rowCount() > 0, timeout=5000)
    return dialog


def _select(dialog: RecordListDialog, name: str) -> None:
    row = next(i for i, e in enumerate(dialog.model.entries) if e.name == name)
    dialog.table.selectRow(row)


def _names(dialog: RecordListDialog) -> dict[str, int]:
    return {e.name: e.tickets for e in dialog.model.entries}


def _type(text: str) -> Callable[[Any], None]:
    def act(box: Any) -> None:
        box.setTextValue(text)
        box.accept()
    return act


def _wait_done(qtbot, dialog: RecordListDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy and dialog.isEnabled(), timeout=10_000)


def test_the_tags_dialog_lists_counts_and_renames_on_every_ticket(qtbot, session: Session,
                                                                 ) -> None:
    heard: list[object] = []
    dialog = _open(qtbot, TagsDialog, session, heard)
    assert _names(dialog) == {"biling": 2, "vip": 2}
    _select(dialog, "biling")
    answer_modal(_type("Billing"))
    dialog.rename_button.click()
    _wait_done(qtbot, dialog)
    qtbot.waitUntil(lambda: _names(dialog) == {"billing": 2, "vip": 2}, timeout=5000)
    assert "Renamed" in dialog.note.text()
    assert heard
    assert sorted(tickets.get_ticket(1).tags) == ["billing", "vip"]


def test_deleting_a_tag_in_use_asks_first_with_the_count(qtbot, session: Session) -> None:
    dialog = _open(qtbot, TagsDialog, session)
    _select(dialog, "vip")
    asked: list[str] = []

    def answer(no: bool) -> Callable[[Any], None]:
        def act(box: Any) -> None:
            asked.append(box.text())
            box.button(QMessageBox.StandardButton.No if no
                       else QMessageBox.StandardButton.Yes).click()
        return act

    answer_modal(answer(no=True))
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert "on 2 tickets" in asked[0]
    assert _names(dialog)["vip"] == 2
    answer_modal(answer(no=False))
    dialog.delete_button.click()
    _wait_done(qtbot, dialog)
    qtbot.waitUntil(lambda: "vip" not in _names(dialog), timeout=5000)
    assert tickets.get_ticket(3).tags == ()


def test_merging_and_colouring_tags(qtbot, session: Session,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = _open(qtbot, TagsDialog, session)
    monkeypatch.setattr(dialog, "ask_colour", lambda _current: "#aa0000")
    _select(dialog, "vip")
    dialog.color_button.click()
    _wait_done(qtbot, dialog)
    qtbot.waitUntil(lambda: any(e.color == "#aa0000" for e in dialog.model.entries),
                    timeout=5000)
    _select(dialog, "biling")
    answer_modal(lambda box: (box.setTextValue("vip"), box.accept()))
    dialog.merge_button.click()
    _wait_done(qtbot, dialog)
    qtbot.waitUntil(lambda: _names(dialog) == {"vip": 3}, timeout=5000)


def test_the_categories_dialog_adds_renames_and_merges(qtbot, session: Session) -> None:
    dialog = _open(qtbot, CategoriesDialog, session)
    assert _names(dialog) == {"Billing": 1, "Invoices": 1}
    answer_modal(_type("Shipping"))
    dialog.new_button.click()
    _wait_done(qtbot, dialog)
    qtbot.waitUntil(lambda: "Shipping" in _names(dialog), timeout=5000)
    _select(dialog, "Invoices")
    answer_modal(lambda box: (box.setTextValue("Billing"), box.accept()))
    dialog.merge_button.click()
    _wait_done(qtbot, dialog)
    qtbot.waitUntil(lambda: _names(dialog) == {"Billing": 2, "Shipping": 0}, timeout=5000)
    assert tickets.get_ticket(1).category == "Billing"
    assert categories.category_names(session) == ["Billing", "Shipping"]


def test_the_custom_fields_dialog_adds_a_field(qtbot, session: Session,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    custom_fields.add_field(session, "Seats", "number")
    dialog = _open(qtbot, CustomFieldsDialog, session)

    def fill(editor: FieldEditor) -> bool:
        editor.name.setText("Plan")
        editor.kind.setCurrentIndex(3)  # List
        editor.choices.setPlainText("Basic\nPro")
        return True

    monkeypatch.setattr(dialog, "open_editor", fill)
    dialog.add()
    _wait_done(qtbot, dialog)
    qtbot.waitUntil(lambda: "Plan" in _names(dialog), timeout=5000)
    plan = next(f for f in custom_fields.list_fields(session) if f.name == "Plan")
    assert plan.options == ("Basic", "Pro")


def test_the_menu_opens_the_tags_dialog(window: MainWindow, qtbot) -> None:
    wait_listed(qtbot, window)
    seen: list[str] = []
    answer_modal(lambda d: (seen.append(d.objectName()), d.reject()))
    window.tags_action.trigger()  # type: ignore[attr-defined]
    assert seen == ["tagsDialog"]


def test_the_record_dialogs_read_and_write_off_the_gui_thread(
        qtbot, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    guard = Guard(monkeypatch)
    guard.install(session.store)
    guard.armed = True
    for kind in (TagsDialog, CategoriesDialog, CustomFieldsDialog):
        if kind is CustomFieldsDialog:
            guard.armed = False
            custom_fields.add_field(session, "Seats", "number")
            guard.armed = True
        dialog = _open(qtbot, kind, session)
        dialog.table.selectRow(0)
        if isinstance(dialog, TagsDialog):
            answer_modal(_type("renamed"))
            dialog.rename()
            _wait_done(qtbot, dialog)
        dialog.close()
    guard.armed = False
    assert guard.seen == []


def test_the_list_model_passes_qts_model_tester(qtbot) -> None:
    model = RecordListModel("Kind")
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_entries([ListEntry(1, "a", 3, "#ff0000", "Text"), ListEntry(2, "b", 0)])
    assert model.rowCount() == 2
    model.set_entries([])
    assert model.columnCount() == 3



def test_the_ticket_list_and_the_dock_follow_a_rename(qtbot, session: Session,
                                                     open_window) -> None:
    from tests.ui.dock_support import open_ticket
    from ticketdesk.ui.ticket_model import COL_TAGS

    window = open_window()
    dock = open_ticket(qtbot, window, 1)
    assert "biling" in dock.detail_tab.tags.texts()
    dialog = _open(qtbot, TagsDialog, window.session)
    dialog.announce = lambda changes: window.hub.announce(changes, window)
    _select(dialog, "biling")
    answer_modal(_type("billing"))
    dialog.rename_button.click()
    _wait_done(qtbot, dialog)
    row = window.model.row_of(1)
    assert row is not None
    qtbot.waitUntil(lambda: window.model.data(window.model.index(row, COL_TAGS))
                    == "billing, vip", timeout=5000)
    qtbot.waitUntil(lambda: "billing" in dock.detail_tab.tags.texts(), timeout=5000)
