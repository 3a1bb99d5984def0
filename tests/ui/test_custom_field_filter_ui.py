"""The filter bar's Fields menu on text, number and date fields (issue 19), as a user drives it:
the menu lists every field; choosing "Seats…" opens a small dialog; a bad number is refused
there with a clear message and the list does not change; a good condition filters the list
(first page, count and snapshot agree), shows on the Fields button, comes back from a saved
view's filter, and Clear removes it. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests.ui.conftest import wait_listed
from tests.ui.test_main_window import subjects
from ticketdesk.db.store import open_database
from ticketdesk.domain.field_conditions import FieldOp
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.services import custom_fields, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.field_filter import FieldConditionDialog
from ticketdesk.ui.main_window import MainWindow


@pytest.fixture
def desk(db_url: str) -> str:
    store = open_database(db_url)
    try:
        system = Session(store, None)
        seats, _ = custom_fields.add_field(system, "Seats", "number")
        notes, _ = custom_fields.add_field(system, "Notes", "text")
        custom_fields.add_field(system, "Plan", "list", "Basic\nPro")
        for subject, value, note in (("Nine seats", "9", "50% off"), ("Ten seats", "10", ""),
                                     ("Hundred seats", "100", "printer")):
            tid = tickets.create_ticket(system, subject=subject).new_id
            custom_fields.set_values(system, tid, 1, {seats: value, notes: note})
    finally:
        store.close()
    return db_url


def open_condition(qtbot, window: MainWindow, name: str) -> FieldConditionDialog:
    button = window.filter_bar.fields
    qtbot.waitUntil(lambda: any(a.text().startswith(name) and a.text().endswith("…")
                                for a in button.menu_.actions()), timeout=5000)
    next(a for a in button.menu_.actions() if a.text().startswith(name)).trigger()
    dialog = button.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    return dialog


def choose(dialog: FieldConditionDialog, op: FieldOp) -> None:
    dialog.op.setCurrentIndex(dialog.op.findData(op))


def ok(qtbot, dialog: FieldConditionDialog) -> None:
    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_number_condition_from_the_fields_menu(desk: str, window: MainWindow,
                                                 qtbot) -> None:
    wait_listed(qtbot, window)
    bar = window.filter_bar
    qtbot.waitUntil(lambda: "Notes…" in [a.text() for a in bar.fields.menu_.actions()],
                    timeout=5000)
    labels = [a.text() for a in bar.fields.menu_.actions() if a.text()]
    assert labels == ["Plan: Basic", "Plan: Pro", "Seats…", "Notes…"]

    dialog = open_condition(qtbot, window, "Seats")
    choose(dialog, FieldOp.GE)
    qtbot.keyClicks(dialog.value, "ten")
    ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert "Seats: 'ten' is not a number" in dialog.error.text()
    assert bar.current_filter().field_conditions == ()
    assert sorted(subjects(window)) == ["Hundred seats", "Nine seats", "Ten seats"]

    dialog.value.clear()
    qtbot.keyClicks(dialog.value, "10")
    ok(qtbot, dialog)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: sorted(subjects(window)) == ["Hundred seats", "Ten seats"],
                    timeout=5000)
    wait_listed(qtbot, window)
    assert window.model.matching == 2  # the count and the snapshot agree with the first page
    assert bar.fields.text() == "Fields: Seats ≥ 10"
    assert bar.clear_button.isEnabled()

    assert "Seats ≥ 10…" in [a.text() for a in bar.fields.menu_.actions()]
    dialog = open_condition(qtbot, window, "Seats")  # change it
    assert dialog.value.text() == "10"
    choose(dialog, FieldOp.BETWEEN)
    dialog.value.setText("9")
    qtbot.keyClicks(dialog.upto, "9.5")
    ok(qtbot, dialog)
    qtbot.waitUntil(lambda: subjects(window) == ["Nine seats"], timeout=5000)
    assert bar.fields.text() == "Fields: Seats between 9 and 9.5"

    bar.clear()
    qtbot.waitUntil(lambda: len(subjects(window)) == 3, timeout=5000)
    assert bar.fields.text() == "Fields"
    assert bar.current_filter() == TicketFilter()


def test_a_text_condition_and_a_saved_views_filter(desk: str, window: MainWindow,
                                                   qtbot) -> None:
    wait_listed(qtbot, window)
    dialog = open_condition(qtbot, window, "Notes")
    qtbot.keyClicks(dialog.value, "50%")
    ok(qtbot, dialog)
    qtbot.waitUntil(lambda: subjects(window) == ["Nine seats"], timeout=5000)
    saved = window.filter_bar.current_filter()

    dialog = open_condition(qtbot, window, "Notes")
    choose(dialog, FieldOp.EMPTY)
    assert not dialog.value.isVisible()
    ok(qtbot, dialog)
    qtbot.waitUntil(lambda: subjects(window) == ["Ten seats"], timeout=5000)

    window.filter_bar.apply(saved)  # what opening a saved view does
    qtbot.waitUntil(lambda: subjects(window) == ["Nine seats"], timeout=5000)
    assert window.filter_bar.fields.text() == "Fields: Notes contains “50%”"
    dialog = open_condition(qtbot, window, "Notes")
    qtbot.mouseClick(dialog.remove, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(subjects(window)) == 3, timeout=5000)
    assert window.filter_bar.current_filter().field_conditions == ()


def test_a_saved_view_brings_the_condition_back(desk: str, window: MainWindow, qtbot) -> None:
    from tests.ui.test_saved_views_ui import click_view, key_of, save_view_by_keys

    wait_listed(qtbot, window)
    dialog = open_condition(qtbot, window, "Seats")
    choose(dialog, FieldOp.LT)
    qtbot.keyClicks(dialog.value, "10")
    ok(qtbot, dialog)
    qtbot.waitUntil(lambda: subjects(window) == ["Nine seats"], timeout=5000)
    save_view_by_keys(qtbot, window, "Small")
    window.filter_bar.clear()
    qtbot.waitUntil(lambda: len(subjects(window)) == 3, timeout=5000)
    click_view(qtbot, window.views, key_of(window, "Small"))
    qtbot.waitUntil(lambda: subjects(window) == ["Nine seats"], timeout=5000)
    assert window.filter_bar.fields.text() == "Fields: Seats < 10"


def test_the_condition_dialog_gives_each_access_key_one_owner(window: MainWindow) -> None:
    from tests.ui.mnemonics import duplicates, window_keys
    from ticketdesk.domain.custom_fields import FieldDef, FieldKind
    from ticketdesk.domain.field_conditions import FieldCondition

    dialog = FieldConditionDialog(FieldDef(1, "Seats", FieldKind.NUMBER), FieldCondition(
        1, FieldOp.BETWEEN, FieldKind.NUMBER, "1", "2"), window)
    dialog.show()
    try:
        assert duplicates(window_keys(dialog)) == {}
    finally:
        dialog.reject()
