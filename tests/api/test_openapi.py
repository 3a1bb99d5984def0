"""The OpenAPI document the server serves is the one checked in (ticketdesk/api/openapi.json),
and it describes every route the application has."""

from __future__ import annotations

import json
from pathlib import Path

from tests.api.conftest import Server
from ticketdesk.api import openapi

CHECKED_IN = Path(openapi.__file__).with_name("openapi.json")


def test_the_served_document_equals_the_checked_in_one(server: Server) -> None:
    import httpx

    served = httpx.get(server.base + "/v2/openapi.json").json()
    assert served == json.loads(CHECKED_IN.read_text(encoding="utf-8")), (
        "regenerate: python -m ticketdesk.api.openapi > ticketdesk/api/openapi.json")
    assert CHECKED_IN.read_text(encoding="utf-8") == openapi.text()


def test_the_document_names_every_route() -> None:
    from ticketdesk.api.app import build_app

    app = build_app(store=None)  # type: ignore[arg-type]  # routes only; no call is made
    paths = {route.path.replace(":int", "") for route in app.routes  # type: ignore[attr-defined]
             } - {"/v2/openapi.json"}
    assert paths == set(openapi.document()["paths"])
