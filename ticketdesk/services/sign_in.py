"""Signing in to a team desk as one's own database login (issue 20).

`sign_in` opens the desk at a PostgreSQL URL as `login`, with a password or, when none is given,
the ways libpq offers by itself (.pgpass, a client certificate, Kerberos), and says in words why
the server said no. It is a network call: the window runs it on a worker thread
(ui/sign_in_dialog.py). The server decides who the login is (services/team_roles.whoami).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from ticketdesk.db import credentials
from ticketdesk.db import postgres_roles as pg
from ticketdesk.db.store import Store, open_database
from ticketdesk.db.url import redact
from ticketdesk.domain.errors import StorageError, ValidationError
from ticketdesk.services import team_roles
from ticketdesk.services.records import AgentRecord

WRONG_PASSWORD, NO_PASSWORD, UNKNOWN_LOGIN, UNMAPPED, NOT_ALLOWED, OTHER = (
    "wrong_password", "no_password", "unknown_login", "unmapped", "not_allowed", "other")


class SignInRefused(ValidationError):
    """The server (or the desk) said no; `kind` says why, for a message in the user's words."""

    def __init__(self, kind: str, login: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.login = login


@dataclass
class SignedIn:
    store: Store
    agent: AgentRecord | None  # None: a login no agent is mapped to (the desk's owner)
    url: str


def url_for_login(url: str, login: str) -> str:
    """`url` with `login` as its user (and no password: that never goes into a URL)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{quote(login, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def login_of(url: str) -> str:
    return urlsplit(url).username or ""


def shown_url(url: str) -> str:
    """The desk's URL as the dialog shows it (never a password)."""
    return redact(url)


def keyring_status() -> tuple[bool, str]:
    """(usable, why not) of the system keyring that may remember the password."""
    return credentials.keyring_status()


def _kind(reason: str) -> str:
    text = reason.lower()
    if "password authentication failed" in text:
        return WRONG_PASSWORD
    if "no password supplied" in text or "password is required" in text:
        return NO_PASSWORD
    if "does not exist" in text and "role" in text:
        return UNKNOWN_LOGIN
    if "not permitted to log in" in text or "permission denied for database" in text:
        return NOT_ALLOWED
    return OTHER


def sign_in(url: str, login: str, password: str | None, *,
            remember: bool = False) -> SignedIn:
    """Open the team desk at `url` as `login`. Raises SignInRefused: a wrong password, no
    password where the server wants one, a login the server does not know or lets not in, or
    a login no agent of this desk is mapped to (unless it is the desk's owner, who works as
    before sign-in existed). With `remember`, a password that worked is kept in the keyring."""
    login = login.strip()
    if not login:
        raise SignInRefused(UNKNOWN_LOGIN, login, "Give your database login.")
    target = url_for_login(url, login)
    try:
        store = open_database(target, password=password or None)
    except StorageError as exc:
        raise SignInRefused(_kind(str(exc)), login, str(exc)) from exc
    try:
        agent = check_mapped(store, login)
    except BaseException:
        store.close()
        raise
    if password and remember:
        credentials.save_password(target, password)
    else:
        credentials.forget_password(target)
    return SignedIn(store, agent, target)


def check_mapped(store: Store, login: str | None = None) -> AgentRecord | None:
    """The agent the open team desk's login is; SignInRefused(UNMAPPED) for a login no agent
    is mapped to on a desk whose agents sign in (the desk's owner excepted: None)."""
    agent = team_roles.whoami(store)
    if agent is None and not store.is_sqlite and _unmapped_refused(store):
        login = login or login_of(store.url)
        raise SignInRefused(UNMAPPED, login, (
            f"The login {login!r} is not mapped to any agent of this desk; ask an admin to "
            f"run `ticketdesk agents add NAME --login {login} --role agent`."))
    return agent


def _unmapped_refused(store: Store) -> bool:
    """A login without an agent may not work on a desk whose agents sign in, unless it owns
    the desk's tables (the owner stays the desk's way in)."""
    with store.read():
        signing = store.db.execute_sql(
            "SELECT EXISTS (SELECT 1 FROM agent WHERE db_role IS NOT NULL)").fetchone()[0]
        return bool(signing) and not pg.is_owner(store.db)
