"""Many clients at once over real HTTP: 8 clients creating (none lost, none twice), pages that
stay stable while tickets are being created, and the desktops' change notification firing for
API writes (SQLite's change counter, PostgreSQL's NOTIFY)."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.api.conftest import Server
from ticketdesk.db.postgres_notify import ChangeListener, RemoteChange
from ticketdesk.db.store import open_database

BASE = "/v2/support-tickets"
CLIENTS = 8
EACH = 15


def _all_pages(server: Server, tag: str, limit: int,
               between: threading.Event | None = None) -> list[int]:
    ids: list[int] = []
    cursor = None
    with server.client() as c:
        while True:
            params = {"tag": tag, "limit": limit, **({"cursor": cursor} if cursor else {})}
            page = c.get(BASE, params=params)
            assert page.status_code == 200, page.text
            ids += [t["id"] for t in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if between is not None:
                between.set()
                time.sleep(0.05)  # let the writers land tickets between two pages
            if cursor is None:
                return ids


def test_eight_clients_creating_at_once_lose_and_double_nothing(server: Server) -> None:
    tag = "c" + uuid.uuid4().hex[:10]

    def client(n: int) -> list[tuple[int, str]]:
        made = []
        with server.client() as c:
            for i in range(EACH):
                title = f"client {n} ticket {i}"
                answer = c.post(BASE, json={"title": title, "tags": [tag],
                                            "customer": {"name": "Shared",
                                                         "email": f"{tag}@example.com"}})
                assert answer.status_code == 201, answer.text
                made.append((answer.json()["id"], title))
        return made

    with ThreadPoolExecutor(CLIENTS) as pool:
        created = [pair for part in pool.map(client, range(CLIENTS)) for pair in part]
    listed = _all_pages(server, tag, 50)
    assert len(created) == CLIENTS * EACH
    assert len({i for i, _ in created}) == CLIENTS * EACH  # no id given twice
    assert sorted(listed) == sorted(i for i, _ in created)  # none lost, none extra
    with server.client() as c:
        customers = {c.get(f"{BASE}/{i}").json()["customer"]["email"] for i, _ in created[:20]}
        titles = {c.get(f"{BASE}/{i}").json()["title"] for i, _ in created[:5]}
    assert customers == {f"{tag}@example.com"}
    assert titles == {t for _, t in created[:5]}


def test_pages_stay_stable_while_tickets_are_being_created(server: Server) -> None:
    tag = "p" + uuid.uuid4().hex[:10]
    with server.client() as c:
        first = [c.post(BASE, json={"title": f"before {i}", "tags": [tag]}).json()["id"]
                 for i in range(23)]
    paging = threading.Event()
    stop = threading.Event()
    during: list[int] = []

    def writer() -> None:
        paging.wait(10)
        with server.client() as c:
            while not stop.is_set():
                during.append(c.post(BASE, json={"title": "during", "tags": [tag]}).json()["id"])

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        listed = _all_pages(server, tag, 5, between=paging)
    finally:
        stop.set()
        thread.join(30)
    assert during, "no ticket was created while paging"
    assert listed == sorted(first, reverse=True)  # no repeat, no skip, in order
    assert min(during) > max(first)
    assert sorted(_all_pages(server, tag, 7)) == sorted(first + during)


def test_desktops_hear_of_api_writes(server: Server) -> None:
    store = open_database(server.db_url)
    heard: list[RemoteChange] = []
    listener = None
    try:
        if store.is_sqlite:
            before = store.change_seq()
        else:
            listener = ChangeListener(store.backend, heard.append)  # type: ignore[arg-type]
            listener.start()
            assert listener.wait_listening()
        with server.client() as c:
            made = c.post(BASE, json={"title": "Seen on every desktop"}).json()
        if store.is_sqlite:
            assert store.change_seq() > before
        else:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any(
                    made["id"] in h.created for h in heard):
                time.sleep(0.05)
            assert any(made["id"] in h.created for h in heard)
    finally:
        if listener is not None:
            listener.stop()
        store.close()
