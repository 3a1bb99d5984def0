"""The OpenAPI 3.1 document of the API, served at /v2/openapi.json.

The same document is checked in as `ticketdesk/api/openapi.json` for integrators to read without
a server; tests/api/test_openapi.py fails when the two differ. After changing the API, write it
again: `python -m ticketdesk.api.openapi > ticketdesk/api/openapi.json`."""

from __future__ import annotations

import json
from typing import Any

_TIME = {"type": ["string", "null"], "format": "date-time",
         "description": "ISO 8601, UTC (2026-03-31T14:05:00Z)"}
_KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "the ticket id (42) or number (TKT-000042)"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _problems(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": "a problem document (RFC 9457)",
                     "content": {"application/problem+json": {"schema": _ref("Problem")}}}
            for c in (401, 429, *codes)}


def _query(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": {"type": "string"},
            "description": description}


SCHEMAS: dict[str, Any] = {
    "Customer": {"type": "object", "properties": {"name": {"type": "string"},
                                                  "email": {"type": "string"}}},
    "Agent": {"type": "object", "properties": {"id": {"type": "integer"},
                                               "name": {"type": "string"}}},
    "Ticket": {"type": "object", "properties": {
        "id": {"type": "integer"}, "number": {"type": "string", "example": "TKT-000042"},
        "title": {"type": "string"}, "description": {"type": "string"},
        "category": {"type": "string"},
        "priority": {"enum": ["Low", "Medium", "High", "Urgent"]},
        "status": {"enum": ["Open", "In Progress", "Waiting", "Resolved", "Closed"]},
        "assignees": {"type": "array", "items": _ref("Agent")},
        "customer": {"oneOf": [_ref("Customer"), {"type": "null"}]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "created_at": _TIME, "updated_at": _TIME, "first_response_at": _TIME,
        "resolved_at": _TIME, "closed_at": _TIME, "resolution": {"type": "string"},
        "version": {"type": "integer", "description": "state it in an update"},
        "messages": {"type": "array", "items": _ref("Message"),
                     "description": "on retrieve"},
        "notes": {"type": "array", "items": _ref("Note"), "description": "on retrieve"},
        "attachments": {"type": "array", "items": _ref("Attachment"),
                        "description": "on retrieve"}}},
    "Message": {"type": "object", "properties": {
        "id": {"type": "integer"}, "direction": {"enum": ["in", "out"]},
        "author": {"type": "string"}, "body": {"type": "string"}, "created_at": _TIME,
        "attachments": {"type": "array", "items": _ref("Attachment")}}},
    "Note": {"type": "object", "properties": {
        "id": {"type": "integer"}, "author": {"type": "string"}, "body": {"type": "string"},
        "created_at": _TIME, "updated_at": _TIME, "version": {"type": "integer"}}},
    "Attachment": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "mime": {"type": "string"},
        "size": {"type": "integer"}, "sha256": {"type": "string"},
        "message_id": {"type": ["integer", "null"]}, "author": {"type": "string"},
        "created_at": _TIME}},
    "NewTicket": {"type": "object", "required": ["title"], "additionalProperties": False,
                  "properties": {
                      "title": {"type": "string"}, "description": {"type": "string"},
                      "category": {"type": "string"},
                      "priority": {"enum": ["Low", "Medium", "High", "Urgent"]},
                      "customer": {**_ref("Customer"),
                                   "description": "found by email, else created"},
                      "tags": {"type": "array", "items": {"type": "string"}},
                      "assignees": {"type": "array", "items": {"type": "string"},
                                    "description": "active agents' names"}}},
    "TicketUpdate": {"type": "object", "required": ["version"], "additionalProperties": False,
                     "properties": {
                         "version": {"type": "integer"}, "title": {"type": "string"},
                         "description": {"type": "string"}, "category": {"type": "string"},
                         "priority": {"type": "string"}, "status": {"type": "string"},
                         "note": {"type": "string",
                                  "description": "with status: the resolution or a note"},
                         "tags": {"type": "array", "items": {"type": "string"}},
                         "assignees": {"type": "array", "items": {"type": "string"}}}},
    "NewMessage": {"type": "object", "required": ["body"], "additionalProperties": False,
                   "properties": {"body": {"type": "string"},
                                  "direction": {"enum": ["in", "out"], "default": "out"}}},
    "NewNote": {"type": "object", "required": ["body"], "additionalProperties": False,
                "properties": {"body": {"type": "string"}}},
    "TicketPage": {"type": "object", "properties": {
        "items": {"type": "array", "items": _ref("Ticket")},
        "next_cursor": {"type": ["string", "null"]}}},
    "Problem": {"type": "object", "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "current_version": {"type": "integer", "description": "409 only"},
        "changes": {"type": "array", "description": "409 only: what changed since",
                    "items": {"type": "object", "properties": {
                        "by": {"type": "string"}, "at": _TIME, "what": {"type": "string"}}}}}},
}

