"""Saved views in the window (issue 18), driven with keys and clicks: a view saved from the
list brings back its filter, sort and columns; the last view and its sort arrow come back after
a restart; a shared view reaches the other agents of a team desk, a private one does not."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from tests.ui.conftest import answer_modal, wait_listed
from tests.ui.test_main_window import SUBJECTS, _click_header, seed, subjects
from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
from ticketdesk.services import saved_views
from ticketdesk.ui.main_window import MainWindow
from ticketdesk.ui.ticket_model import COL_SUBJECT, COL_TAGS
from ticketdesk.ui.views_panel import SaveViewDialog, ViewsPanel

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def seeded(db_url: str) -> str:
    return seed(db_url)


def save_view_by_keys(qtbot, window: MainWindow, name: str, *, shared: bool = False) -> None:
    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, SaveViewDialog)
        qtbot.keyClicks(dialog.name, name)
        if shared:
            dialog.shared.setChecked(True)
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)

    answer_modal(fill)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL_SHIFT)
    qtbot.waitUntil(lambda: any(v.name == name for v in window.views.views), timeout=5000)


def click_view(qtbot, panel: ViewsPanel, key: str) -> None:
    for i in range(panel.tree.topLevelItemCount()):
        item = panel.tree.topLevelItem(i)
        if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == key:
            rect = panel.tree.visualItemRect(item)
            qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton,
                             pos=QPoint(rect.x() + 5, rect.center().y()))
            return
    raise AssertionError(f"no view {key}")


def key_of(window: MainWindow, name: str) -> str:
    return next(v.key for v in window.views.views if v.name == name)


def test_a_saved_view_brings_back_its_filter_sort_and_columns(seeded: str, window: MainWindow,
                                                              qtbot) -> None:
    wait_listed(qtbot, window)
    window.filter_bar.apply(TicketFilter(tags=frozenset({"billing"})))
    _click_header(qtbot, window, COL_SUBJECT)
    window.table._show_column(COL_TAGS, False)
    qtbot.waitUntil(lambda: subjects(window) == ["Invoice copy needed", "Refund not received"],
                    timeout=3000)
    save_view_by_keys(qtbot, window, "Billing by subject")

    click_view(qtbot, window.views, saved_views.ALL)  # another view: everything, newest first
    qtbot.waitUntil(lambda: len(subjects(window)) == 4, timeout=3000)
    window.table._show_column(COL_TAGS, True)
    click_view(qtbot, window.views, key_of(window, "Billing by subject"))
    qtbot.waitUntil(lambda: subjects(window) == ["Invoice copy needed", "Refund not received"],
                    timeout=3000)
    assert window.filter_bar.current_filter().tags == {"billing"}
    assert window.table.sort == Sort(SortKey.SUBJECT, False)
    assert window.table.horizontalHeader().isSectionHidden(COL_TAGS)
    qtbot.waitUntil(lambda: window.views.counts.get(key_of(window, "Billing by subject")) == 2,
                    timeout=5000)
    assert window.views.counts[saved_views.ALL] == 4


def test_after_a_restart_the_last_view_comes_back_with_a_true_sort_arrow(
        seeded: str, open_window: Callable[..., MainWindow], settings, qtbot) -> None:
    first = open_window()
    wait_listed(qtbot, first)
    first.filter_bar.apply(TicketFilter(tags=frozenset({"billing"})))
    _click_header(qtbot, first, COL_SUBJECT)
    save_view_by_keys(qtbot, first, "Billing")
    key = key_of(first, "Billing")
    click_view(qtbot, first.views, key)
    _click_header(qtbot, first, COL_SUBJECT)  # the list is left sorted Z→A: not the view's
    first.close()

    second = open_window()
    qtbot.waitUntil(lambda: second.views.current_key == key, timeout=5000)
    qtbot.waitUntil(lambda: subjects(second) == ["Invoice copy needed", "Refund not received"],
                    timeout=3000)
    header = second.table.horizontalHeader()
    assert header.sortIndicatorSection() == COL_SUBJECT
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert second.model.ticket_sort == Sort(SortKey.SUBJECT, False)
    second.close()

    settings.remove(next(k for k in settings.allKeys() if k.endswith("last_view")))
    third = open_window()  # no last view: the remembered order, newest first, arrow on Created
    wait_listed(qtbot, third)
    assert sorted(subjects(third)) == sorted(SUBJECTS)


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_shared_view_reaches_the_team_and_a_private_one_does_not(
        seeded: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    alice = open_window("Alice Agent")
    wait_listed(qtbot, alice)
    save_view_by_keys(qtbot, alice, "Team queue", shared=True)
    save_view_by_keys(qtbot, alice, "My notes")
    bob = open_window("Bob Builder")
    qtbot.waitUntil(lambda: len(bob.views.views) > 3, timeout=5000)
    labels = [bob.views.label(v) for v in bob.views.views]
    assert "Team queue (shared)" in labels
    assert not any("My notes" in label for label in labels)
    assert QApplication.activeModalWidget() is None
