"""Issue 20: TLS to the server with certificate verification, as the README describes it.

A throwaway PostgreSQL cluster (initdb + pg_ctl on a free port) serves TLS with a certificate
for `localhost` signed by a test CA, and accepts only client certificates (`hostssl ... cert`).
ticketdesk passes the URL's libpq settings (`sslmode=verify-full`, `sslrootcert`, `sslcert`,
`sslkey`) through to psycopg: the desk opens with the right CA and name, and is refused with a
clear message for a wrong host name or an unknown CA. Skipped where the server programs or the
`cryptography` package are missing; run as root, the cluster runs as the `postgres` user."""

from __future__ import annotations

import datetime
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ticketdesk.db.postgres_backend import parse_postgres_url
from ticketdesk.db.store import open_database
from ticketdesk.db.url import redact
from ticketdesk.domain.errors import StorageError

pytestmark = pytest.mark.postgres


def test_tls_settings_survive_parsing_and_redaction() -> None:
    url = ("postgresql://ann@db.example.com:5432/desk?sslmode=verify-full"
           "&sslrootcert=%2Fetc%2Fdesk%2Fca.pem&sslcert=ann.crt&sslkey=ann.key"
           "&sslpassword=key-secret")
    params = parse_postgres_url(url)
    assert {k: params[k] for k in ("sslmode", "sslrootcert", "sslcert", "sslkey")} == {
        "sslmode": "verify-full", "sslrootcert": "/etc/desk/ca.pem", "sslcert": "ann.crt",
        "sslkey": "ann.key"}
    shown = redact(url)
    assert "key-secret" not in shown
    assert shown.endswith("&sslpassword=***")
    assert "sslmode=verify-full&sslrootcert=%2Fetc%2Fdesk%2Fca.pem" in shown


# -- a server with a test CA ----------------------------------------------------------------------


def _bindir() -> Path | None:
    try:
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(found)
    return path if (path / "initdb").exists() and (path / "pg_ctl").exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Pki:
    ca: Path
    other_ca: Path
    client_cert: Path
    client_key: Path


def _write_pki(server_dir: Path, client_dir: Path, user: str) -> Pki:
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(common: str) -> object:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
        return key.private_bytes(serialization.Encoding.PEM,
                                 serialization.PrivateFormat.TraditionalOpenSSL,
                                 serialization.NoEncryption())

    def issue(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str,
              issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool,
              hosts: tuple[str, ...] = ()) -> x509.Certificate:
        builder = (x509.CertificateBuilder().subject_name(name(subject))
                   .issuer_name(name(issuer)).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if hosts:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def pem(cert: x509.Certificate) -> bytes:
        return cert.public_bytes(serialization.Encoding.PEM)

    ca_key, other_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    ca = issue("ticketdesk test CA", ca_key, "ticketdesk test CA", ca_key, ca=True)
    other = issue("someone else's CA", other_key, "someone else's CA", other_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = issue("localhost", server_key, "ticketdesk test CA", ca_key, ca=False,
                   hosts=("localhost",))
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = issue(user, client_key, "ticketdesk test CA", ca_key, ca=False)
    (server_dir / "server.crt").write_bytes(pem(server))
    (server_dir / "server.key").write_bytes(key_pem(server_key))
    (server_dir / "root.crt").write_bytes(pem(ca))
    (server_dir / "server.key").chmod(0o600)
    pki = Pki(client_dir / "ca.pem", client_dir / "other-ca.pem", client_dir / "client.crt",
              client_dir / "client.key")
    pki.ca.write_bytes(pem(ca))
    pki.other_ca.write_bytes(pem(other))
    pki.client_cert.write_bytes(pem(client))
    pki.client_key.write_bytes(key_pem(client_key))
    pki.client_key.chmod(0o600)
    return pki


@dataclass
class TlsServer:
    port: int
    pki: Pki

    def url(self, host: str = "localhost", ca: Path | None = None) -> str:
        """A desk URL over TLS: `host` is the name the certificate must carry (hostaddr
        points libpq at the test server whatever the name)."""
        return (f"postgresql://postgres@{host}:{self.port}/postgres?hostaddr=127.0.0.1"
                f"&sslmode=verify-full&sslrootcert={ca or self.pki.ca}"
                f"&sslcert={self.pki.client_cert}&sslkey={self.pki.client_key}")


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("the PostgreSQL server programs (initdb, pg_ctl) are not installed")
    pytest.importorskip("cryptography")
    as_root = os.geteuid() == 0
    if as_root:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user to run the test server")
    # The server's files: a folder the server's user owns (pytest's folders are root-only).
    base = Path(tempfile.mkdtemp(prefix="ticketdesk-tls-"))
    client_dir = tmp_path_factory.mktemp("tls-client")
    data = base / "data"

    def run(*command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    try:
        if as_root:
            shutil.chown(base, "postgres", "postgres")
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "--no-sync")
        pki = _write_pki(data, client_dir, "postgres")
        if as_root:
            for file in ("server.crt", "server.key", "root.crt"):
                shutil.chown(data / file, "postgres", "postgres")
        (data / "pg_hba.conf").write_text(
            "local all all trust\nhostssl all all 127.0.0.1/32 cert\n", encoding="utf-8")
        port = _free_port()
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nssl = on\n"
                       f"unix_socket_directories = '{base}'\nssl_ca_file = 'root.crt'\n"
                       "fsync = off\nshared_buffers = 16MB\nmax_connections = 20\n")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "start")
        try:
            yield TlsServer(port, pki)
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_a_desk_opens_over_verified_tls_with_a_client_certificate(tls_server: TlsServer) -> None:
    store = open_database(tls_server.url())
    try:
        (ssl,) = store.db.execute_sql(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
        assert ssl is True
    finally:
        store.close()


def test_a_server_whose_certificate_names_another_host_is_refused(
        tls_server: TlsServer) -> None:
    with pytest.raises(StorageError, match="does not match host name"):
        open_database(tls_server.url(host="desk.example.com")).close()


def test_a_server_certificate_from_an_unknown_ca_is_refused(tls_server: TlsServer) -> None:
    with pytest.raises(StorageError, match="certificate verify failed"):
        open_database(tls_server.url(ca=tls_server.pki.other_ca)).close()
