"""Who is on the team at a given moment, and who picks up a ticket.

Availability is looked up per week: an agent counts for a week only if hired before it began and,
for assignments, still there two months after it ended, so a ticket is never handed to someone
about to leave. Picks are weighted by each agent's share of the work.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

from ticketdesk.services.demo.people import AgentPlan
from ticketdesk.services.demo.rhythm import DAY, WEEK

Person = tuple[int, str]
_STAY = 60 * DAY


class Roster:
    def __init__(self, agents: tuple[AgentPlan, ...], start: int, now: int) -> None:
        self.start = start
        self._employed = {a.id: (a.hired_at, a.left_at or (1 << 62)) for a in agents}
        weeks = (now - start) // WEEK + 2
        self._weeks: list[tuple[tuple[Person, ...], list[float]]] = []
        self._staying: list[tuple[tuple[Person, ...], list[float]]] = []
        for w in range(weeks):
            begin = start + w * WEEK
            end = begin + WEEK
            here = [a for a in agents if a.employed(begin, end)] or list(agents)
            staying = [a for a in here if a.employed(begin, end + _STAY)] or here
            self._weeks.append(self._table(here))
            self._staying.append(self._table(staying))

    @staticmethod
    def _table(agents: list[AgentPlan]) -> tuple[tuple[Person, ...], list[float]]:
        return tuple((a.id, a.name) for a in agents), list(accumulate(a.weight for a in agents))

    def _week(self, at: int) -> int:
        return min(max((at - self.start) // WEEK, 0), len(self._weeks) - 1)

    def on_duty(self, at: int, rng: random.Random) -> Person:
        """Any agent working here at `at`."""
        people, weights = self._weeks[self._week(at)]
        return people[bisect(weights, rng.random() * weights[-1])]

    def assignee(self, at: int, rng: random.Random) -> Person:
        """An agent who works here at `at` and will for a while yet."""
        people, weights = self._staying[self._week(at)]
        return people[bisect(weights, rng.random() * weights[-1])]

    def works_at(self, agent_id: int, at: int) -> bool:
        hired, left = self._employed[agent_id]
        return hired <= at < left
