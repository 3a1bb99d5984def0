"""Search text: folding, query parsing, and the promise that nothing typed in the search box can
form a syntax error in SQLite FTS5 or PostgreSQL's to_tsquery (run against both engines)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import apsw
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import PG_URL
from ticketdesk.db.migrations import m0001_initial
from ticketdesk.db.postgres_backend import PostgresBackend
from ticketdesk.db.sqlite_backend import SqliteBackend
from ticketdesk.domain.search import MAX_TERMS, SearchQuery, document, fold, parse_query, words

# The engines fixture is module-scoped: sharing it between examples is intended.
FIXTURE_OK = [HealthCheck.function_scoped_fixture]
NASTY = [
    '"', '""', '"""', "'", "''", "\\", "*", "**", ":*", "^", "-", "+", "(", ")", "()", "{}",
    "AND", "OR", "NOT", "NEAR", "NEAR(a b, 2)", "a OR b", "a AND NOT b", "subject:refund",
    "ref : x", "a*b", "!a", "a & b", "a | b", "a <-> b", "a <2> b", "'a':*", "a:*B", "a:A",
    '"unclosed phrase', 'closed" after', "x\x00y", "\u202e", "tab\there", "☃ ☃", "ǅ", "²",
    "ⅷ", "ǈ", "İstanbul", "ﬁle", "日本語のテキスト", "café CAFÉ", "a_b", "_", "0", "00:00",
]


@pytest.mark.parametrize(("typed", "folded"), [
    ("café", "cafe"), ("CAFÉ", "cafe"), ("Café", "cafe"), ("cafe\u0301", "cafe"),
    ("Straße", "strasse"), ("ÅNGSTRÖM", "angstrom"), ("ﬁle", "file"),
    ("plain ascii", "plain ascii"),
])
def test_fold_lowercases_and_strips_accents(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_words_split_on_anything_but_letters_and_digits() -> None:
    assert words("Card-declined: error_42 (visa)!") == ["card", "declined", "error", "42", "visa"]


def test_document_joins_folded_words_of_every_part_skipping_empty_ones() -> None:
    assert document("Café  au lait", None, "", "TKT-000007") == "cafe au lait tkt 000007"


def test_plain_words_must_all_appear_and_the_last_one_is_still_being_typed() -> None:
    assert parse_query("refund Card") == SearchQuery((("refund",), ("card",)), prefix_last=True)


def test_a_trailing_space_ends_the_last_word() -> None:
    assert parse_query("refund card ").prefix_last is False


def test_quoted_text_is_a_phrase_and_a_closing_quote_ends_typing() -> None:
    assert parse_query('"card declined" visa') == SearchQuery(
        (("card", "declined"), ("visa",)), prefix_last=True)
    assert parse_query('visa "card declined"') == SearchQuery(
        (("visa",), ("card", "declined")), prefix_last=False)


def test_an_unclosed_quote_is_a_phrase_up_to_the_end() -> None:
    assert parse_query('visa "card decl') == SearchQuery(
        (("visa",), ("card", "decl")), prefix_last=False)


@pytest.mark.parametrize("typed", ["", "   ", '""', '" "', "!!! ---", "_", "*"])
def test_text_without_words_is_an_empty_query(typed: str) -> None:
    assert parse_query(typed).is_empty


def test_a_query_keeps_at_most_max_terms_and_then_stops_prefix_matching() -> None:
    query = parse_query(" ".join(f"w{i}" for i in range(MAX_TERMS + 5)))
    assert len(query.phrases) == MAX_TERMS
    assert query.phrases[-1] == (f"w{MAX_TERMS - 1}",)
    assert query.prefix_last is False


def test_fts5_and_tsquery_texts_quote_every_word() -> None:
    query = parse_query('"card declined" visa')
    assert query.fts5() == '"card declined" "visa"*'
    assert query.tsquery() == "('card' <-> 'declined') & ('visa':*)"


def test_the_query_folds_like_the_document() -> None:
    assert parse_query("CAFÉ").phrases == parse_query("café").phrases == (("cafe",),)


# -- against the engines ---------------------------------------------------------------------


class Engines:
    """One SQLite FTS5 table built by the real migration DDL, and a PostgreSQL connection."""

    def __init__(self, pg: Any | None) -> None:
        self.sqlite = apsw.Connection(":memory:")
        self.sqlite.execute(m0001_initial.SQLITE_SEARCH)
        self.sqlite_sql = SqliteBackend.search_ids_sql(None, parse_query("x"))[0]  # type: ignore[arg-type]
        self.pg = pg

    def sqlite_finds(self, doc: str, query: SearchQuery) -> bool:
        self.sqlite.execute("DELETE FROM ticket_fts")
        self.sqlite.execute("INSERT INTO ticket_fts (rowid, subject) VALUES (1, ?)", (doc,))
        return self.sqlite.execute(self.sqlite_sql, (query.fts5(),)).fetchall() == [(1,)]

    def pg_finds(self, doc: str, query: SearchQuery) -> bool:
        assert self.pg is not None
        # The same to_tsquery call the backend makes (PostgresBackend.search_ids_sql).
        sql, params = PostgresBackend.search_ids_sql(None, query)  # type: ignore[arg-type]
        assert "to_tsquery('simple', %s)" in sql
        row = self.pg.execute("SELECT to_tsvector('simple', %s) @@ to_tsquery('simple', %s)",
                              (doc, *params)).fetchone()
        return bool(row[0])


@pytest.fixture(scope="module")
def engines() -> Iterator[Engines]:
    if os.environ.get("TICKETDESK_SKIP_PG") == "1":
        yield Engines(None)
        return
    import psycopg

    try:
        pg = psycopg.connect(PG_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {PG_URL} is not reachable ({exc})")
    try:
        yield Engines(pg)
    finally:
        pg.close()


def _check_never_raises(engines: Engines, typed: str) -> None:
    query = parse_query(typed)
    if query.is_empty:
        return
    engines.sqlite_finds("anything at all", query)
    if engines.pg is not None:
        engines.pg_finds("anything at all", query)


@pytest.mark.parametrize("typed", NASTY)
def test_syntax_characters_typed_in_the_search_box_never_raise(engines: Engines,
                                                               typed: str) -> None:
    _check_never_raises(engines, typed)


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE_OK)
@given(typed=st.text(max_size=60))
def test_any_text_gives_a_query_that_never_raises_in_either_engine(engines: Engines,
                                                                   typed: str) -> None:
    _check_never_raises(engines, typed)


_TYPED = st.text(
    alphabet=st.one_of(
        st.characters(categories=["Lu", "Ll", "Nd"]),
        st.sampled_from(' "\'.,-:*()&|!éÉçßøÅ'),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None, suppress_health_check=FIXTURE_OK)
@given(typed=_TYPED)
@example(typed="Café CAFÉ")
@example(typed='"card declined" refu')
@example(typed="TKT-000123")
def test_a_text_is_always_found_by_searching_for_itself(engines: Engines, typed: str) -> None:
    """Whatever a ticket says, typing the same words finds it, in either engine."""
    query = parse_query(typed)
    if query.is_empty:
        return
    doc = document(typed)
    assert engines.sqlite_finds(doc, query), (doc, query.fts5())
    if engines.pg is not None:
        assert engines.pg_finds(doc, query), (doc, query.tsquery())
