"""The demo's people: a support team whose members join and leave, and the customers they serve.

Agents carry a hiring date and, for those who left, a leaving date; the story of a ticket only
lets an agent act while employed, so an inactive agent's name appears on old tickets and never on
new ones. Customers are spread over companies (colleagues share a domain) and private people with
free-mail addresses; a few customers open many tickets, most open one or two.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

import numpy as np

from ticketdesk.domain.search import document
from ticketdesk.services.demo.rhythm import DAY, SPAN
from ticketdesk.services.demo.vocabulary import (
    COMPANY_FORMS,
    COMPANY_HEADS,
    COMPANY_TAILS,
    FIRST_NAMES,
    FREE_MAIL,
    LAST_NAMES,
)

TEAM_SIZE = 20
TEAM_LEFT = 5  # of whom this many have left the desk (inactive)
TEAM_JOINED = 3  # and this many joined during the two years
DESK_DOMAIN = "helpdesk.example"
CUSTOMER_TAGS = ("vip", "enterprise", "smb", "trial", "partner", "education", "nonprofit",
                 "beta", "churn-risk")
_ASCII = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "đ": "d",
                        "ı": "i", "'": "", " ": ""})


def ascii_slug(text: str) -> str:
    """Lowercase ASCII letters for an email address (José -> jose, Łukasz -> lukasz)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return "".join(ch for ch in decomposed.lower() if ch.isascii() and ch.isalnum())


@dataclass(frozen=True)
class AgentPlan:
    id: int
    name: str
    email: str
    hired_at: int
    left_at: int | None
    weight: float
    """How much of the work this agent takes (some are faster, some part-time)."""

    @property
    def active(self) -> bool:
        return self.left_at is None

    def employed(self, start: int, end: int) -> bool:
        """Works here for the whole of [start, end]."""
        return self.hired_at <= start and (self.left_at is None or self.left_at > end)


