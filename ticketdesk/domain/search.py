"""Search text: one tokeniser for documents and queries, shared by every database backend.

Documents and queries are folded here (case, accents, punctuation) before they reach SQLite's FTS5
or PostgreSQL's tsvector, so both engines see plain space-separated words and give the same
answers. A query is a list of phrases built only from word characters, so nothing a user types
can form a syntax error in either engine.

Quoted text is a phrase ("card declined"); every other word must appear somewhere in the ticket.
While typing, the last word of three letters or more also matches longer words (`refu` finds
`refund`; `a` would mean every word starting with a, a scan of the whole index), so results appear
as you type; a trailing space ends the word.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 16
MIN_PREFIX = 3


@functools.cache
def _marks() -> dict[int, None]:
    """Every non-spacing mark, as a str.translate table that deletes it; built on first
    non-ASCII text, not at start-up (it takes 0.1 s). (A regex character class of the ~2,000
    marks was 25 times slower: 0.8 ms per note, minutes for a million tickets' documents.)"""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Mn"}


def fold(text: str) -> str:
    """Lower-case, strip accents (café -> cafe); keep everything else."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    # Case-fold again after NFKD: compatibility forms decompose to capitals ("𝗟" -> "L"),
    # which the engines' tokenizers lower-case on their own but a plain comparison would not.
    return unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", folded).casefold()
                                 ).translate(_marks())


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def document(*parts: str | None) -> str:
    """The indexed form of a ticket's texts: folded words separated by single spaces."""
    return " ".join(" ".join(words(p)) for p in parts if p)


@dataclass(frozen=True)
class SearchQuery:
    phrases: tuple[tuple[str, ...], ...]
    prefix_last: bool

    @property
    def is_empty(self) -> bool:
        return not self.phrases

    def fts5(self) -> str:
        """FTS5 MATCH text: each phrase double-quoted (words hold no quotes), ANDed."""
        parts = ['"' + " ".join(p) + '"' for p in self.phrases]
        if self.prefix_last and parts:
            parts[-1] += "*"
        return " ".join(parts)

    def tsquery(self) -> str:
        """PostgreSQL to_tsquery('simple', ...) text: words quoted, phrases joined by <->."""
        parts = [" <-> ".join(f"'{w}'" for w in p) for p in self.phrases]
        if self.prefix_last and parts:
            parts[-1] += ":*"
        return " & ".join(f"({p})" for p in parts)


def parse_query(text: str) -> SearchQuery:
    phrases: list[tuple[str, ...]] = []
    chunks = text.split('"')
    for i, chunk in enumerate(chunks):
        if i % 2:  # inside quotes
            found = tuple(words(chunk))
            if found:
                phrases.append(found)
        else:
            phrases.extend((w,) for w in words(chunk))
    # The last word is still being typed unless a space or a closing quote ended it.
    typing = (bool(phrases) and len(phrases[-1]) == 1 and text[-1:].isalnum()
              and len(phrases[-1][0]) >= MIN_PREFIX)
    if len(phrases) > MAX_TERMS:
        return SearchQuery(tuple(phrases[:MAX_TERMS]), False)
    return SearchQuery(tuple(phrases), typing)