_LIST_PARAMS = [
    _query("status", "Open, In Progress, Waiting, Resolved, Closed (comma-separated)"),
    _query("priority", "Low, Medium, High, Urgent (comma-separated)"),
    _query("tag", "ticket tag (repeatable)"),
    _query("assignee", "agent name (repeatable)"),
    _query("unassigned", "true: tickets nobody is assigned to"),
    _query("customer", "the customer's email"),
    _query("date_field", "created (default), updated, resolved, closed"),
    _query("from", "first day, YYYY-MM-DD"), _query("to", "last day, YYYY-MM-DD"),
    _query("search", "full-text search, as in the search box"),
    _query("cursor", "next_cursor of the previous page"),
    _query("limit", "tickets a page, 1-200 (default 50)"),
]


def document() -> dict[str, Any]:
    ticket = _json(_ref("Ticket"))
    return {
        "openapi": "3.1.0",
        "info": {"title": "ticketdesk API", "version": "2",
                 "description": "Support tickets for integrations. Authorization: Bearer "
                                "TOKEN (`ticketdesk api token add NAME`). Errors are RFC 9457 "
                                "problem documents; times are ISO 8601 UTC."},
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer"}}},
        "security": [{"token": []}],
        "paths": {
            "/v2/support-tickets": {
                "get": {"summary": "List tickets, newest first (keyset pagination)",
                        "parameters": _LIST_PARAMS,
                        "responses": {"200": {"description": "a page",
                                              **_json(_ref("TicketPage"))},
                                      **_problems(422)}},
                "post": {"summary": "Create a ticket", "requestBody": _json(_ref("NewTicket")),
                         "responses": {"201": {"description": "created", **ticket},
                                       **_problems(400, 403, 413, 422)}}},
            "/v2/support-tickets/{key}": {
                "parameters": [_KEY],
                "get": {"summary": "Retrieve a ticket with its messages, notes and files",
                        "responses": {"200": {"description": "the ticket", **ticket},
                                      **_problems(404)}},
                "patch": {"summary": "Change fields, stating the version read",
                          "requestBody": _json(_ref("TicketUpdate")),
                          "responses": {"200": {"description": "the ticket now", **ticket},
                                        **_problems(400, 403, 404, 409, 422)}}},
            "/v2/support-tickets/{key}/messages": {
                "parameters": [_KEY],
                "post": {"summary": "Add a customer message (in) or a reply (out)",
                         "requestBody": _json(_ref("NewMessage")),
                         "responses": {"201": {"description": "the ticket now", **ticket},
                                       **_problems(400, 403, 404, 422)}}},
            "/v2/support-tickets/{key}/notes": {
                "parameters": [_KEY],
                "post": {"summary": "Add an internal note",
                         "requestBody": _json(_ref("NewNote")),
                         "responses": {"201": {"description": "the ticket now", **ticket},
                                       **_problems(400, 403, 404, 422)}}},
            "/v2/support-tickets/{key}/attachments": {
                "parameters": [_KEY],
                "post": {"summary": "Upload a file (the body is the file)",
                         "parameters": [{**_query("name", "the file's name, no folders"),
                                         "required": True}],
                         "requestBody": {"content": {"*/*": {"schema": {
                             "type": "string", "format": "binary"}}}},
                         "responses": {"201": {"description": "stored",
                                               **_json(_ref("Attachment"))},
                                       **_problems(403, 404, 413, 422)}}},
            "/v2/support-tickets/{key}/attachments/{attachment}": {
                "parameters": [_KEY, {"name": "attachment", "in": "path", "required": True,
                                      "schema": {"type": "integer"}}],
                "get": {"summary": "Download a file",
                        "responses": {"200": {"description": "the bytes", "content": {
                            "application/octet-stream": {"schema": {
                                "type": "string", "format": "binary"}}}},
                            **_problems(404)}}},
        },
    }


def text() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(text())