def plan_agents(rng: random.Random, now: int, first_id: int,
                taken_names: frozenset[str]) -> tuple[AgentPlan, ...]:
    """The team: most hired before the two years began, a few since, some gone already.

    Names already on the desk (compared case-insensitively) are skipped, so the demo never
    clashes with an agent the user created.
    """
    start = now - SPAN
    names: list[str] = []
    seen = {n.lower() for n in taken_names}
    while len(names) < TEAM_SIZE:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    agents = []
    for i, name in enumerate(names):
        if i < TEAM_JOINED:
            hired = start + rng.randint(60, SPAN // DAY - 90) * DAY
        else:
            hired = start - rng.randint(30, 2000) * DAY
        left = None
        if TEAM_JOINED <= i < TEAM_JOINED + TEAM_LEFT:
            left = max(hired, start) + rng.randint(90, SPAN // DAY - 150) * DAY
        first, _, last = name.partition(" ")
        email = f"{ascii_slug(first)}.{ascii_slug(last)}@{DESK_DOMAIN}"
        agents.append(AgentPlan(first_id + i, name, email, hired, left,
                                round(rng.uniform(0.5, 1.5), 3)))
    return tuple(agents)


@dataclass(frozen=True)
class CustomerPlan:
    """Columns of the customer table, one entry per customer, plus what tickets need."""

    ids: list[int]
    names: list[str]
    emails: list[str]
    phones: list[str]
    companies: list[str]
    external_ids: list[str | None]
    created_at: list[int]
    tags: list[tuple[str, ...]]
    first_names: list[str]
    search_refs: list[str]
    """document(name, email, company): the customer's part of each ticket's search `ref`."""

    def __len__(self) -> int:
        return len(self.ids)


def customer_count(tickets: int) -> int:
    return max(50, tickets // 10)


def _companies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(display name, mail domain) pairs, unique by domain."""
    found: dict[str, str] = {}
    while len(found) < count:
        head, tail = rng.choice(COMPANY_HEADS), rng.choice(COMPANY_TAILS)
        form = rng.choice(COMPANY_FORMS)
        domain = f"{head}-{tail}.example".lower()
        if domain in found:
            domain = f"{head}{tail}{len(found)}.example".lower()
        found[domain] = f"{head} {tail} {form}".strip()
    return [(name, domain) for domain, name in found.items()]


def _phone(rng: random.Random) -> str:
    """Fictional numbers in ranges reserved for drama and documentation."""
    kind = rng.random()
    if kind < 0.45:
        return f"+1 (555) 01{rng.randint(0, 99):02d}-{rng.randint(0, 9999):04d}"
    if kind < 0.7:
        return f"+44 20 7946 0{rng.randint(0, 999):03d}"
    if kind < 0.85:
        return f"+49 30 {rng.randint(100000, 999999)}"
    if kind < 0.95:
        return f"+33 1 99 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"
    return ""


def plan_customers(rng: random.Random, np_rng: np.random.Generator, count: int, first_id: int,
                   ticket_customer: np.ndarray, created: np.ndarray, now: int,
                   taken_external_ids: frozenset[str]) -> CustomerPlan:
    """`count` customers; `ticket_customer[i]` is the customer index of ticket i (created at
    `created[i]`), so each customer exists before their first ticket and the busiest customers
    are the ones tagged vip or enterprise."""
    start = now - SPAN
    firsts = np.full(count, now, dtype=np.int64)
    np.minimum.at(firsts, ticket_customer, created)
    volume = np.bincount(ticket_customer, minlength=count)
    busiest = set(np.argsort(-volume, kind="stable")[: max(1, count // 30)].tolist())
    lead = np_rng.exponential(120 * DAY, count).astype(np.int64)
    companies = _companies(rng, max(5, count // 6))
    enterprise_domains = {domain for _, domain in companies[: max(1, len(companies) // 10)]}
    plan = CustomerPlan([], [], [], [], [], [], [], [], [], [])
    used_emails: set[str] = set()
    for i in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {last}"
        if rng.random() < 0.72:
            company, domain = companies[int(rng.random() ** 1.6 * len(companies))]
        else:
            company, domain = "", rng.choice(FREE_MAIL)
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        email = f"{local}@{domain}"
        if email in used_emails:
            email = f"{local}{i}@{domain}"
        used_emails.add(email)
        external: str | None = None
        if rng.random() < 0.85:
            external = f"CRM-{1_000_000 + (i * 7919 + 12345) % 9_000_000:07d}"
            if external in taken_external_ids:
                external = None
        if volume[i]:
            born = max(int(firsts[i]) - int(lead[i]), start - 3 * 365 * DAY)
        else:
            born = start + int(rng.random() * (now - start))
        plan.ids.append(first_id + i)
        plan.names.append(name)
        plan.emails.append(email)
        plan.phones.append(_phone(rng))
        plan.companies.append(company)
        plan.external_ids.append(external)
        plan.created_at.append(born)
        plan.tags.append(_customer_tags(rng, i in busiest, domain in enterprise_domains,
                                        company))
        plan.first_names.append(first)
        plan.search_refs.append(document(name, email, company))
    return plan


def _customer_tags(rng: random.Random, busy: bool, enterprise: bool,
                   company: str) -> tuple[str, ...]:
    tags = []
    if busy and rng.random() < 0.6:
        tags.append("vip")
    if enterprise:
        tags.append("enterprise")
    elif company and rng.random() < 0.35:
        tags.append("smb")
    roll = rng.random()
    if roll < 0.08:
        tags.append("trial")
    elif roll < 0.12:
        tags.append("partner")
    elif roll < 0.15 and company:
        tags.append(rng.choice(("education", "nonprofit")))
    if rng.random() < 0.05:
        tags.append("beta")
    if rng.random() < 0.03:
        tags.append("churn-risk")
    return tuple(tags)
