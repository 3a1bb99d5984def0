"""Generating a chunk of consecutive tickets: the unit of work handed to a worker process.

A chunk draws from random generators seeded by (seed, chunk number) alone, and numbers its
messages, notes and attachments locally (see `rows`), so its rows do not depend on which process
made it or on what came before: one seed gives one desk, generated in-process or in parallel.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ticketdesk.services.demo.history import Life, live
from ticketdesk.services.demo.people import AgentPlan
from ticketdesk.services.demo.rhythm import SPAN
from ticketdesk.services.demo.roster import Roster
from ticketdesk.services.demo.rows import ChunkRows
from ticketdesk.services.demo.texts import TextMaker, WordStream, lit

CHUNK = 2048
"""Tickets per chunk. Part of what a seed means: changing it changes every demo desk."""


def chunk_count(tickets: int) -> int:
    return (tickets + CHUNK - 1) // CHUNK


def seed_words(seed: int) -> int:
    """The seed as numpy's SeedSequence accepts it (non-negative)."""
    return seed % (1 << 64)


@dataclass(frozen=True)
class TicketInputs:
    """Everything a chunk needs, decided before any ticket is generated; sent once to each
    worker process."""

    seed: int
    now: int
    offset: int
    first_ticket_id: int
    created: np.ndarray
    """Creation instant of each ticket, ascending (ticket i has id first_ticket_id + i)."""
    customer_of: np.ndarray
    """Index into `customers` of each ticket's customer."""
    customers: list[tuple[int, str, str]]
    """(id, name, search form of name, email and company)."""
    customer_first_names: list[str]
    agents: tuple[AgentPlan, ...]
    tags: dict[str, tuple[int, str]]

    @property
    def count(self) -> int:
        return len(self.created)


class ChunkMaker:
    """Builds chunks for one set of inputs (the team roster is worked out once)."""

    def __init__(self, inputs: TicketInputs) -> None:
        self.inputs = inputs
        self.roster = Roster(inputs.agents, inputs.now - SPAN, inputs.now)
        self._first_names = [lit(name) for name in inputs.customer_first_names]
        self._years = (inputs.created.astype("datetime64[s]").astype("datetime64[Y]")
                       .astype(np.int64) + 1970).tolist()

    def build(self, index: int, tick: Callable[[], object] | None = None) -> ChunkRows:
        """Chunk `index`; `tick` (in-process generation: progress and cancel) is called every
        few hundred tickets."""
        inputs = self.inputs
        rows = ChunkRows(index)
        rng = random.Random(f"ticketdesk-demo/{inputs.seed}/chunk/{index}")
        np_rng = np.random.default_rng([seed_words(inputs.seed), 0, index])
        life = Life(rows, rng, np_rng, TextMaker(rng, WordStream(np_rng)), self.roster,
                    inputs.now, inputs.offset, inputs.tags, inputs.first_ticket_id)
        first = index * CHUNK
        last = min(first + CHUNK, inputs.count)
        created = inputs.created[first:last].tolist()
        owners = inputs.customer_of[first:last].tolist()
        for i, (at, owner) in enumerate(zip(created, owners, strict=True)):
            if tick is not None and i % 256 == 255:
                tick()
            record = live(life, inputs.first_ticket_id + first + i, at, self._years[first + i],
                          inputs.customers[owner], self._first_names[owner])
            record.finish()
        return rows
