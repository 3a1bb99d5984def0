"""What a routing decision reads (issue 21): the rules in order with their members, a new
ticket's facts, the members' availability, capacity, skills and kept open counts.

Plain SQL with bound values, like services/sla.py's `_load`: these run inside every ticket's
creating transaction, where building the queries through peewee cost more than running them
(at 1,000,000 tickets and 50 agents, about half of a by-skill decision's 6.3 ms CPU was query
building; tests/bench/bench_routing.py). Both engines take the same text: identifiers are
quoted, values bound (`db.param`). Inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ticketdesk.db.models import Ticket
from ticketdesk.domain import routing as rules
from ticketdesk.domain.routing import AgentState, AgentStatus, Method, TicketFacts
from ticketdesk.domain.status import Priority


def _db() -> Any:
    return Ticket._meta.database


def _marks(db: Any, count: int) -> str:
    return ", ".join([db.param] * count)


def _lines(value: str) -> list[str]:
    return [v for v in value.split("\n") if v.strip()]


def has_assignee(ticket_id: int) -> bool:
    db = _db()
    return db.execute_sql(f"SELECT 1 FROM ticket_assignee WHERE ticket_id = {db.param} LIMIT 1",
                          (ticket_id,)).fetchone() is not None


def ticket_version(ticket_id: int) -> int:
    db = _db()
    row = db.execute_sql(f"SELECT version FROM ticket WHERE id = {db.param}",
                         (ticket_id,)).fetchone()
    return int(row[0]) if row and row[0] is not None else 1


_RULE_COLUMNS = ('r.id, r.name, r.tags, r.categories, r.customer_tags, r.priorities, r.words, '
                 'r.channels, r.team_id, r.method, r.active, r.last_agent_id, t.name')


def load_rules(*, active_only: bool = False) -> list[rules.Rule]:
    """Every rule in order (`position`, then id), with its members: the team's, or its own
    agents."""
    db = _db()
    where, params = ("WHERE r.active = " + db.param, [True]) if active_only else ("", [])
    found = list(db.execute_sql(
        f'SELECT {_RULE_COLUMNS} FROM routing_rule AS r '
        f'LEFT OUTER JOIN team AS t ON t.id = r.team_id {where} '
        f'ORDER BY r."position", r.id', params))
    if not found:
        return []
    team_members: dict[int, list[int]] = {}
    for team_id, agent_id in db.execute_sql("SELECT team_id, agent_id FROM team_member"):
        team_members.setdefault(team_id, []).append(agent_id)
    own: dict[int, list[tuple[int, str]]] = {}
    for rule_id, agent_id, name in db.execute_sql(
            "SELECT ra.rule_id, a.id, a.name FROM routing_rule_agent AS ra "
            "JOIN agent AS a ON a.id = ra.agent_id ORDER BY a.id"):
        own.setdefault(rule_id, []).append((agent_id, name))
    result = []
    for (rule_id, name, tags, categories, customer_tags, priorities, words, channels, team_id,
         method, active, last_agent_id, team_name) in found:
        if team_id is not None:
            members = tuple(sorted(team_members.get(team_id, [])))
            target = team_name
        else:
            members = tuple(a for a, _ in own.get(rule_id, []))
            target = ", ".join(n for _, n in own.get(rule_id, [])) or "no one"
        conditions = rules.Conditions.of(
            tags=_lines(tags), categories=_lines(categories),
            customer_tags=_lines(customer_tags),
            priorities=[Priority(int(p)) for p in _lines(priorities)],
            words_text=_lines(words), channels=_lines(channels))
        result.append(rules.Rule(int(rule_id), name, conditions, Method(method), target,
                                 members, int(last_agent_id), bool(active)))
    return result


def ticket_facts(ticket_ids: Sequence[int], channels: dict[int, str] | None = None,
                 ) -> dict[int, TicketFacts]:
    """What the rules look at, for each ticket (three queries whatever the number)."""
    db = _db()
    ids = list(ticket_ids)
    if not ids:
        return {}
    tags: dict[int, set[str]] = {}
    customer_tags: dict[int, set[str]] = {}
    tickets = list(db.execute_sql(
        "SELECT id, category, priority, subject, description, customer_id FROM ticket "
        f"WHERE id IN ({_marks(db, len(ids))})", ids))
    for tid, name in db.execute_sql(
            "SELECT l.ticket_id, t.name FROM ticket_tag AS l JOIN tag AS t ON t.id = l.tag_id "
            f"WHERE l.ticket_id IN ({_marks(db, len(ids))})", ids):
        tags.setdefault(tid, set()).add(name)
    customers = list({c for *_, c in tickets if c is not None})
    if customers:
        for cid, name in db.execute_sql(
                "SELECT l.customer_id, t.name FROM customer_tag_link AS l "
                "JOIN customer_tag AS t ON t.id = l.tag_id "
                f"WHERE l.customer_id IN ({_marks(db, len(customers))})", customers):
            customer_tags.setdefault(cid, set()).add(name)
    channels = channels or {}
    return {tid: TicketFacts(frozenset(tags.get(tid, ())), category or "",
                             frozenset(customer_tags.get(cid, ()) if cid else ()),
                             Priority(priority), subject or "", description or "",
                             channels.get(tid, ""))
            for tid, category, priority, subject, description, cid in tickets}


def agent_states(agent_ids: Iterable[int], *, skills: bool = True,
                 counts: bool = False) -> dict[int, AgentState]:
    """Availability, capacity and (when `skills`) skills of these agents; with `counts`, their
    open tickets as kept by the database (migration 24) in the same read."""
    db = _db()
    ids = list(set(agent_ids))
    if not ids:
        return {}
    marks = _marks(db, len(ids))
    tag_skills: dict[int, set[str]] = {}
    categories: dict[int, set[str]] = {}
    if skills:
        # One read of both kinds of skill: 't' rows name a tag, 'c' rows a category.
        for agent_id, kind, name in db.execute_sql(
                "SELECT s.agent_id, 't', t.name FROM agent_tag_skill AS s "
                f"JOIN tag AS t ON t.id = s.tag_id WHERE s.agent_id IN ({marks}) "
                "UNION ALL SELECT agent_id, 'c', category FROM agent_category_skill "
                f"WHERE agent_id IN ({marks})", ids + ids):
            (tag_skills if kind == "t" else categories).setdefault(agent_id, set()).add(name)
    if counts:
        query = ("SELECT a.id, a.name, a.status, a.capacity, a.active, c.open_count "
                 "FROM agent AS a LEFT OUTER JOIN agent_open_count AS c ON c.agent_id = a.id "
                 f"WHERE a.id IN ({marks})")
    else:
        query = ("SELECT a.id, a.name, a.status, a.capacity, a.active, NULL FROM agent AS a "
                 f"WHERE a.id IN ({marks})")
    return {aid: AgentState(aid, name, AgentStatus(status), capacity,
                            (int(kept or 0) if counts else None),
                            frozenset(tag_skills.get(aid, ())),
                            frozenset(categories.get(aid, ())), bool(active))
            for aid, name, status, capacity, active, kept in db.execute_sql(query, ids)}
