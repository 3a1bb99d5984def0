"""The ticket endpoints over real HTTP: create (customer found by email or created), retrieve by
id and number, update with the version check (409 says what changed), messages, notes,
validation messages from the services, list filters."""

from __future__ import annotations

import re
import uuid

from tests.api.conftest import Server

BASE = "/v2/support-tickets"
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _tag() -> str:
    return "t" + uuid.uuid4().hex[:10]


def test_create_then_retrieve_by_id_and_by_number(server: Server) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    with server.client() as c:
        made = c.post(BASE, json={"title": "Printer on fire", "description": "Smoke!",
                                  "category": "Hardware", "priority": "urgent",
                                  "customer": {"name": "Ann Example", "email": email},
                                  "tags": ["Printer", "fire"]})
        assert made.status_code == 201
        ticket = made.json()
        assert made.headers["location"] == f"{BASE}/{ticket['id']}"
        by_number = c.get(f"{BASE}/{ticket['number']}").json()
        by_id = c.get(f"{BASE}/{ticket['id']}").json()
        again = c.post(BASE, json={"title": "Second", "customer": {"name": "A. E.",
                                                                   "email": email.upper()}})
    assert by_number == by_id
    assert ticket["number"] == f"TKT-{ticket['id']:06d}"
    assert (ticket["title"], ticket["description"], ticket["category"]) == (
        "Printer on fire", "Smoke!", "Hardware")
    assert (ticket["priority"], ticket["status"], ticket["version"]) == ("Urgent", "Open", 1)
    assert ticket["customer"] == {"name": "Ann Example", "email": email}
    assert ticket["tags"] == ["fire", "printer"]
    assert ISO.fullmatch(ticket["created_at"])
    assert ISO.fullmatch(ticket["updated_at"])
    assert ticket["first_response_at"] is None
    assert ticket["resolved_at"] is None
    assert again.json()["customer"] == {"name": "Ann Example", "email": email}  # found


def test_validation_messages_come_from_the_services_and_nothing_is_created(
        server: Server) -> None:
    tag = _tag()
    with server.client() as c:
        answers = {
            "no title": c.post(BASE, json={"tags": [tag]}),
            "blank title": c.post(BASE, json={"title": "   ", "tags": [tag]}),
            "bad priority": c.post(BASE, json={"title": "x", "priority": "Whenever",
                                               "tags": [tag]}),
            "unknown field": c.post(BASE, json={"title": "x", "sla": 3, "tags": [tag]}),
            "unknown agent": c.post(BASE, json={"title": "x", "assignees": ["Nobody"],
                                                "tags": [tag]}),
            "tags not a list": c.post(BASE, json={"title": "x", "tags": tag}),
        }
        listed = c.get(BASE, params={"tag": tag}).json()["items"]
    assert {k: a.status_code for k, a in answers.items()} == dict.fromkeys(answers, 422)
    assert all(a.headers["content-type"] == "application/problem+json"
               for a in answers.values())
    assert "priority" in answers["bad priority"].json()["detail"]
    assert "'sla'" in answers["unknown field"].json()["detail"]
    assert "Nobody" in answers["unknown agent"].json()["detail"]
    assert listed == []


def test_a_stale_update_is_409_with_what_changed_and_is_not_applied(server: Server) -> None:
    with server.client() as c:
        ticket = c.post(BASE, json={"title": "Original"}).json()
        key = f"{BASE}/{ticket['id']}"
        first = c.patch(key, json={"version": 1, "status": "In Progress", "priority": "High",
                                   "tags": ["vip"]})
        assert first.status_code == 200
        assert (first.json()["status"], first.json()["priority"]) == ("In Progress", "High")
        stale = c.patch(key, json={"version": 1, "title": "Mine"})
        now = c.get(key).json()
    assert stale.status_code == 409
    problem = stale.json()
    assert problem["current_version"] == now["version"] > 1
    whats = " | ".join(change["what"] for change in problem["changes"])
    assert "In Progress" in whats
    assert "High" in whats
    assert all(change["by"] == "api:writer" for change in problem["changes"])
    assert now["title"] == "Original"


def test_an_update_is_all_or_nothing(server: Server) -> None:
    with server.client() as c:
        ticket = c.post(BASE, json={"title": "Atomic"}).json()
        key = f"{BASE}/{ticket['id']}"
        bad = c.patch(key, json={"version": 1, "title": "Changed", "status": "Teleported"})
        after = c.get(key).json()
    assert bad.status_code == 422
    assert (after["title"], after["version"]) == ("Atomic", 1)


def test_messages_in_and_out_and_notes_are_threaded_on_retrieve(server: Server) -> None:
    with server.client() as c:
        ticket = c.post(BASE, json={"title": "Chat"}).json()
        key = f"{BASE}/{ticket['id']}"
        assert c.post(key + "/messages", json={"body": "Hello?", "direction": "in"}
                      ).status_code == 201
        reply = c.post(key + "/messages", json={"body": "Hi, we are on it."})
        noted = c.post(key + "/notes", json={"body": "Customer is a VIP"})
        empty = c.post(key + "/notes", json={"body": ""})
        wrong = c.post(key + "/messages", json={"body": "x", "direction": "sideways"})
    full = noted.json()
    assert reply.status_code == 201
    assert [(m["direction"], m["body"]) for m in full["messages"]] == [
        ("in", "Hello?"), ("out", "Hi, we are on it.")]
    assert [n["body"] for n in full["notes"]] == ["Customer is a VIP"]
    assert full["first_response_at"] is not None
    assert (empty.status_code, wrong.status_code) == (422, 422)


def test_list_filters_like_the_window(server: Server) -> None:
    tag = _tag()
    with server.client() as c:
        high = c.post(BASE, json={"title": "Loud", "priority": "High", "tags": [tag]}).json()
        low = c.post(BASE, json={"title": "Quiet", "priority": "Low", "tags": [tag]}).json()
        c.patch(f"{BASE}/{low['id']}", json={"version": 1, "status": "Waiting"})

        def ids(**params: str) -> list[int]:
            answer = c.get(BASE, params={"tag": tag, **params})
            assert answer.status_code == 200, answer.text
            return [t["id"] for t in answer.json()["items"]]

        assert ids() == [low["id"], high["id"]]
        assert ids(priority="High") == [high["id"]]
        assert ids(status="Open,Waiting") == [low["id"], high["id"]]
        assert ids(status="waiting") == [low["id"]]
        assert ids(unassigned="true") == [low["id"], high["id"]]
        assert ids(search="Loud") == [high["id"]]
        assert ids(**{"from": "2000-01-01", "to": "2000-01-02"}) == []
        assert c.get(BASE, params={"colour": "red"}).status_code == 422
        assert c.get(BASE, params={"status": "Sleeping"}).status_code == 422
        assert c.get(BASE, params={"cursor": "garbage!"}).status_code == 422
        assert c.get(BASE, params={"limit": "0"}).status_code == 422
