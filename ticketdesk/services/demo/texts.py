"""The demo's texts: subjects, descriptions, messages and notes, with their search forms.

Each text is assembled from segments that carry both what people read and how the search index
stores it (`domain.search.document`), so the index is written without re-tokenising millions of
strings: a literal's search form is computed once and cached, and the Zipf word runs are already
in search form (lowercase ASCII). Segments always meet at a space or punctuation, which is what
makes joining their search forms equal to folding the whole text (tests/unit/test_demo.py checks
this on samples of every kind of text).
"""

from __future__ import annotations

import random

import numpy as np

from ticketdesk.domain.search import document
from ticketdesk.services.demo import phrases
from ticketdesk.services.demo.phrases import PLANS, THINGS, TOPICS, Topic
from ticketdesk.services.demo.vocabulary import WORDS, zipf_weights

Segment = tuple[str, str]
"""(text as written, its search form)."""

_FOLDED: dict[str, str] = {}
_WORD_ARRAY = np.array(WORDS, dtype=object)
_WORD_LENGTHS = np.array([len(w) + 1 for w in WORDS], dtype=np.int64)
_WORD_CDF = np.cumsum(zipf_weights(len(WORDS)))
_WORD_CDF[-1] = 1.0


def lit(text: str) -> Segment:
    """A fixed piece of text with its (cached) search form."""
    folded = _FOLDED.get(text)
    if folded is None:
        folded = _FOLDED[text] = document(text)
    return text, folded


def compose(*segments: Segment) -> tuple[str, str]:
    """The text and its search form; empty search forms (punctuation only) are skipped, exactly
    as `document` skips them."""
    return "".join([s[0] for s in segments]), " ".join([s[1] for s in segments if s[1]])


class WordStream:
    """Zipf-distributed words drawn in bulk with numpy and handed out as runs of text.

    One long string holds a block of words; a run is a slice of it, so a run of twenty words
    costs one slice rather than twenty choices and a join.
    """

    BLOCK = 65536

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._text = ""
        self._ends: list[int] = []
        self._pos = 0

    def _refill(self) -> None:
        picks = np.searchsorted(_WORD_CDF, self._rng.random(self.BLOCK), side="right")
        self._text = " ".join(_WORD_ARRAY[picks].tolist()) + " "
        self._ends = np.cumsum(_WORD_LENGTHS[picks]).tolist()
        self._pos = 0

    def run(self, count: int) -> str:
        """`count` words separated by single spaces (their own search form)."""
        if self._pos + count > len(self._ends):
            self._refill()
        start = self._ends[self._pos - 1] if self._pos else 0
        self._pos += count
        return self._text[start:self._ends[self._pos - 1] - 1]


def _pieces(template: str) -> tuple[Segment, Segment, bool]:
    """A template as the literal segments before and after its `{}`, and whether it has one."""
    before, slot, after = template.partition("{}")
    return lit(before), lit(after), bool(slot)


def _options(texts: tuple[str, ...]) -> tuple[Segment, ...]:
    return tuple(lit(t) for t in texts)


def reference(slot: str, fraction: float, number: int, year: int) -> Segment:
    """The order, invoice, error code, plan or thing a ticket is about, with its search form
    (computed directly: "#482913" is searched as "482913", "INV-2025-10433" as "inv 2025
    10433")."""
    if slot == "order":
        digits = str(number % 900000 + 100000)
        return "#" + digits, digits
    if slot == "invoice":
        digits = str(number % 90000 + 10000)
        return f"INV-{year}-{digits}", f"inv {year} {digits}"
    if slot == "error":
        code = str(1000 + int(fraction ** 2.5 * 400))  # a few codes are far more common
        return "E" + code, "e" + code
    if slot == "plan":
        return lit(PLANS[int(fraction * len(PLANS))])
    return lit(THINGS[int(fraction * len(THINGS))])


_NOTHING = ("", "")
_DASH = lit(" – ")


def _framed(texts: tuple[str, ...], before: str = "", after: str = "") -> tuple[Segment, ...]:
    """Phrases with the punctuation or line breaks around them, so a message is built from a
    handful of pieces rather than dozens."""
    return tuple((before + t + after, document(t)) for t in texts)


GREETINGS = _framed(phrases.GREETINGS, after="\n\n")
SIGNOFFS = _framed(phrases.SIGNOFFS, before="\n\n", after="\n")
ACKS = _framed(phrases.ACKS, after=" ")
WORKING = _framed(phrases.WORKING, after=" ")
SOLVED = _framed(phrases.SOLVED, after=" ")
FOLLOW_UPS = _framed(phrases.FOLLOW_UPS, before=". ")
CUSTOMER_LEADS = _framed(phrases.CUSTOMER_LEADS, after=" ")
THANKS = _framed(phrases.THANKS, after="\n\n")
REOPEN_LEADS = _framed(phrases.REOPEN_LEADS, after=" ")
NOTE_LEADS = _framed(phrases.NOTE_LEADS, after=" ")
RESOLUTION_LEADS = _framed(phrases.RESOLUTION_LEADS, after=" ")
INFO_NEEDED = _options(phrases.INFO_NEEDED)
ASKING = tuple(_pieces(t) for t in phrases.ASKING)
# Keyed by id(): a frozen dataclass hashes all its fields on every lookup.
_SUBJECTS = {id(t): tuple(_pieces(s) for s in t.subjects) for t in TOPICS}
_ASKS = {id(t): tuple(_pieces(s) for s in t.asks) for t in TOPICS}


