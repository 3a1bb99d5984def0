"""Real mail servers for the tests: Debian's dovecot (IMAP) and aiosmtpd (SMTP), each started on
a free loopback port with a throwaway configuration under the test's own folder, and stopped
after. Nothing here reaches beyond 127.0.0.1.

Dovecot is started as root (the CI runs as root) with its own base_dir, a passwd-file of one test
user and a maildir; the mail processes run as `nobody` (dovecot never serves mail as uid 0), so
the server's folder is a world-traversable temporary folder of its own (pytest's tmp_path is
private to root) and removed after. Mail is put in place by writing maildir files directly
(fast, for the benchmark) or by IMAP APPEND.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

USER = "support"
PASSWORD = "s3cret-test-pass"  # noqa: S105 - the throwaway test server's user


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dovecot_binary() -> str:
    """dovecot's path, or None. In CI (`CI` set) a missing dovecot fails the test: the mail
    tests must run there, never skip; elsewhere they skip saying what to install."""
    found = shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.path.exists(p)), None)
    message = ""
    if found is None:
        message = "dovecot is not installed (apt-get install dovecot-imapd)"
    elif os.getuid() != 0:
        found, message = None, "starting dovecot for the tests needs root"
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must run the mail tests")
        pytest.skip(message)
    return found


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
{ssl_files}
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is refused at once (within dovecot's 0.5 s check), not after the 2 s a real
# server waits against guessing.
auth_failure_delay = 0
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Archive {{
    auto = create
  }}
}}
"""


def _account(name: str, fallback: str) -> str:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return fallback
    return name


@dataclass
class Dovecot:
    root: Path
    port: int
    tls_port: int = 0
    process: subprocess.Popen[bytes] | None = None
    user: str = USER
    password: str = PASSWORD
    cert: Path | None = None

    @property
    def uid(self) -> int:
        import pwd

        return pwd.getpwnam("nobody").pw_uid

    @property
    def gid(self) -> int:
        import pwd

        return pwd.getpwnam("nobody").pw_gid

    @property
    def maildir(self) -> Path:
        return self.root / "mail" / self.user

    def url(self, folder: str = "INBOX") -> str:
        return f"imap://{self.user}@127.0.0.1:{self.port}/{folder}?tls=off"

    def start(self, *, tls_cert: tuple[Path, Path] | None = None) -> None:
        binary = dovecot_binary()
        self.root.mkdir(parents=True, exist_ok=True)
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        ssl_files = ""
        if tls_cert is not None:
            self.tls_port = free_port()
            self.cert = tls_cert[0]
            ssl_files = f"ssl_cert = <{tls_cert[0]}\nssl_key = <{tls_cert[1]}"
        login = _account("dovenull", "nobody")
        internal = _account("dovecot", "nobody")
        import grp

        try:
            grp.getgrnam(internal)
            internal_group = internal
        except KeyError:
            internal_group = "nogroup"
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(
            root=self.root, port=self.port, tls_port=self.tls_port,
            ssl="yes" if tls_cert else "no", ssl_files=ssl_files, uid=self.uid,
            gid=self.gid, login_user=login, internal_user=internal,
            internal_group=internal_group))
        # Dovecot's unprivileged processes must reach the run folder, the mail user its mail.
        for path in (self.root, self.root / "run"):
            path.chmod(0o755)
        for sub in ("mail", "home"):
            os.chown(self.root / sub, self.uid, self.gid)
        # A process group of its own: stop() ends the master and its children together.
        self.process = subprocess.Popen([binary, "-F", "-c", str(config)],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                out = self.process.stdout.read().decode(errors="replace") if \
                    self.process.stdout else ""
                log = (self.root / "dovecot.log")
                raise RuntimeError(f"dovecot exited: {out}\n"
                                   f"{log.read_text() if log.exists() else ''}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start listening within 20 s")

    def stop(self) -> None:
        if self.process is None:
            return
        # SIGTERM to the whole group: dovecot's master, told alone, spends a second bringing
        # its children down; told together, every process ends at once.
        group = self.process.pid
        _signal_group(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(group, signal.SIGKILL)
            self.process.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.01)
        _signal_group(group, signal.SIGKILL)  # anything still there after 5 s
        if self.process.stdout:
            self.process.stdout.close()
        self.process = None

    def deliver(self, raw: bytes | EmailMessage, folder: str = "") -> None:
        """Put one message in the mailbox (a maildir file; dovecot gives it the next UID)."""
        data = raw if isinstance(raw, bytes) else raw.as_bytes()
        box = self.maildir if not folder else self.maildir / f".{folder}"
        for path in (self.maildir, box, box / "tmp", box / "new", box / "cur"):
            if not path.is_dir():
                path.mkdir(parents=True, exist_ok=True)
                os.chown(path, self.uid, self.gid)
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.test"
        (box / "tmp" / name).write_bytes(data)
        os.chown(box / "tmp" / name, self.uid, self.gid)
        os.replace(box / "tmp" / name, box / "new" / name)

    def client(self) -> Any:
        from imapclient import IMAPClient

        c = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        c.login(self.user, self.password)
        return c

    def folder_messages(self, folder: str = "INBOX") -> list[tuple[int, set[bytes]]]:
        """(uid, flags) of every message in `folder`, as the server has them now."""
        c = self.client()
        try:
            c.select_folder(folder, readonly=True)
            uids = c.search("ALL")
            flags = c.get_flags(uids) if uids else {}
            return [(int(u), set(flags[u])) for u in sorted(uids)]
        finally:
            c.logout()


def _signal_group(group: int, signal_number: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(group, signal_number)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def running_dovecot(*, tls_cert: tuple[Path, Path] | None = None) -> Iterator[Dovecot]:
    """A dovecot of its own in a fresh temporary folder, stopped and removed after."""
    dovecot_binary()  # skip or fail before making anything
    root = Path(tempfile.mkdtemp(prefix="ticketdesk-dovecot-"))
    server = Dovecot(root, free_port())
    try:
        server.start(tls_cert=tls_cert)
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


# -- SMTP ----------------------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> Any:
        return BytesParser(policy=default).parsebytes(self.data)


@dataclass
class SmtpReceiver:
    """aiosmtpd on a loopback port, recording every message it accepts. `refuse` makes it
    answer 451 (try later) to every message, as a server in trouble would; `reject` answers
    that (a 5xx line) instead, as for a mailbox that does not exist."""

    port: int
    received: list[Received] = field(default_factory=list)
    refuse: bool = False
    reject: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Any = None
    user: str = USER
    password: str = PASSWORD

    def url(self) -> str:
        return f"smtp://{self.user}@127.0.0.1:{self.port}?tls=off"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 4.3.0 Try again later (test server refusing)"
        if self.reject:
            return self.reject
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          bytes(envelope.original_content or envelope.content)))
        return "250 OK"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user
              and auth_data.password.decode() == self.password)
        # handled=False: aiosmtpd itself answers a refusal with 535, as a real server does
        # (with the default it answers nothing, and the client waits out its timeout).
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port,
                                     authenticator=self._authenticate, auth_require_tls=False,
                                     decode_data=False)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@contextmanager
def running_smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver(free_port())
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
