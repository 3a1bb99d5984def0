"""Issue 13, item 16: a mistyped desk URL of any shape gets a clear message and exit status 1 from
the command line, never a traceback, never a file created by mistake, and never the password
it carries: every message built from a URL shows it through `url.redact`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PG_URL
from ticketdesk.app import main
from ticketdesk.db.url import redact

SECRET = "s3cret"  # noqa: S105 (a made-up password that must never be shown)


def _with_password(url: str) -> str:
    """PG_URL with `SECRET` as its password (the test server trusts any)."""
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{SECRET}@", 1)


BAD_URLS = [
    pytest.param(f"postgresql://ann:{SECRET}@127.0.0.1:99999/desk",
                 "is not a number from 1 to 65535", id="port out of range, with password"),
    pytest.param(f"postgresql://ann:{SECRET}@127.0.0.1:port/desk",
                 "is not a number from 1 to 65535", id="port not a number, with password"),
    pytest.param(f"postgresql://ann:{SECRET}@127.0.0.1:5432/", "names no database",
                 id="no database name, with password"),
    pytest.param("postgresql://[::1", "opens a bracket that is not closed",
                 id="unclosed IPv6 host"),
    pytest.param(f"postgresql://ann:{SECRET}@[::1/desk", "opens a bracket that is not closed",
                 id="unclosed IPv6 host, with password"),
    pytest.param("localhost:5432/db", "write postgresql://localhost:5432/db",
                 id="server address without scheme"),
    pytest.param(f"ann:{SECRET}@localhost:5432/db", "looks like a server address",
                 id="server address with password, without scheme"),
    pytest.param(f"mysql://ann:{SECRET}@db/desk", "Unknown database type 'mysql'.",
                 id="unknown scheme, with password"),
    pytest.param(f"postgresql://ann:{SECRET}@127.0.0.1/desk?bogus=1",
                 "has an option libpq does not know: bogus", id="unknown option"),
    pytest.param(f"postgresql://ann@127.0.0.1/desk?password={SECRET}&sslmod=require",
                 "libpq does not know: sslmod", id="misspelt option, password as option"),
]


@pytest.mark.parametrize(("url", "expected"), BAD_URLS)
def test_a_bad_url_gets_a_clear_message_without_its_password(
        url: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ticketdesk: ")
    assert expected in err
    assert "Traceback" not in err
    assert SECRET not in err
    assert list(tmp_path.iterdir()) == []  # no desk file made of a mistyped URL


@pytest.mark.postgres
@pytest.mark.usefixtures("pg_admin")
@pytest.mark.parametrize(("option", "expected"), [
    pytest.param("options=bogus", "invalid command-line argument for server process: bogus",
                 id="server refuses options"),
    pytest.param("sslmode=bogus", 'invalid sslmode value: "bogus"', id="libpq refuses a value"),
])
def test_an_option_the_server_refuses_is_reported_as_such_not_as_a_lost_connection(
        option: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = _with_password(PG_URL) + ("&" if "?" in PG_URL else "?") + option
    assert main(["check", "--db", url]) == 1
    err = capsys.readouterr().err
    assert "Cannot connect to" in err
    assert expected in err
    assert "was lost" not in err
    assert SECRET not in err


@pytest.mark.parametrize(("url", "shown"), [
    (f"postgresql://ann:{SECRET}@[::1/desk", "postgresql://ann:***@[::1/desk"),
    (f"ann:{SECRET}@db:5432/desk?password={SECRET}", "ann:***@db:5432/desk?password=***"),
    (f"postgresql://ann:{SECRET}@db/desk?sslmode=require&password={SECRET}",
     "postgresql://ann:***@db/desk?sslmode=require&password=***"),
    ("/home/ann/desk.sqlite", "/home/ann/desk.sqlite"),
])
def test_redaction_survives_urls_too_broken_to_parse(url: str, shown: str) -> None:
    assert redact(url) == shown

