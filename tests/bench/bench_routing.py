"""Benchmark: routing and satisfaction (issue 21) on the 1,000,000-ticket demo desk.

    .venv/bin/python -m tests.bench.bench_routing [SOURCE_DB] [--work DIR] [--runs 30]

SOURCE_DB (default: the benchmarks' 1M demo desk, tests/bench/desk.py) is never modified: it is
copied into --work once (the copy is reused by later runs). On the copy the script makes sure
there are 50 agents, puts them in one team, and measures:

1. the routing decision for a new ticket (`routing.route`, inside the creating transaction but
   without its commit) per method: round robin without capacities, round robin with a capacity
   for every agent, least open, skills — median and maximum over --runs new tickets (goal
   ≤ 5 ms: it runs inside every create); and a whole `tickets.create_ticket` with routing;
2. `routing.dry_run` over the last 10,000 tickets;
3. `workload.workload` (open, due soon, breached per agent);
4. the CSAT figures (`csat.report`) for the last 30 days and all time, after rating a fifth of
   the resolved tickets of the copy (goals as the other cards: ≤ 150 ms and ≤ 1.5 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.desk import default_desk, work_copy

DEFAULT_WORK = Path(os.environ.get("TMPDIR", "/tmp")) / "ticketdesk-bench-routing"
AGENTS = 50


def _copy(source: Path, work: Path) -> Path:
    return work_copy(source, work, "routing_1m.sqlite")


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), result


def _setup(session: Any) -> list[str]:
    from ticketdesk.db.models import Agent, RoutingRule, Team
    from ticketdesk.services import agents, routing

    names = [n for (n,) in Agent.select(Agent.name).where(Agent.active == True)  # noqa: E712
             .order_by(Agent.id).tuples()]
    for i in range(len(names), AGENTS):
        agents.create_agent(session, f"Bench agent {i + 1}")
    names = [n for (n,) in Agent.select(Agent.name).where(Agent.active == True)  # noqa: E712
             .order_by(Agent.id).limit(AGENTS).tuples()]
    if not Team.select().where(Team.name == "Everyone").exists():
        routing.add_team(session, "Everyone", names)
        # A rule that rarely matches first, so every decision tries two rules.
        routing.add_rule(session, routing.RuleSpec("VIP words", "least-open", team="Everyone",
                                                   words="zzyzx"))
        for method in ("round-robin", "least-open", "skills"):
            routing.add_rule(session, routing.RuleSpec(method, method, team="Everyone",
                                                       active=False))
        routing.set_skills(session, names[0], tags=["billing"], categories=["Hardware"])
    with session.store.write():
        RoutingRule.update(active=False).where(RoutingRule.name != "VIP words").execute()
    return names


def _use(session: Any, method: str, capacity: int | None, names: list[str]) -> None:
    from ticketdesk.db.models import Agent, RoutingRule

    with session.store.write():
        RoutingRule.update(active=RoutingRule.name.in_(["VIP words", method])).execute()
        Agent.update(capacity=capacity).where(Agent.name.in_(names)).execute()


def _bench_decisions(session: Any, names: list[str], runs: int) -> None:
    from ticketdesk.services import routing, tickets

    for method, capacity in (("round-robin", None), ("round-robin", 100_000),
                             ("least-open", None), ("skills", None)):
        _use(session, "VIP words", None, names)  # only the rule that never matches: no routing
        made = [tickets.create_ticket(session, subject=f"Bench {method} {i}",
                                      tags=["billing"]).new_id for i in range(runs)]
        _use(session, method, capacity, names)
        times, cpu = [], []
        for ticket_id in made:
            with session.store.write():
                started, started_cpu = time.perf_counter(), time.process_time()
                decision = routing.route(session, ticket_id, channel="bench")
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
        assert decision is not None, method
        assert decision.agent_id is not None, decision
        cap = "no capacities" if capacity is None else "a capacity each"
        # CPU time too: on a shared, loaded machine the wall clock mostly measures the others.
        print(f"route, {method}, {cap}: median {statistics.median(times):.2f} ms, "
              f"max {max(times):.2f} ms, CPU median {statistics.median(cpu):.2f} ms "
              f"over {runs} tickets ({decision.reason[:70]}…)")
    _use(session, "round-robin", None, names)
    median, worst, _ = _timed(lambda: tickets.create_ticket(session, subject="Bench create"),
                              runs)
    print(f"create_ticket with round-robin routing (commit included): median {median:.1f} ms, "
          f"max {worst:.1f} ms")


def _rate(session: Any) -> int:
    """A fifth of the resolved tickets rated an hour after their resolution (one statement)."""
    from ticketdesk.db.models import CsatRating

    if CsatRating.select().exists():
        return int(CsatRating.select().count())
    started = time.perf_counter()
    with session.store.write():
        session.store.db.execute_sql(
            "INSERT INTO csat_rating (ticket_id, resolved_at, rating, good, comment, source, "
            "agent_id, created_at, updated_at) "
            "SELECT id, resolved_at, 1 + id / 5 % 5, CASE WHEN id / 5 % 5 >= 3 THEN 1 ELSE 0 END, "
            "CASE WHEN id % 25 = 0 THEN 'comment ' || id ELSE '' END, 'email', NULL, "
            "resolved_at + 3600, resolved_at + 3600 FROM ticket "
            "WHERE resolved_at IS NOT NULL AND id % 5 = 0")
    count = int(CsatRating.select().count())
    print(f"rated {count:,} resolved tickets in {time.perf_counter() - started:.1f} s")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=default_desk())
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--decisions-only", action="store_true",
                        help="measure the routing decisions only (1.)")
    args = parser.parse_args()

    from ticketdesk.db.models import Ticket
    from ticketdesk.db.store import open_database
    from ticketdesk.domain.period import PeriodKind
    from ticketdesk.services import analytics, csat, routing, workload
    from ticketdesk.services.session import Session

    copy = _copy(args.source, args.work)
    started = time.perf_counter()
    store = open_database(str(copy))
    print(f"opened (and migrated) the copy in {time.perf_counter() - started:.1f} s")
    try:
        session = Session(store, None)
        with store.read():
            total = Ticket.select().count()
        print(f"{total:,} tickets")
        names = _setup(session)
        print(f"{len(names)} agents in team Everyone")
        _bench_decisions(session, names, args.runs)
        if args.decisions_only:
            return

        _use(session, "round-robin", None, names)
        median, worst, result = _timed(lambda: routing.dry_run(session, 10_000), 3)
        print(f"dry_run over the last 10,000 tickets: median {median:.0f} ms, max {worst:.0f} ms "
              f"({len(result.rows):,} matched)")
        median, worst, _ = _timed(lambda: workload.workload(session), 3)
        print(f"workload of {len(names)} agents: median {median:.0f} ms, max {worst:.0f} ms")

        _rate(session)
        for kind in (PeriodKind.LAST_30D, PeriodKind.ALL_TIME):
            period = analytics.period_for(store, kind)
            median, worst, report = _timed(lambda p=period: csat.report(session, p), 5)
            s = report.summary
            share = "-" if s.share_good is None else f"{100 * s.share_good:.0f}%"
            print(f"CSAT figures, {kind.value} ({period.day_count} days, {s.ratings:,} "
                  f"ratings, {share} good): median {median:.0f} ms, max {worst:.0f} ms")
    finally:
        store.close()


if __name__ == "__main__":
    main()
