"""Showing untrusted text safely, and times in the user's locale.

Everything a customer or agent typed is shown as plain text. Qt guesses "rich text" for tooltips
and labels whose text looks like HTML, so text from the database never goes into one unescaped.
"""

from __future__ import annotations

import html

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
    moment = QDateTime.fromSecsSinceEpoch(int(epoch))
    current = now or QDateTime.currentDateTime()
    locale = QLocale()
    if moment.date() == current.date():
        return locale.toString(moment.time(), "HH:mm")
    if moment.date().year() == current.date().year():
        return locale.toString(moment, "MMM d, HH:mm")
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
