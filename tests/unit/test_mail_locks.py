"""One fetcher and one sender per desk at a time, and a fetch never blocks sending."""

from __future__ import annotations

from ticketdesk.db.store import Store, open_database
from ticketdesk.services.mail.fetch import FETCH_LOCK, exclusive
from ticketdesk.services.mail.send import SEND_LOCK
from ticketdesk.services.session import Session


def test_a_second_fetch_is_turned_away_while_sending_goes_on(store: Store, db_url: str) -> None:
    # On PostgreSQL the other desktop is another connection; on SQLite, another thread's
    # call in the one process that holds the desk file.
    other = store if store.is_sqlite else open_database(db_url)
    try:
        with exclusive(Session(store, None), FETCH_LOCK) as first:
            assert first
            with exclusive(Session(other, None), FETCH_LOCK) as second:
                assert not second
            with exclusive(Session(other, None), SEND_LOCK) as sending:
                assert sending
        with exclusive(Session(other, None), FETCH_LOCK) as later:
            assert later
    finally:
        if other is not store:
            other.close()
        store._bind()
