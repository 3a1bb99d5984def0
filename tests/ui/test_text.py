"""Times and untrusted text as the widgets show them."""

from __future__ import annotations

from PySide6.QtCore import QDate, QDateTime, QTime

from ticketdesk.ui.text import compact_time, plain_tooltip


def _epoch(y: int, mo: int, d: int, h: int, mi: int) -> int:
    return QDateTime(QDate(y, mo, d), QTime(h, mi)).toSecsSinceEpoch()


def test_compact_time_shows_only_the_time_today(qapp) -> None:
    now = QDateTime(QDate(2026, 11, 21), QTime(15, 0))
    assert compact_time(_epoch(2026, 11, 21, 9, 5), now) == "09:05"


def test_compact_time_shows_month_and_day_this_year(qapp) -> None:
    now = QDateTime(QDate(2026, 11, 21), QTime(15, 0))
    assert compact_time(_epoch(2026, 3, 4, 14, 30), now) == "Mar 4, 14:30"


def test_compact_time_shows_the_date_before_this_year(qapp) -> None:
    now = QDateTime(QDate(2026, 11, 21), QTime(15, 0))
    assert compact_time(_epoch(2025, 12, 31, 23, 59), now) == "2025-12-31"


def test_tooltip_shows_html_literally() -> None:
    tip = plain_tooltip('<img src="http://127.0.0.1:1/x.png">')
    assert "<img" not in tip
    assert "&lt;img" in tip
