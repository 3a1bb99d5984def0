"""Times for long lists (500 messages, a long activity trail): `text.local_time`'s format, with
the locale looked up once per list instead of once per row."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDateTime, QLocale


def time_formatter() -> Callable[[int], str]:
    """A function from UTC epoch seconds to local time, as `text.local_time` shows it."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:  # no locale set: ISO reads best
        return lambda epoch: QDateTime.fromSecsSinceEpoch(epoch).toString("yyyy-MM-dd HH:mm")
    short = QLocale.FormatType.ShortFormat
    return lambda epoch: locale.toString(QDateTime.fromSecsSinceEpoch(epoch), short)
