"""Issue 13, item 14: PostgreSQL refuses a tsvector past 1 MB, so a ticket with four
300,000-character messages could not be saved, imported or migrated there while SQLite took it.
Only a bounded part of each long text is indexed (`search_index.PART_BYTES`), on every path that
writes the index; the texts themselves are kept whole."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import pg_url
from ticketdesk.app import main
from ticketdesk.db.models import Message, Ticket
from ticketdesk.db.search_index import PART_BYTES, bounded
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.filters import Sort, TicketFilter
from ticketdesk.services import desk_migration as dm
from ticketdesk.services import messages, ticket_list, tickets
from ticketdesk.services.session import Session

LAST_WORD = "zebracrossingfinale"


def _long_message(n: int) -> str:
    """300,000 characters of distinct words (the worst case for a tsvector's size), its first
    word `firstword<n>`, ending with LAST_WORD."""
    words = [f"firstword{n}"]
    size = len(words[0])
    i = 0
    while size < 300_000 - len(LAST_WORD) - 16:
        word = f"m{n}w{i:07d}"
        words.append(word)
        size += len(word) + 1
        i += 1
    words.append(LAST_WORD)
    text = " ".join(words)
    return text + "x" * (300_000 - len(text))  # pad the last word to exactly 300,000


def _found(store: Store, text: str) -> list[int]:
    with store.read():
        return list(ticket_list.id_snapshot(store, TicketFilter(text=text), Sort()))


def _long_ticket(store: Store) -> int:
    system = Session(store, None)
    ticket_id = tickets.create_ticket(system, subject="Four huge logs").new_id
    for n in range(1, 5):
        messages.add_message(system, ticket_id, _long_message(n), incoming=True)
    return ticket_id


def _check_kept_whole(store: Store, ticket_id: int) -> None:
    with store.read():
        bodies = [m.body for m in Message.select().where(Message.ticket == ticket_id)
                  .order_by(Message.id)]
    assert [len(b) for b in bodies] == [300_000] * 4
    assert bodies == [_long_message(n) for n in range(1, 5)]
    assert bodies[3].split()[-1].startswith(LAST_WORD)  # past the bound, still stored
    assert _found(store, "firstword1") == [ticket_id]  # the indexed part is searchable
    assert _found(store, "firstword4") == []  # past the bound: stored, not indexed


@pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_four_300000_character_messages_save_with_all_their_text(db_url: str) -> None:
    store = open_database(db_url)
    try:
        _check_kept_whole(store, _long_ticket(store))
    finally:
        store.close()


@pytest.mark.postgres
def test_a_million_character_description_imports_on_postgres(
        pg_schema: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    description = _long_message(1) + " " + _long_message(2) + " " + _long_message(3)
    description = (description + " " + _long_message(4))[:1_000_000]
    path = tmp_path / "long.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["subject", "description"])
        writer.writerow(["One huge log", description])
    url = pg_url(pg_schema)
    assert main(["import", "--db", url, "tickets", str(path)]) == 0, capsys.readouterr().err
    store = open_database(url)
    try:
        with store.read():
            stored = Ticket.get(Ticket.subject == "One huge log")
        assert stored.description == description
        assert _found(store, "firstword1") == [stored.id]
        assert _found(store, "firstword4") == []
    finally:
        store.close()


@pytest.mark.postgres
def test_a_ticket_past_the_index_bound_migrates_both_ways(pg_schema: str, tmp_path: Path) -> None:
    first = f"sqlite:///{tmp_path / 'first.sqlite'}"
    store = open_database(first)
    try:
        ticket_id = _long_ticket(store)
    finally:
        store.close()
    server = pg_url(pg_schema)
    back = f"sqlite:///{tmp_path / 'back.sqlite'}"
    assert dm.migrate_desk(first, server).search_documents == 1
    assert dm.migrate_desk(server, back).search_documents == 1
    for url in (server, back):
        store = open_database(url)
        try:
            _check_kept_whole(store, ticket_id)
        finally:
            store.close()


def test_the_bound_cuts_between_words_and_keeps_short_texts_whole() -> None:
    assert bounded("short text", 2) == "short text"
    limit = PART_BYTES[2]
    long = " ".join(["é" * 7] * (limit // 8 + 10))  # 14 bytes + a space per word
    cut = bounded(long, 2)
    assert len(cut.encode()) <= limit
    assert long.startswith(cut)
    assert set(cut.split()) == {"é" * 7}
    exact = ("a" * 9 + " ") * (limit // 10)
    assert bounded(exact.strip(), 2) == exact.strip()
    assert bounded(exact + "b", 2) == exact.strip()
    assert bounded("x" * (limit + 1), 2) == ""
