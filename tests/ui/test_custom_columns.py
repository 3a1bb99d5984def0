"""Custom fields in the ticket list (issue 19): a column per field (hidden until shown from the
column titles' menu), the values of the rows in view read with their page, the filter bar's
Fields menu for list and checkbox fields, and the Category filter. On SQLite and PostgreSQL;
Qt's model tester watches the columns come and go."""

from __future__ import annotations

import pytest
from PySide6.QtTest import QAbstractItemModelTester

from tests.ui.conftest import wait_listed
from tests.ui.test_main_window import subjects
from ticketdesk.db.store import open_database
from ticketdesk.services import custom_fields, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.ticket_model import COLUMNS


@pytest.fixture
def desk(db_url: str) -> str:
    store = open_database(db_url)
    try:
        system = Session(store, None)
        plan, _ = custom_fields.add_field(system, "Plan", "list", "Basic\nPro")
        pro = tickets.create_ticket(system, subject="Pro customer", category="Billing").new_id
        tickets.create_ticket(system, subject="Basic customer", category="Shipping")
        custom_fields.set_values(system, pro, 1, {plan: "Pro"})
    finally:
        store.close()
    return db_url


def _choose(button, label: str) -> None:  # type: ignore[no-untyped-def]
    next(a for a in button.menu_.actions() if a.text() == label).trigger()


def test_custom_fields_are_list_columns_and_filters(desk: str, open_window, qtbot) -> None:
    window = open_window()
    wait_listed(qtbot, window)
    model = window.model
    qtbot.waitUntil(lambda: model.columnCount() == len(COLUMNS) + 1, timeout=5000)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    column = len(COLUMNS)
    header = window.table.horizontalHeader()
    assert header.isSectionHidden(column)
    assert model.headerData(column, header.orientation()) == "Plan"
    header.setSectionHidden(column, False)
    row = model.row_of(1)
    assert row is not None
    qtbot.waitUntil(lambda: model.data(model.index(row, column)) == "Pro", timeout=5000)

    _choose(window.filter_bar.fields, "Plan: Pro")
    qtbot.waitUntil(lambda: subjects(window) == ["Pro customer"], timeout=5000)
    window.filter_bar.clear()
    wait_listed(qtbot, window)
    _choose(window.filter_bar.categories, "Shipping")
    qtbot.waitUntil(lambda: subjects(window) == ["Basic customer"], timeout=5000)

    fields = list(model.custom.fields)
    model.set_custom_fields([])  # the columns go and come back under the tester
    assert model.columnCount() == len(COLUMNS)
    model.set_custom_fields(fields)
    assert model.columnCount() == len(COLUMNS) + 1
    del tester
