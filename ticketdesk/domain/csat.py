"""Customer satisfaction (issue 21): what a rating is, how a customer's reply is read as one, and
what the CSAT figures mean. No I/O.

A rating rates one resolution of a ticket: 1 to 5, or only Good / Bad when that is all the
customer said. "Good" is a rating of 4 or 5 (or the word); the CSAT score is the share of good
ratings among all ratings, the average is over the numeric ratings only (a bare Good / Bad has
no number, and inventing one would move the average).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.search import fold

GOOD_FROM = 4
COMMENT_MAX = 4000


class Source(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"
    AGENT = "agent"

    @classmethod
    def parse(cls, text: str) -> Source:
        clean = text.strip().lower()
        for source in cls:
            if clean == source.value:
                return source
        raise ValidationError(f"Unknown rating source {text!r}. Choose one of: email, phone, "
                              "chat, agent.")


@dataclass(frozen=True)
class Rating:
    rating: int | None
    """1-5; None for a bare Good / Bad."""
    good: bool
    comment: str = ""

    @property
    def label(self) -> str:
        """"4 (good)", "Bad": how the activity shows it."""
        word = "good" if self.good else "bad"
        return f"{self.rating} ({word})" if self.rating is not None else word.capitalize()


def rating(value: int | None, *, good: bool | None = None, comment: str = "") -> Rating:
    """A checked rating: `value` 1-5 (its goodness derived), or None with `good` given."""
    clean = comment.replace("\x00", "").strip()
    if len(clean) > COMMENT_MAX:
        raise ValidationError(f"A rating's comment can be at most {COMMENT_MAX:,} characters.")
    if value is None:
        if good is None:
            raise ValidationError("Give a rating from 1 to 5, or Good or Bad.")
        return Rating(None, good, clean)
    if isinstance(value, bool) or not 1 <= value <= 5:
        raise ValidationError(f"A rating is a number from 1 to 5, not {value!r}.")
    return Rating(value, value >= GOOD_FROM, clean)


# The words a customer may answer with, folded (domain/search.fold: lower case, no accents).
GOOD_WORDS = frozenset({
    "good", "great", "yes", "gut", "ja", "bon", "bien", "oui", "bueno", "buena", "si", "buono",
    "bom", "boa", "sim", "goed", "bra", "god", "godt", "hyva", "dobrze", "dobry", "dobre",
    "tak", "jo", "iyi", "👍",
})
BAD_WORDS = frozenset({
    "bad", "poor", "no", "schlecht", "nein", "mauvais", "mal", "non", "malo", "mala",
    "cattivo", "male", "ruim", "mau", "nao", "slecht", "nee", "dalig", "darlig", "nej",
    "huono", "zle", "zly", "nie", "kotu", "👎",
})
_NUMBER = re.compile(r"^\s*([1-5])(?:\s*(?:/|of|von|sur|de|su|van)\s*5)?"  # "4", "4/5", "4 of 5"
                     r"(?!\d|[.,]\d)\s*[-–—:.,!)]*\s*(.*)$",  # not "45" nor "4.5"
                     re.IGNORECASE)
_FIRST_WORD = re.compile(r"^\s*([^\W\d_]+|👍|👎)\s*[-–—:.,!)]*\s*(.*)$")


def parse_reply(text: str) -> Rating | None:
    """A customer's reply read as a rating: its first non-empty line starts with a number 1-5
    ("4", "4/5", "5 - thanks!") or a Good / Bad word in one of several languages ("Gut",
    "mauvais"); the rest of that line and the lines after, up to the quoted message ("> …",
    "On … wrote:"), are the comment. None when the reply does not start like that."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return None
    first, rest = lines[0], lines[1:]
    number = _NUMBER.match(first)
    value: int | None = None
    good: bool | None = None
    if number:
        value, tail = int(number.group(1)), number.group(2)
    else:
        word = _FIRST_WORD.match(first)
        if not word:
            return None
        folded = fold(word.group(1))
        if folded in GOOD_WORDS:
            good = True
        elif folded in BAD_WORDS:
            good = False
        else:
            return None
        tail = word.group(2)
    kept = [tail] if tail.strip() else []
    for line in rest:
        stripped = line.strip()
        if stripped.startswith(">") or re.match(r"^(on|am|le|el|il|op)\b.*:$", stripped,
                                                re.IGNORECASE) or stripped == "--":
            break
        kept.append(line.rstrip())
    comment = "\n".join(kept).strip()[:COMMENT_MAX]
    return rating(value, good=good, comment=comment)


@dataclass(frozen=True)
class CsatSummary:
    """The CSAT card: how many ratings, how many good, and the numeric ones' sum."""

    ratings: int = 0
    good: int = 0
    numeric: int = 0
    rating_sum: int = 0

    @property
    def bad(self) -> int:
        return self.ratings - self.good

    @property
    def share_good(self) -> float | None:
        """0..1; None without ratings (the app shows "—")."""
        return self.good / self.ratings if self.ratings else None

    @property
    def average(self) -> float | None:
        return self.rating_sum / self.numeric if self.numeric else None


@dataclass(frozen=True)
class CsatDay:
    day: date
    summary: CsatSummary


@dataclass(frozen=True)
class CsatComment:
    ticket_id: int
    rating: Rating
    at: int
    subject: str


@dataclass(frozen=True)
class CsatReport:
    """Every CSAT figure of one period."""

    first_day: date
    last_day: date
    summary: CsatSummary
    daily: tuple[CsatDay, ...]
    by_agent: tuple[tuple[str, CsatSummary], ...]
    by_tag: tuple[tuple[str, CsatSummary], ...]
    by_priority: tuple[tuple[str, CsatSummary], ...]
    comments: tuple[CsatComment, ...]
