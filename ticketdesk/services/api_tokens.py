"""Tokens for the HTTP API (issue 22): add (shown once), list, revoke, and who a token is.

A token is `tdk_` + 43 URL-safe characters (256 random bits from `secrets`); only its SHA-256 is
stored (migration 17). A fast hash is enough here: the secret is random, not a password a person
chose, so there is nothing to guess from the hash.

Who made a change: each integration has an agent row of its own called `api:NAME`, inactive
(so it is never offered for assignment and never routed to), and every call made with its token
runs as a `Session` of that agent. The activity trail, message authors and note authors therefore
say `api:NAME` through the same `services/audit.py` path as the window.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from peewee import fn

from ticketdesk.db.models import Agent, ApiToken
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

PREFIX = "tdk_"
AGENT_PREFIX = "api:"
LAST_USE_EVERY = 60
"""Seconds between two writes of a token's `last_used_at` (a busy integration must not turn
every read into a write)."""
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")


@dataclass(frozen=True)
class TokenRecord:
    id: int
    name: str
    agent_id: int
    read_only: bool
    created_at: int
    last_used_at: int | None
    revoked_at: int | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Caller:
    """Who a valid token is: the session its calls run as."""

    token_id: int
    name: str
    agent_id: int
    read_only: bool
    last_used_at: int | None


def check_name(name: str) -> str:
    clean = name.strip()
    if not _NAME.fullmatch(clean):
        raise ValidationError(
            f"{name!r} is not a usable integration name: 1-40 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit.")
    return clean


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _record(row: ApiToken) -> TokenRecord:
    return TokenRecord(row.id, row.name, row.agent_id, bool(row.read_only), row.created_at,
                       row.last_used_at, row.revoked_at)


def add_token(session: Session, name: str, *, read_only: bool = False) -> tuple[str, Changes]:
    """A new token for integration `name`; returns the token itself (shown once, never stored).
    The integration's agent `api:NAME` is created the first time, reused after a revoke."""
    clean = check_name(name)
    token = PREFIX + secrets.token_urlsafe(32)
    agent_name = AGENT_PREFIX + clean
    now = session.now()
    with session.store.write():
        live = (ApiToken.select(ApiToken.id)
                .where((fn.lower(ApiToken.name) == clean.lower()) & ApiToken.revoked_at.is_null()))
        if live.exists():
            raise ValidationError(f"There is already a token called {clean!r}; revoke it first.")
        agent_id = (Agent.select(Agent.id).where(fn.lower(Agent.name) == agent_name.lower())
                    .scalar())
        if agent_id is None:
            agent_id = Agent.insert(name=agent_name, active=False, created_at=now,
                                    status="off").execute()
        ApiToken.insert(name=clean, agent=agent_id, token_hash=token_hash(token),
                        read_only=read_only, created_at=now).execute()
    return token, Changes(agents=True)


def list_tokens(store: Store, *, include_revoked: bool = True) -> list[TokenRecord]:
    with store.read():
        query = ApiToken.select().order_by(ApiToken.revoked_at.is_null().desc(),
                                           fn.lower(ApiToken.name), ApiToken.id)
        if not include_revoked:
            query = query.where(ApiToken.revoked_at.is_null())
        return [_record(row) for row in query]


def revoke_token(session: Session, name: str) -> Changes:
    """Revoke the live token of `name`: the next call with it gets 401."""
    clean = name.strip()
    with session.store.write():
        done = (ApiToken.update(revoked_at=session.now())
                .where((fn.lower(ApiToken.name) == clean.lower())
                       & ApiToken.revoked_at.is_null()).execute())
    if not done:
        raise NotFoundError(f"There is no live token called {clean!r}.")
    return Changes(agents=True)


def caller_for(store: Store, token: str) -> Caller | None:
    """The integration a presented token belongs to, or None (unknown, malformed or revoked)."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    with store.read():
        row = (ApiToken.select(ApiToken.id, ApiToken.name, ApiToken.agent, ApiToken.read_only,
                               ApiToken.last_used_at)
               .where((ApiToken.token_hash == token_hash(token))
                      & ApiToken.revoked_at.is_null()).tuples().first())
    if row is None:
        return None
    token_id, name, agent_id, read_only, last_used = row
    return Caller(token_id, name, agent_id, bool(read_only), last_used)


def record_use(store: Store, caller: Caller, now: int) -> bool:
    """Note that the token was used at `now`, unless that was noted within `LAST_USE_EVERY`
    seconds; returns whether it wrote."""
    if caller.last_used_at is not None and now - caller.last_used_at < LAST_USE_EVERY:
        return False
    with store.write(quiet=True):
        ApiToken.update(last_used_at=now).where(ApiToken.id == caller.token_id).execute()
    return True
