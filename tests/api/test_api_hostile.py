"""Hostile input over real HTTP: a huge body (413 before it is read), bad JSON, JSON that is not
an object, deeply nested JSON, the wrong media type, path tricks in attachment names; files go
through the attachment service's limits and come back byte for byte."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from tests.api.conftest import Server

BASE = "/v2/support-tickets"


def _ticket(c: httpx.Client) -> str:
    return f"{BASE}/{c.post(BASE, json={'title': 'Files'}).json()['id']}"


def test_a_huge_body_is_refused_with_413(server: Server) -> None:
    with server.client() as c:
        huge = b'{"title": "' + b"x" * (3 * 1024 * 1024) + b'"}'
        answer = c.post(BASE, content=huge, headers={"Content-Type": "application/json"})
        assert answer.status_code == 413
        assert answer.json()["status"] == 413

        def chunks():  # no Content-Length: the limit holds while streaming too
            yield b'{"title": "'
            for _ in range(40):
                yield b"y" * 65536
            yield b'"}'

        streamed = c.post(BASE, content=chunks(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413
        assert c.get(BASE, params={"search": "x" * 20}).status_code == 200  # still serving


@pytest.mark.parametrize("body", [b"{bad", b"", b"[1, 2]", b'"title"', b"\xff\xfe{}",
                                  b"[" * 100_000 + b"]" * 100_000])
def test_bad_json_is_a_400_problem(server: Server, body: bytes) -> None:
    with server.client() as c:
        answer = c.post(BASE, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == "Bad request"


def test_json_is_asked_for_by_media_type(server: Server) -> None:
    with server.client() as c:
        answer = c.post(BASE, content=b"title=x",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 415


def test_unknown_addresses_and_methods_are_problems(server: Server) -> None:
    with server.client() as c:
        assert c.get("/v2/nothing-here").json()["status"] == 404
        assert c.delete(BASE).json()["status"] == 405
        assert c.get(f"{BASE}/TKT-999999").status_code == 404
        assert c.get(f"{BASE}/not-a-number").status_code == 404
        assert c.get(f"{BASE}/{'9' * 40}").status_code == 404  # past any number, not a 500
        assert c.get(f"{BASE}/0").status_code == 404
        assert c.patch(f"{BASE}/{'9' * 40}", json={"version": 1}).status_code == 404


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b.txt", "..\\..\\boot.ini",
                                  "C:\\Windows\\x.dll", "/etc/shadow", "..", "nul\x00.txt", ""])
def test_path_tricks_in_attachment_names_are_refused(server: Server, name: str) -> None:
    with server.client() as c:
        key = _ticket(c)
        answer = c.post(key + "/attachments", params={"name": name}, content=b"data")
        assert answer.status_code == 422, answer.text
        assert c.get(key).json()["attachments"] == []


def test_an_upload_comes_back_byte_for_byte_and_only_from_its_ticket(server: Server) -> None:
    data = bytes(range(256)) * 1000
    with server.client() as c:
        key = _ticket(c)
        other = _ticket(c)
        stored = c.post(key + "/attachments", params={"name": "dump \u202egnp.exe"},
                        content=data, headers={"Content-Type": "application/octet-stream"})
        assert stored.status_code == 201, stored.text
        meta = stored.json()
        assert meta["sha256"] == hashlib.sha256(data).hexdigest()
        assert "\u202e" not in meta["name"]  # the service made the override visible
        back = c.get(f"{key}/attachments/{meta['id']}")
        assert back.content == data
        assert "attachment;" in back.headers["content-disposition"]
        assert c.get(f"{other}/attachments/{meta['id']}").status_code == 404


def test_an_upload_over_the_desks_limit_is_refused(server: Server) -> None:
    with server.client(timeout=120) as c:
        key = _ticket(c)
        answer = c.post(key + "/attachments", params={"name": "big.bin"},
                        content=b"\0" * (26 * 1024 * 1024))
        assert answer.status_code == 413
        assert c.get(key).json()["attachments"] == []
