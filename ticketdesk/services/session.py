"""Who is working, on which desk, at what time: the first argument of every service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ticketdesk.db.store import Store
from ticketdesk.domain.clock import utc_now


@dataclass(frozen=True)
class Session:
    """`agent_id` None means the system (imports, demo data, the command line without --agent).

    `clock` returns UTC epoch seconds; tests pass a fixed one to build exact histories.
    """

    store: Store
    agent_id: int | None
    clock: Callable[[], int] = field(default=utc_now)

    def now(self) -> int:
        return self.clock()

    def as_agent(self, agent_id: int | None) -> Session:
        return Session(self.store, agent_id, self.clock)
