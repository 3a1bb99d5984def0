"""Showing untrusted text safely, and times in the user's locale.

Everything a customer or agent typed is shown as plain text. Qt guesses "rich text" for tooltips
and labels whose text looks like HTML, so text from the database never goes into one unescaped.
"""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain_tooltip(text: str, limit: int = 600) -> str:
    """A tooltip that shows `text` literally (Qt would render HTML in a tooltip)."""
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return "<p style='white-space:pre-wrap'>" + html.escape(shown) + "</p>"


def plain_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    """A message box that shows `text` literally. QMessageBox's static helpers guess rich text,
    and a message can quote anything a user typed or a path held."""
    box = QMessageBox(icon, title, "", QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    return box


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def compact_time(epoch: int | None, now: QDateTime | None = None) -> str:
    """A short local time for a table cell: "14:05" today, "Nov 19, 14:05" this year, the
    date alone before that (the cell's tooltip gives the full time)."""
    if epoch is None:
        return ""
    return CompactTimes(now).text(int(epoch))


class CompactTimes:
    """`compact_time` for many cells at once: the locale, today and this year are looked up
    once, not once a cell (a page of the ticket list formats 600 times)."""

    def __init__(self, now: QDateTime | None = None) -> None:
        current = now or QDateTime.currentDateTime()
        self.locale = QLocale()
        self.today = current.date()
        self.year = self.today.year()
        self.made = time.monotonic()

    def fresh(self) -> bool:
        """Whether "today" may still be trusted (re-made every half minute, so midnight
        turns "14:05" into "Nov 19, 14:05" on the next paint)."""
        return time.monotonic() - self.made < 30.0

    def text(self, epoch: int) -> str:
        moment = QDateTime.fromSecsSinceEpoch(epoch)
        day = moment.date()
        if day == self.today:
            return self.locale.toString(moment.time(), "HH:mm")
        if day.year() == self.year:
            return self.locale.toString(moment, "MMM d, HH:mm")
        return local_time(epoch, with_time=False)


def local_time(epoch: int | None, *, with_time: bool = True) -> str:
    """A UTC instant in the user's local time zone and locale short format; "" for none."""
    if epoch is None:
        return ""
    moment = QDateTime.fromSecsSinceEpoch(int(epoch))
    locale = QLocale()
    if locale.language() == QLocale.Language.C:  # no locale set: ISO reads best
        return moment.toString("yyyy-MM-dd HH:mm" if with_time else "yyyy-MM-dd")
    if with_time:
        return locale.toString(moment, QLocale.FormatType.ShortFormat)
    return locale.toString(moment.date(), QLocale.FormatType.ShortFormat)
