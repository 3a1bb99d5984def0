"""A synthetic desk for timing analytics when the demo generator's database is not at hand.

It mimics the distribution of the raw-SQL floor benchmark's database (three years of tickets,
67 % closed, 0-3 of 15 tags, 20 agents) on the application's real schema, and adds what analytics
reads that such a bare database has no place for: a status history in `activity` that agrees
with the ticket rows (including tickets reopened after resolution), first replies, tickets with
no reply, and tickets still open. Rows are written with plain SQL through APSW, in bulk; only the
schema comes from the application (its migrations), so the indexes are exactly the ones users get.

usage: python -m tests.bench.analytics_data PATH [--tickets N] [--now EPOCH]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DAY = 86400
SPAN = 3 * 365 * DAY
TAGS = ("refund login password invoice billing crash slow error export import sync "
        "account delete upgrade plan").split()
AGENTS = 20
LABELS = ("Open", "In Progress", "Waiting", "Resolved", "Closed")


def _ticket(rnd: random.Random, tid: int, created: int, now: int) -> tuple[Any, ...]:
    """One ticket's row, tags, assignees and history, consistent with each other."""
    status = rnd.choices(range(5), weights=(10, 8, 5, 10, 67))[0]
    first = created + rnd.randint(60, 2 * DAY) if status else None
    if first is not None and first > now:
        status, first = 0, None
    resolved = created + rnd.randint(3600, 10 * DAY) if status >= 3 else None
    if resolved is not None and resolved > now:
        status, resolved = 1, None
    if first is not None and resolved is not None and first > resolved:
        first = created + (resolved - created) // 2
    closed = resolved + rnd.randint(0, 2 * DAY) if status == 4 and resolved else None
    if closed is not None and closed > now:
        status, closed = 3, None
    if status >= 3 and rnd.random() < 0.05:
        first = None  # resolved without ever replying (duplicates, spam)
    history: list[tuple[int, str, str, str]] = []  # (at, kind, old, new)
    current = "Open"
    if first is not None:
        history.append((first, "status", current, "In Progress"))
        current = "In Progress"
    if resolved is not None:
        if rnd.random() < 0.08 and resolved - created > 4 * 3600:
            # resolved once, reopened by the customer, resolved again later
            r1 = created + (resolved - created) // 3
            history.append((r1, "status", current, "Resolved"))
            history.append((r1 + (resolved - created) // 6, "reopened", "Resolved", "Open"))
            current = "Open"
        history.append((resolved, "status", current, "Resolved"))
        current = "Resolved"
        if closed is not None:
            history.append((closed, "status", current, "Closed"))
    elif status and rnd.random() < 0.1 and now - created > 2 * DAY:
        # still active, but resolved and reopened once on the way
        r1 = created + rnd.randint(DAY // 2, DAY)
        history.append((r1, "status", current, "Resolved"))
        history.append((r1 + rnd.randint(600, DAY // 2), "reopened", "Resolved", "In Progress"))
        current = "In Progress"
    status_label = LABELS[status]
    if current != status_label and status < 3:
        history.append((max(h[0] for h in history) + 60 if history else created + 60, "status",
                        current, status_label))
    priority = rnd.choices(range(4), weights=(20, 50, 20, 10))[0]
    tags = rnd.sample(range(1, len(TAGS) + 1), rnd.randint(0, 3))
    agents: list[int] = []
    if status or rnd.random() < 0.3:
        agents.append(rnd.randint(1, AGENTS))
        if rnd.random() < 0.1:
            agents.append(rnd.choice([a for a in range(1, AGENTS + 1) if a != agents[0]]))
    updated = max([created, *(h[0] for h in history), first or created])
    row = (tid, f"Ticket {tid} subject line", "", status, priority, "", rnd.randint(1, 1000),
           created, updated, first, resolved, closed, 1 + len(history))
    return row, tags, agents, history, first


def rows(n: int, now: int, seed: int = 42) -> Iterator[tuple[Any, ...]]:
    rnd = random.Random(seed)
    for tid in range(1, n + 1):
        created = now - SPAN + (SPAN * tid) // n - rnd.randint(0, 3600)
        yield tid, *_ticket(rnd, tid, created, now)


def build(path: Path, n: int, now: int) -> None:
    import apsw

    from ticketdesk.db.store import open_database

    if path.exists():
        raise SystemExit(f"{path} exists; remove it first")
    store = open_database(f"sqlite:///{path}")
    store.close()
    con = apsw.Connection(str(path))
    con.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-500000")
    with con:
        con.executemany("INSERT INTO agent (id, name, email, active, created_at) "
                        "VALUES (?,?,?,1,?)",
                        [(a, f"Agent {a:02d}", f"agent{a}@desk.example", now - SPAN)
                         for a in range(1, AGENTS + 1)])
        con.executemany("INSERT INTO customer (id, name, created_at) VALUES (?,?,?)",
                        [(c, f"Customer {c}", now - SPAN) for c in range(1, 1001)])
        con.executemany("INSERT INTO tag (id, name) VALUES (?,?)",
                        list(enumerate(TAGS, 1)))
    batch: dict[str, list[tuple[Any, ...]]] = {k: [] for k in
                                               ("ticket", "tag", "assignee", "activity", "msg")}

    def flush() -> None:
        with con:
            con.executemany("INSERT INTO ticket (id, subject, description, status, priority, "
                            "category, customer_id, created_at, updated_at, first_response_at, "
                            "resolved_at, closed_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            batch["ticket"])
            con.executemany("INSERT INTO ticket_tag VALUES (?,?)", batch["tag"])
            con.executemany("INSERT INTO ticket_assignee VALUES (?,?)", batch["assignee"])
            con.executemany("INSERT INTO activity (ticket_id, agent_id, at, kind, old, new, "
                            "ticket_version) VALUES (?,?,?,?,?,?,?)", batch["activity"])
            con.executemany("INSERT INTO message (ticket_id, incoming, agent_id, body, created_at)"
                            " VALUES (?,?,?,?,?)", batch["msg"])
        for values in batch.values():
            values.clear()

    started = time.perf_counter()
    for tid, row, tags, agents, history, first in rows(n, now):
        batch["ticket"].append(row)
        batch["tag"] += [(tid, t) for t in tags]
        batch["assignee"] += [(tid, a) for a in agents]
        agent = agents[0] if agents else None
        created = row[7]
        batch["activity"].append((tid, None, created, "created", None, row[1], 1))
        batch["activity"] += [(tid, None, created, "tagged", None, TAGS[t - 1], 1) for t in tags]
        batch["msg"].append((tid, 1, None, "Hello, something is wrong.", created))
        if first is not None:
            batch["msg"].append((tid, 0, agent, "Thanks, we are on it.", first))
            batch["activity"].append((tid, agent, first, "message_out", None, "Thanks", 1))
        for version, (at, kind, old, new) in enumerate(sorted(history), 2):
            batch["activity"].append((tid, agent, at, kind, old, new, version))
        if len(batch["ticket"]) >= 20_000:
            flush()
            print(f"\r{tid:,} tickets, {time.perf_counter() - started:.0f} s", end="", flush=True)
    flush()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    print(f"\nbuilt {n:,} tickets in {time.perf_counter() - started:.0f} s: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--now", type=int, default=int(time.time()))
    args = parser.parse_args()
    build(args.path, args.tickets, args.now)


if __name__ == "__main__":
    main()