class TextMaker:
    """Writes one chunk's texts from its random generator and word stream."""

    def __init__(self, rng: random.Random, words: WordStream) -> None:
        self._random = rng.random
        self.words = words

    def _pick(self, options: tuple[Segment, ...]) -> Segment:
        return options[int(self._random() * len(options))]

    def _words(self, low: int, high: int) -> str:
        return self.words.run(low + int(self._random() * (high - low + 1)))

    def _run(self, low: int, high: int) -> Segment:
        words = self._words(low, high)
        return words, words

    def subject(self, topic: Topic, ref: Segment) -> tuple[str, str]:
        options = _SUBJECTS[id(topic)]
        before, after, has_slot = options[int(self._random() * len(options))]
        slot = ref if has_slot else _NOTHING
        if self._random() < 0.6:
            return compose(before, slot, after, _DASH, self._run(1, 3))
        return compose(before, slot, after)

    # The texts below are written with f-strings rather than `compose`: they are made millions
    # of times, and each of their search forms is known not to be empty except where filtered.

    def description(self, topic: Topic, ref: Segment, customer: Segment) -> tuple[str, str]:
        options = _ASKS[id(topic)]
        before, after, _ = options[int(self._random() * len(options))]
        greeting, signoff = self._pick(GREETINGS), self._pick(SIGNOFFS)
        words = self.words.run(5 + int(self._random() * 14))
        return (f"{greeting[0]}{before[0]}{ref[0]}{after[0]} {words[:1].upper()}{words[1:]}."
                f"{signoff[0]}{customer[0]}",
                " ".join(filter(None, (greeting[1], before[1], ref[1], after[1], words,
                                       signoff[1], customer[1]))))

    def reply(self, customer: Segment, agent: Segment, kind: str) -> tuple[str, str]:
        """An agent's message: `kind` is "ask" (needs information), "solve" or "work"."""
        ack, signoff = self._pick(ACKS), self._pick(SIGNOFFS)
        if kind == "ask":
            before, after, _ = ASKING[int(self._random() * len(ASKING))]
            info = self._pick(INFO_NEEDED)
            middle = f"{before[0]}{info[0]}{after[0]}"
            folded = " ".join(filter(None, (before[1], info[1], after[1])))
        elif kind == "solve":
            lead, words, end = self._pick(SOLVED), self._words(3, 12), self._pick(FOLLOW_UPS)
            middle = f"{lead[0]}{words}{end[0]}"
            folded = f"{lead[1]} {words} {end[1]}"
        else:
            lead, words = self._pick(WORKING), self._words(3, 12)
            middle = f"{lead[0]}{words}."
            folded = f"{lead[1]} {words}"
        return (f"Hi {customer[0]},\n\n{ack[0]}{middle}{signoff[0]}{agent[0]}",
                f"hi {customer[1]} {ack[1]} {folded} {signoff[1]} {agent[1]}")

    def customer_message(self, customer: Segment, kind: str) -> tuple[str, str]:
        """A customer's message: `kind` is "reply", "thanks" or "reopen"."""
        if kind == "thanks":
            thanks = self._pick(THANKS)
            return f"{thanks[0]}{customer[0]}", f"{thanks[1]} {customer[1]}"
        greeting = self._pick(GREETINGS)
        lead = self._pick(REOPEN_LEADS if kind == "reopen" else CUSTOMER_LEADS)
        words = self._words(3, 12)
        return (f"{greeting[0]}{lead[0]}{words}.\n\n{customer[0]}",
                f"{greeting[1]} {lead[1]} {words} {customer[1]}")

    def note(self) -> tuple[str, str]:
        lead, words = self._pick(NOTE_LEADS), self._words(4, 16)
        return f"{lead[0]}{words}.", f"{lead[1]} {words}"

    def resolution(self) -> tuple[str, str]:
        lead, words = self._pick(RESOLUTION_LEADS), self._words(4, 14)
        return f"{lead[0]}{words}.", f"{lead[1]} {words}"

    def addendum(self, body: tuple[str, str]) -> tuple[str, str]:
        """A note as edited a little later: the old text plus a line."""
        words = self._words(3, 10)
        return f"{body[0]}\n\nUpdate: {words}.", f"{body[1]} update {words}"
