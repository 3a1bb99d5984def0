"""Tokens over real HTTP: no token, a wrong or revoked token get 401; a read-only token that
writes gets 403; in each case nothing is changed. Changes appear in the activity as the
integration; the last use is recorded; the rate limit answers 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Server, add_token, start_server, ticketdesk
from ticketdesk.db.store import open_database
from ticketdesk.services import api_tokens, audit
from ticketdesk.services.ticket_json import ticket_id_of

BASE = "/v2/support-tickets"


def _count(server: Server) -> int:
    with server.client() as c:
        return len(c.get(BASE, params={"limit": 200}).json()["items"])


def test_missing_or_wrong_token_is_401_and_creates_nothing(server: Server) -> None:
    before = _count(server)
    for headers in ({}, {"Authorization": "Bearer tdk_not-a-token"},
                    {"Authorization": "Basic d3JpdGVyOng="}, {"Authorization": "Bearer"}):
        answer = httpx.post(server.base + BASE, json={"title": "Sneaky"}, headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.json()["status"] == 401
    assert httpx.get(server.base + BASE).status_code == 401
    assert _count(server) == before


def test_a_read_only_token_reads_but_every_write_is_403_and_changes_nothing(
        server: Server) -> None:
    with server.client() as writer:
        ticket = writer.post(BASE, json={"title": "Read me"}).json()
    key = f"{BASE}/{ticket['id']}"
    with server.client("reader") as reader:
        assert reader.get(key).status_code == 200
        assert reader.get(BASE).status_code == 200
        refused = [
            reader.post(BASE, json={"title": "Nope"}),
            reader.patch(key, json={"version": 1, "title": "Nope"}),
            reader.post(key + "/messages", json={"body": "Nope"}),
            reader.post(key + "/notes", json={"body": "Nope"}),
            reader.post(key + "/attachments", params={"name": "a.txt"}, content=b"x"),
        ]
        assert [r.status_code for r in refused] == [403] * 5
        assert "read-only" in refused[0].json()["detail"]
        after = reader.get(key).json()
    assert after["version"] == 1
    assert after["title"] == "Read me"
    assert after["messages"] == []
    assert after["notes"] == []
    assert after["attachments"] == []


def test_a_revoked_token_gets_401(server: Server) -> None:
    token = add_token(server.db_url, "short-lived")
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(server.base + BASE, headers=headers).status_code == 200
    ticketdesk("api", "token", "revoke", "short-lived", "--db", server.db_url)
    answer = httpx.post(server.base + BASE, json={"title": "After revoke"}, headers=headers)
    assert answer.status_code == 401


def test_changes_are_recorded_as_the_integration_and_its_last_use(server: Server) -> None:
    with server.client() as c:
        ticket = c.post(BASE, json={"title": "From the website"}).json()
        c.post(f"{BASE}/{ticket['id']}/notes", json={"body": "checked"})
    store = open_database(server.db_url)
    try:
        with store.read():
            authors = {row.agent for row in audit.activity_for(ticket_id_of(ticket["number"]))}
        tokens = {t.name: t for t in api_tokens.list_tokens(store)}
    finally:
        store.close()
    assert authors == {"api:writer"}
    assert tokens["writer"].last_used_at is not None
    assert "writer" in ticketdesk("api", "token", "list", "--db", server.db_url).stdout


def test_the_token_is_stored_only_as_its_hash(server: Server) -> None:
    store = open_database(server.db_url)
    try:
        with store.read():
            rows = store.db.execute_sql("SELECT token_hash FROM api_token").fetchall()
    finally:
        store.close()
    stored = {h for (h,) in rows}
    assert server.tokens["writer"] not in stored
    assert api_tokens.token_hash(server.tokens["writer"]) in stored


@pytest.fixture
def slow_server(tmp_path: Path) -> Iterator[Server]:
    running = start_server(f"sqlite:///{tmp_path / 'rate.sqlite'}", "--rate", "1",
                           "--burst", "3")
    try:
        yield running
    finally:
        running.stop()


def test_past_its_rate_a_token_gets_429_with_retry_after(slow_server: Server) -> None:
    with slow_server.client() as c:
        codes = [c.get(BASE).status_code for _ in range(6)]
        assert codes[:3] == [200, 200, 200]
        assert 429 in codes[3:]
        limited = c.get(BASE)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
    with slow_server.client("reader") as other:  # the limit is per token
        assert other.get(BASE).status_code == 200
