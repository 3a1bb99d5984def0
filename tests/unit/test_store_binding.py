"""Two stores open on one desk in one process (two windows in a test): each write runs on its
own connection, so neither waits on the other's write lock."""

from __future__ import annotations

import time

from ticketdesk.db.store import open_database
from ticketdesk.services import tickets
from ticketdesk.services.session import Session


def test_two_stores_on_one_desk_write_in_turn(db_url: str) -> None:
    first = open_database(db_url)
    second = open_database(db_url)
    try:
        started = time.monotonic()
        one = tickets.create_ticket(Session(first, None), subject="From the first").new_id
        two = tickets.create_ticket(Session(second, None), subject="From the second").new_id
        tickets.edit_ticket(Session(first, None), two, 1, subject="Edited by the first")
        assert time.monotonic() - started < 5  # no busy wait on our own lock
        with first.read():
            assert [tickets.get_ticket(t).subject for t in (one, two)] == [
                "From the first", "Edited by the first"]
    finally:
        second.close()
        first.close()
