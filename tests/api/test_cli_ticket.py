"""`ticketdesk ticket create | show | list | update | reply | note --json`: the same ticket
object as the API, on SQLite and PostgreSQL, through the command line's own entry."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from ticketdesk.cli import build_parser, run
from ticketdesk.db.store import open_database
from ticketdesk.services import ticket_json


def _cli(db_url: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(build_parser().parse_args([*args, "--db", db_url]), out, err)
    return code, out.getvalue(), err.getvalue()


def _json(db_url: str, *args: str) -> Any:
    code, out, err = _cli(db_url, *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def desk(db_url: str) -> str:
    open_database(db_url).close()
    return db_url


def test_create_show_update_note_reply_print_the_api_ticket_object(desk: str) -> None:
    made = _json(desk, "ticket", "create", "--title", "Invoice wrong", "--priority", "High",
                 "--customer-email", "bo@example.com", "--customer-name", "Bo",
                 "--tag", "billing")
    assert (made["title"], made["priority"], made["tags"]) == ("Invoice wrong", "High",
                                                               ["billing"])
    assert made["customer"] == {"name": "Bo", "email": "bo@example.com"}
    shown = _json(desk, "ticket", "show", made["number"])
    store = open_database(desk)
    try:
        assert shown == ticket_json.full_ticket(store, made["id"])  # the API's object
    finally:
        store.close()
    updated = _json(desk, "ticket", "update", made["number"], "--version", "1",
                    "--status", "Waiting", "--tag", "billing", "--tag", "refund")
    assert (updated["status"], updated["tags"], updated["version"]) == (
        "Waiting", ["billing", "refund"], 3)
    noted = _json(desk, "ticket", "note", made["number"], "--text", "Checked the ledger")
    assert [n["body"] for n in noted["notes"]] == ["Checked the ledger"]
    asked = _json(desk, "ticket", "reply", made["number"], "--from-customer", "--text", "When?")
    replied = _json(desk, "ticket", "reply", made["number"], "--no-mail", "--text",
                    "Refund is on its way")
    assert [(m["direction"], m["body"]) for m in replied["messages"]] == [
        ("in", "When?"), ("out", "Refund is on its way")]
    assert asked["status"] == "Open"  # a customer message reopens a Waiting ticket


def test_a_stale_update_from_the_command_line_is_refused(desk: str) -> None:
    made = _json(desk, "ticket", "create", "--title", "Race")
    _json(desk, "ticket", "update", str(made["id"]), "--version", "1", "--title", "First")
    code, out, err = _cli(desk, "ticket", "update", str(made["id"]), "--version", "1",
                          "--title", "Second", "--json")
    assert code == 1
    assert out == ""
    assert "changed by someone else" in err


def test_list_pages_with_the_apis_cursor(desk: str) -> None:
    ids = [_json(desk, "ticket", "create", "--title", f"T{i}", "--tag", "paged")["id"]
           for i in range(5)]
    first = _json(desk, "ticket", "list", "--tag", "paged", "--limit", "3")
    rest = _json(desk, "ticket", "list", "--tag", "paged", "--limit", "3",
                 "--cursor", first["next_cursor"])
    assert [t["id"] for t in first["items"] + rest["items"]] == sorted(ids, reverse=True)
    assert rest["next_cursor"] is None
    code, out, _ = _cli(desk, "ticket", "list", "--status", "Open", "--limit", "2")
    assert code == 0
    assert "More: --cursor" in out
    assert "TKT-" in out


def test_bad_input_is_a_message_and_exit_status_1(desk: str) -> None:
    code, _, err = _cli(desk, "ticket", "create", "--title", " ", "--json")
    assert code == 1
    assert "ticketdesk:" in err
    code, _, err = _cli(desk, "ticket", "show", "TKT-000999", "--json")
    assert code == 1
    assert "does not exist" in err
