"""The Detail tab's satisfaction box (issue 21): the rating of the ticket's current resolution,
the ratings of earlier ones, and a rating the customer gave by phone or chat, recorded by the
agent.

The ratings are read on the dock's query thread each time the ticket is shown
(`services.csat.ratings_of`); recording one is a service call on the dock's write queue
(`services.csat.record`: one per resolution, a second one changes it, each with its activity
row; the ticket's version is left alone). Nothing here touches the database on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ticketdesk.domain.csat import COMMENT_MAX, Rating, Source, rating
from ticketdesk.services.csat import GivenRating
from ticketdesk.ui import role_gate
from ticketdesk.ui.text import local_time, plain_label

GOOD, BAD = "good", "bad"
"""The rating choices that are words, not numbers (item data)."""
SOURCES = (Source.PHONE, Source.CHAT, Source.AGENT)


class CsatBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Satisfaction"), parent)
        self.setObjectName("csatBox")
        self.ratings: list[GivenRating] | None = None
        self.resolved = False
        form = QFormLayout(self)
        self.current = plain_label("—", self)
        self.current.setObjectName("csatCurrent")
        self.current.setWordWrap(True)
        form.addRow(self.tr("Rating:"), self.current)
        self.history = plain_label("", self)
        self.history.setObjectName("csatHistory")
        self.history.setWordWrap(True)
        form.addRow(self.tr("Earlier:"), self.history)
        line = QHBoxLayout()
        self.value = QComboBox(self)
        self.value.setObjectName("csatValue")
        for n in range(5, 0, -1):
            self.value.addItem(str(n), n)
        self.value.addItem(self.tr("Good"), GOOD)
        self.value.addItem(self.tr("Bad"), BAD)
        self.source = QComboBox(self)
        self.source.setObjectName("csatSource")
        words = {Source.PHONE: self.tr("by phone"), Source.CHAT: self.tr("by chat"),
                 Source.AGENT: self.tr("agent's judgement")}
        for source in SOURCES:
            self.source.addItem(words[source], source.value)
        line.addWidget(self.value)
        line.addWidget(self.source, 1)
        form.addRow(self.tr("Given:"), line)
        self.comment = QLineEdit(self)
        self.comment.setObjectName("csatComment")
        self.comment.setMaxLength(COMMENT_MAX)
        self.comment.setPlaceholderText(self.tr("What the customer said (optional)"))
        form.addRow(self.tr("Comment:"), self.comment)
        self.record_button = QPushButton(self.tr("Record rating"), self)
        self.record_button.setObjectName("csatRecord")
        form.addRow("", self.record_button)
        for control in (self.value, self.source, self.comment, self.record_button):
            role_gate.gate(control)  # a viewer reads the ratings, records none

    def chosen(self) -> Rating:
        """The rating the form says (checked: a ValidationError for a comment too long)."""
        data = self.value.currentData()
        comment = self.comment.text()
        if data in (GOOD, BAD):
            return rating(None, good=data == GOOD, comment=comment)
        return rating(int(data), comment=comment)

    def chosen_source(self) -> Source:
        return Source(self.source.currentData())

    def show_resolved(self, resolved: bool) -> None:
        """A ticket that is not resolved has nothing to rate yet."""
        self.resolved = resolved
        role_gate.enable(self.record_button, resolved)
        role_gate.set_tip(self.record_button, "" if resolved else self.tr(
            "A rating rates a resolution: resolve the ticket first."))

    def show_ratings(self, ratings: list[GivenRating] | None) -> None:
        self.ratings = ratings
        if ratings is None:
            self.current.setText("…")
            self.history.setText("")
            return
        current = next((r for r in ratings if r.current), None)
        if current is not None:
            self.current.setText(self._text(current))
        elif self.resolved:
            self.current.setText(self.tr("Not rated"))
        else:
            self.current.setText(self.tr("Not resolved: nothing to rate yet"))
        earlier = [self._text(r) for r in ratings if not r.current]
        self.history.setText("\n".join(earlier) if earlier else "—")

    def _text(self, given: GivenRating) -> str:
        r = given.rating
        text = self.tr("{0} ({1}, {2})").format(r.label, given.source,
                                                local_time(given.updated_at))
        return f"{text}: {r.comment}" if r.comment else text

    def clear_form(self) -> None:
        self.comment.clear()
