"""`ticketdesk serve` itself: HTTPS with a certificate and key, a clear message when the
optional server is not installed or TLS is half configured."""

from __future__ import annotations

import io
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ticketdesk.cli import build_parser, run


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def test_serve_answers_https_with_a_certificate_and_key(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    url = f"sqlite:///{tmp_path / 'tls.sqlite'}"
    from tests.api.conftest import add_token, free_port
    from ticketdesk.db.store import open_database

    open_database(url, create=True).close()
    token = add_token(url, "tls")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ticketdesk", "serve", "--db", url, "--port", str(port),
         "--certfile", str(cert), "--keyfile", str(key)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        import time

        deadline = time.monotonic() + 30
        answer = None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = httpx.get(f"https://127.0.0.1:{port}/v2/support-tickets",
                                   headers={"Authorization": f"Bearer {token}"},
                                   verify=ssl.create_default_context(cafile=str(cert)), timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer is not None
        assert answer.status_code == 200
        assert answer.json() == {"items": [], "next_cursor": None}
    finally:
        process.terminate()
        process.wait(10)


def test_half_a_tls_configuration_is_refused(tmp_path: Path) -> None:
    err = io.StringIO()
    args = build_parser().parse_args(["serve", "--db", f"sqlite:///{tmp_path / 'x.sqlite'}",
                                      "--certfile", "cert.pem"])
    assert run(args, io.StringIO(), err) == 1
    assert "--certfile and --keyfile" in err.getvalue()


def test_without_the_api_extra_serve_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.startswith(("ticketdesk.api", "starlette",
                                                         "uvicorn"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "starlette", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    err = io.StringIO()
    args = build_parser().parse_args(["serve", "--db", f"sqlite:///{tmp_path / 'x.sqlite'}"])
    assert run(args, io.StringIO(), err) == 1
    assert "pip install 'ticketdesk[api]'" in err.getvalue()
