"""Status and priority icons stay visible on a selected row."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication, QIcon, QPalette

from ticketdesk.domain.status import Priority, Status
from ticketdesk.ui.icons import priority_icon, status_icon


def _opaque_colours(icon: QIcon, mode: QIcon.Mode) -> set[str]:
    image = icon.pixmap(16, 16, mode).toImage()
    return {image.pixelColor(x, y).name() for x in range(16) for y in range(16)
            if image.pixelColor(x, y).alpha() > 200}


@pytest.mark.parametrize("value", list(Status) + list(Priority))
def test_selected_rows_get_the_icon_in_the_highlighted_text_colour(
        qapp, value: Status | Priority) -> None:
    icon = status_icon(value) if isinstance(value, Status) else priority_icon(value)
    text = QGuiApplication.palette().color(QPalette.ColorRole.HighlightedText).name()
    assert _opaque_colours(icon, QIcon.Mode.Selected) == {text}
    assert _opaque_colours(icon, QIcon.Mode.Normal) != {text}


def test_warm_up_makes_every_list_icon_once(qapp) -> None:
    from ticketdesk.domain.sla import SlaState
    from ticketdesk.ui import icons

    for made in (icons.status_icon, icons.priority_icon, icons.sla_icon):
        made.cache_clear()
    icons.warm_up()
    assert icons.status_icon.cache_info().currsize == len(Status)
    assert icons.priority_icon.cache_info().currsize == len(Priority)
    assert icons.sla_icon.cache_info().currsize == len(SlaState)
    before = icons.status_icon.cache_info().hits
    assert not icons.status_icon(Status.CLOSED).isNull()
    assert icons.status_icon.cache_info().hits == before + 1  # made already, not again
