"""What is decided before any ticket is written: the ids the demo may use on this desk, the team,
the customers, the tags, and when each ticket arrives and for whom."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from ticketdesk.services.demo.chunk import TicketInputs, seed_words
from ticketdesk.services.demo.people import (
    CUSTOMER_TAGS,
    AgentPlan,
    CustomerPlan,
    customer_count,
    plan_agents,
    plan_customers,
)
from ticketdesk.services.demo.phrases import TAGS
from ticketdesk.services.demo.rhythm import creation_times, local_offset


@dataclass(frozen=True)
class DeskState:
    """What the desk already holds: the demo's rows go after it and never clash with it."""

    last_ids: dict[str, int]
    """Highest id ever used per table (sequence or max id): agent, customer, customer_tag,
    tag, ticket, message, note, attachment."""
    agent_names: frozenset[str]
    external_ids: frozenset[str]
    tags: dict[str, int]
    customer_tags: dict[str, int]


@dataclass(frozen=True)
class DeskPlan:
    agents: tuple[AgentPlan, ...]
    customers: CustomerPlan
    new_tags: list[tuple[int, str]]
    new_customer_tags: list[tuple[int, str]]
    customer_tag_ids: dict[str, int]
    inputs: TicketInputs


def _name_ids(names: tuple[str, ...], existing: dict[str, int],
              last_id: int) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Ids for `names`, reusing tags the desk has; the new ones numbered after `last_id`."""
    ids: dict[str, int] = {}
    new: list[tuple[int, str]] = []
    for name in names:
        if name in existing:
            ids[name] = existing[name]
        else:
            last_id += 1
            ids[name] = last_id
            new.append((last_id, name))
    return ids, new


def plan_desk(state: DeskState, *, tickets: int, seed: int, now: int) -> DeskPlan:
    rng = random.Random(f"ticketdesk-demo/{seed}/plan")
    np_rng = np.random.default_rng([seed_words(seed), 1])
    offset = local_offset(now)
    created = creation_times(np_rng, tickets, now, offset)
    n_customers = customer_count(tickets)
    popularity = 1.0 / (np_rng.permutation(n_customers) + 3.0) ** 0.85
    customer_of = np_rng.choice(n_customers, size=tickets, p=popularity / popularity.sum())
    customer_of = customer_of.astype(np.int32)
    agents = plan_agents(rng, now, state.last_ids["agent"] + 1, state.agent_names)
    customers = plan_customers(rng, np_rng, n_customers, state.last_ids["customer"] + 1,
                               customer_of, created, now, state.external_ids)
    tag_ids, new_tags = _name_ids(TAGS, state.tags, state.last_ids["tag"])
    customer_tag_ids, new_customer_tags = _name_ids(CUSTOMER_TAGS, state.customer_tags,
                                                    state.last_ids["customer_tag"])
    inputs = TicketInputs(
        seed=seed, now=now, offset=offset, first_ticket_id=state.last_ids["ticket"] + 1,
        created=created, customer_of=customer_of,
        customers=list(zip(customers.ids, customers.names, customers.search_refs, strict=True)),
        customer_first_names=customers.first_names, agents=agents,
        tags={name: (tag_id, name) for name, tag_id in tag_ids.items()})
    return DeskPlan(agents, customers, new_tags, new_customer_tags, customer_tag_ids, inputs)
