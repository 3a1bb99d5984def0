"""Fuzzy matching for the command palette: typed letters found in order in a label.

`score("nwtk", "New Ticket…")` is a number (higher is better) or None when the letters do not
all appear in order. Matches at the start of a word and runs of consecutive letters score
higher, and shorter labels win ties, so "nt" ranks "New Ticket" above "Print Settings". Plain
Python over a few hundred labels: well under a millisecond a keystroke. No Qt, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

_WORD_START, _RUN, _FIRST, _GAP = 10, 6, 8, 1


def score(query: str, label: str) -> float | None:
    wanted = "".join(query.lower().split())
    if not wanted:
        return 0.0
    text = label.lower()
    best = _score_from(wanted, text, 0)
    if best is None:
        return None
    return best - len(text) * 0.01


def _score_from(wanted: str, text: str, start: int) -> float | None:
    """Greedy left-to-right, preferring word starts: good enough and linear."""
    total = 0.0
    pos = start
    previous = -2
    for ch in wanted:
        found = -1
        # A word start holding the letter wins over its first plain occurrence.
        plain = text.find(ch, pos)
        if plain < 0:
            return None
        if not _is_word_start(text, plain) and previous != plain - 1:
            index = plain
            while index >= 0:
                if _is_word_start(text, index):
                    found = index
                    break
                index = text.find(ch, index + 1)
        if found < 0:
            found = plain
        if found == 0:
            total += _FIRST
        if _is_word_start(text, found):
            total += _WORD_START
        if found == previous + 1:
            total += _RUN
        total -= (found - pos) * _GAP * 0.1
        previous = found
        pos = found + 1
    return total


def _is_word_start(text: str, index: int) -> bool:
    return index == 0 or not text[index - 1].isalnum()


def rank(query: str, items: Iterable[tuple[str, T]], limit: int = 50) -> list[tuple[str, T]]:
    """The items whose label matches `query`, best first (stable for equal scores)."""
    scored = []
    for order, (label, item) in enumerate(items):
        value = score(query, label)
        if value is not None:
            scored.append((-value, order, label, item))
    scored.sort(key=lambda s: (s[0], s[1]))
    return [(label, item) for _, _, label, item in scored[:limit]]
