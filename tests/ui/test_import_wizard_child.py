"""A big file's survey, dry run and import run in a child process (services/importing/child.py),
so the window's process only waits: the wizard shows the same values and check, the import
writes the same tickets (as the window's agent, routed when asked), Cancel leaves the desk as it
was, the window's process never reads the file past its preview, and ticketdesk's own export
(numbers kept, bad rows asked about) goes the same way; on both engines.
`CHILD_MIN_BYTES` is lowered so that the small test files count as big."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.ui.conftest import wait_listed
from tests.ui.test_import_export_ui import (
    Seen,
    _write,
    answer_box,
    click_import_good_rows,
    click_ok,
    own_export_through_wizard,
)
from tests.ui.test_import_export_ui import choose_file as dialog_answers
from tests.ui.test_import_wizard import (
    FILES,
    cancel_an_import,
    choose_file,
    open_wizard,
    press_import,
    press_next,
    to_check_page,
)
from tests.ui.test_import_wizard_routing import add_rule, assigned, old_desk_csv
from ticketdesk.db.models import Activity, Ticket
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.services import tickets
from ticketdesk.services.importing import child, sources
from ticketdesk.ui.import_pages import CHECK_PAGE, COLUMNS_PAGE, TIMES_PAGE, VALUES_PAGE
from ticketdesk.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def every_file_is_big(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child, "CHILD_MIN_BYTES", 0)


def spy_on_children(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions run in child processes, in order."""
    calls: list[str] = []
    real_call = child.call
    monkeypatch.setattr(child, "call", lambda fn, *a, **k: (calls.append(fn.__name__),
                                                            real_call(fn, *a, **k))[1])
    return calls


def test_a_big_file_is_surveyed_checked_and_imported_by_a_child_process(
        window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    wait_listed(qtbot, window)
    calls = spy_on_children(monkeypatch)
    reads: list[str] = []
    real_raw = sources._raw

    def raw(source):  # type: ignore[no-untyped-def]
        reads.append(threading.current_thread().name)
        return real_raw(source)

    monkeypatch.setattr(sources, "_raw", raw)
    wizard = open_wizard(qtbot, window)
    choose_file(qtbot, wizard, FILES / "zendesk_tickets.csv")
    assert reads, "the preview is read here (it is small)"
    reads.clear()
    for page in (COLUMNS_PAGE, VALUES_PAGE, TIMES_PAGE, CHECK_PAGE):
        press_next(qtbot, wizard, page)
    seen: Seen = []
    answer_box("importSummary", click_ok, seen)
    press_import(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(seen), timeout=30_000)
    assert seen[0]["text"].startswith("Imported 4 ticket(s)")
    assert calls == ["survey", "dry_run", "import_at"]
    assert reads == [], "this process read the file beyond its preview"
    assert tickets.ticket_count() == 4
    agent = window.session.agent_id
    assert agent is not None
    rows = Activity.select().where(Activity.kind == ActivityKind.IMPORTED.value)
    assert {r.agent_id for r in rows} == {agent}, "imported as the window's agent"


def test_the_child_routes_when_the_box_is_ticked(
        window: MainWindow, qtbot, tmp_path: Path) -> None:
    add_rule(window)
    wizard = open_wizard(qtbot, window)
    to_check_page(qtbot, wizard, old_desk_csv(tmp_path / "old.csv"))
    wizard.check_page.route.setChecked(True)
    seen: Seen = []
    answer_box("importSummary", click_ok, seen)
    press_import(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(seen), timeout=30_000)
    assert "2 routed to an agent" in seen[0]["informative"]
    assert assigned() == {"Printer jams": ["Ana"], "VPN down": ["Ben"], "Laptop": ["Zed"]}


def test_cancel_stops_the_child_and_leaves_the_desk_as_it_was(
        window: MainWindow, qtbot, tmp_path: Path) -> None:
    cancel_an_import(qtbot, window, tmp_path / "big.csv", timeout=30_000)
    assert Ticket.select().count() == 0
    assert "cancel" in window.statusBar().currentMessage().lower()


def test_ticketdesk_s_own_export_is_imported_by_a_child_and_its_bad_rows_still_ask(
        window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wait_listed(qtbot, window)
    calls = spy_on_children(monkeypatch)
    path = _write(tmp_path / "mixed.csv", "number,subject,status",
                  "TKT-000007,Keyboard missing keys,Open",
                  "TKT-xyz,Bad number,Open",
                  ",Monitor flickers,Sideways",
                  ",Mouse double-clicks,Waiting")
    dialog_answers(monkeypatch, "getOpenFileName", path)
    seen: Seen = []
    answer_box("importBadRows", click_import_good_rows, seen)
    answer_box("importSummary", click_ok, seen)
    own_export_through_wizard(qtbot, window, window.import_action.trigger)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=30_000)
    assert seen[0]["text"] == ("mixed.csv has 2 row(s) that cannot be imported, so nothing was "
                               "imported. The other 2 row(s) are fine.")
    assert seen[1]["text"] == "Imported 2 ticket(s) from mixed.csv."
    assert calls == ["own_import_at", "own_import_at"]
    assert tickets.get_ticket(7).subject == "Keyboard missing keys"  # its number kept
