"""One ticket's life story: created, triaged, answered, worked, resolved, closed, and sometimes
reopened, each step at a plausible moment and recorded through `TicketRecord` as the services
would have recorded it.

The story runs forward from the ticket's creation and stops at `now` (or earlier, for the few
tickets that stall and sit forgotten in the backlog), so the status mix comes out of time itself:
two-year-old tickets are closed, last week's are resolved or waiting, this morning's are open.
Agents act in office hours (`rhythm.after_work`), customers when awake (`rhythm.awake`).

Most tickets are answered and solved in one reply; a quarter need information from the customer
first, a quarter take some work; a few are reopened, escalated, handed over or closed as
duplicates. This file is run a million times for a large demo, so it favours plain arithmetic
on pre-drawn random numbers over convenience helpers.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from itertools import accumulate

import numpy as np

from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.search import document
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services.demo.files import DemoFile, demo_file
from ticketdesk.services.demo.phrases import TAGS, TOPICS, Topic
from ticketdesk.services.demo.recorder import Person, TicketRecord
from ticketdesk.services.demo.rhythm import DAY, HOUR, WORK_WINDOWS, after_work, awake
from ticketdesk.services.demo.roster import Roster
from ticketdesk.services.demo.rows import ChunkRows
from ticketdesk.services.demo.texts import Segment, TextMaker, lit, reference

MINUTE = 60
_TOPIC_WEIGHTS = list(accumulate(t.weight for t in TOPICS))
_PRIORITIES = (Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.URGENT)
_PRIORITY_WEIGHTS = list(accumulate((18, 50, 24, 8)))
_SEVERE = frozenset(id(t) for t in TOPICS if {"crash", "security"} & set(t.tags))
_TAG_COUNTS = list(accumulate((22, 38, 28, 12)))
_CATEGORIES = sorted({t.category for t in TOPICS})
# Median working-time delays by priority (Low..Urgent): triage, then the first reply.
_TRIAGE = (4 * HOUR, 90 * MINUTE, 30 * MINUTE, 10 * MINUTE)
_FIRST_REPLY = (8 * HOUR, 3 * HOUR, HOUR, 15 * MINUTE)
_AUTO_CLOSE_RESOLVED = 5 * DAY
_AUTO_CLOSE_WAITING = 10 * DAY
_NO_REPLY = lit("No reply from the customer for ten days; closed.")
MAX_ROUNDS = 5


class Horizon(Exception):
    """The story reached `now` (or the moment it stalls): nothing after this happens."""


class Life:
    """Shared by every story of a chunk: the generators, the team, the tag ids."""

    def __init__(self, rows: ChunkRows, rng: random.Random, np_rng: np.random.Generator,
                 texts: TextMaker, roster: Roster, now: int, offset: int,
                 tags: dict[str, Person], first_ticket_id: int) -> None:
        self.rows = rows
        self.rng = rng
        self._np_rng = np_rng
        self.texts = texts
        self.roster = roster
        self.now = now
        self.offset = offset
        self.tags = tags
        self.first_ticket_id = first_ticket_id
        self._normals: list[float] = []
        self._next_normal = 0
        self._first_names: dict[int, Segment] = {}

    def spread(self, median: float, sigma: float) -> int:
        """A log-normal delay around `median` seconds (numbers pre-drawn by numpy)."""
        i = self._next_normal
        if i >= len(self._normals):
            self._normals = self._np_rng.standard_normal(8192).tolist()
            i = 0
        self._next_normal = i + 1
        return int(median * math.exp(sigma * self._normals[i])) + 1

    def signature(self, agent: Person) -> Segment:
        sig = self._first_names.get(agent[0])
        if sig is None:
            sig = self._first_names[agent[0]] = lit(agent[1].partition(" ")[0])
        return sig

    def in_office(self, at: int) -> bool:
        local = at + self.offset
        window = WORK_WINDOWS[(local // DAY + 3) % 7]
        return window is not None and window[0] <= local % DAY < window[1]


class Story:
    """The clock of one ticket's story; moving it past the horizon ends the story."""

    __slots__ = ("customer", "horizon", "life", "rec", "ref", "t")

    def __init__(self, life: Life, record: TicketRecord, customer: Segment, ref: Segment,
                 horizon: int) -> None:
        self.life = life
        self.rec = record
        self.customer = customer
        self.ref = ref
        self.horizon = horizon
        self.t = record.created_at

    def later(self, seconds: int) -> int:
        t = self.t + seconds
        if t > self.horizon:
            raise Horizon
        self.t = t
        return t

    def work(self, median: float, sigma: float = 0.9) -> int:
        """The next moment an agent gets to it: about `median` seconds of office time later."""
        life = self.life
        t = after_work(self.t, life.spread(median, sigma), life.offset)
        if t > self.horizon:
            raise Horizon
        self.t = t
        return t

    def customer_time(self, median: float) -> int:
        """When the customer answers: any time of day, but rarely at night."""
        life = self.life
        t = awake(self.t + life.spread(median, 1.1), life.offset, life.rng.random())
        if t > self.horizon:
            raise Horizon
        self.t = t
        return t

    def agent(self) -> Person:
        """Who acts now: an assignee still on the team, else whoever is on duty."""
        roster = self.life.roster
        for agent_id, name in self.rec.assignees.items():
            if roster.works_at(agent_id, self.t):
                return agent_id, name
        return roster.on_duty(self.t, self.life.rng)

    def reply(self, kind: str) -> int:
        agent = self.agent()
        body = self.life.texts.reply(self.customer, self.life.signature(agent), kind)
        self.rec.add_message(self.t, agent[0], False, body)
        return agent[0]

    def customer_writes(self, kind: str) -> None:
        life = self.life
        files: tuple[DemoFile, ...] = ()
        if kind == "reply" and life.rng.random() < 0.06:
            files = (demo_file(life.rng, self.t, self.ref[0]),)
        by = None if life.rng.random() < 0.75 else self.agent()[0]  # mail import, or a call
        self.rec.add_message(self.t, by, True, life.texts.customer_message(self.customer, kind),
                             files)


def live(life: Life, ticket_id: int, created: int, year: int, customer: tuple[int, str, str],
         customer_first: Segment) -> TicketRecord:
    """Create ticket `ticket_id` at `created` (in `year`, UTC) for `customer` and play its story
    up to now."""
    rng = life.rng
    topic = TOPICS[bisect(_TOPIC_WEIGHTS, rng.random() * _TOPIC_WEIGHTS[-1])]
    ref = reference(topic.slot, rng.random(), rng.getrandbits(31), year)
    priority = _PRIORITIES[bisect(_PRIORITY_WEIGHTS, rng.random() * _PRIORITY_WEIGHTS[-1])]
    if priority < Priority.URGENT and id(topic) in _SEVERE and rng.random() < 0.4:
        priority = _PRIORITIES[priority + 1]
    planned_tags = _plan_tags(rng, topic)
    creator: Person | None = None
    if rng.random() < 0.35 and life.in_office(created):
        creator = life.roster.on_duty(created, rng)  # logged from a call or chat
    first_tags = [name for i, name in enumerate(planned_tags)
                  if (creator and rng.random() < 0.5) or (i == 0 and rng.random() < 0.3)]
    by = creator[0] if creator else None
    record = TicketRecord(
        life.rows, ticket_id, created, by,
        subject=life.texts.subject(topic, ref),
        description=life.texts.description(topic, ref, customer_first),
        priority=priority, category=topic.category, customer=customer,
        assignees=[creator] if creator and rng.random() < 0.5 else [],
        tags=[life.tags[name] for name in first_tags])
    horizon = life.now
    fate = rng.random()
    if fate < 0.0015:
        horizon = created  # never picked up
    elif fate < 0.01:
        horizon = min(horizon, created + life.spread(3 * DAY, 1.2))  # stalls, forgotten
    story = Story(life, record, customer_first, ref, horizon)
    if rng.random() < 0.012:
        record.attach(created, by, demo_file(rng, created, ref[0]))
    try:
        _triage(story, [name for name in planned_tags if name not in first_tags])
        _work(story)
    except Horizon:
        pass
    return record


def _plan_tags(rng: random.Random, topic: Topic) -> list[str]:
    count = bisect(_TAG_COUNTS, rng.random() * _TAG_COUNTS[-1])
    tags = list(topic.tags[:count])
    while len(tags) < count:
        extra = TAGS[int(rng.random() * len(TAGS))]
        if extra not in tags:
            tags.append(extra)
    return tags


def _triage(story: Story, more_tags: list[str]) -> None:
    """An agent reads the new ticket: assigns it, tags it, corrects priority or category."""
    life, rec, rng = story.life, story.rec, story.life.rng
    t = story.work(_TRIAGE[rec.priority])
    triager = life.roster.on_duty(t, rng)[0]
    if not rec.assignees:
        roll = rng.random()
        if roll < 0.92:
            rec.assign(t, triager, life.roster.assignee(t, rng))
        if roll < 0.08:
            rec.assign(story.later(40), triager, life.roster.assignee(t, rng))
    for name in more_tags:
        rec.add_tag(story.later(15), triager, life.tags[name])
    if rng.random() < 0.02:
        wrong = life.tags[TAGS[int(rng.random() * len(TAGS))]]
        if wrong[0] not in rec.tags:
            rec.add_tag(story.later(20), triager, wrong)
            rec.remove_tag(story.later(60 + int(rng.random() * 3 * HOUR)), triager, wrong[0])
    roll = rng.random()
    if roll < 0.1:
        step = 1 if roll < 0.07 else -1
        rec.set_priority(story.later(30), triager,
                         _PRIORITIES[min(max(rec.priority + step, 0), Priority.URGENT)])
    if rng.random() < 0.04:
        rec.set_category(story.later(30), triager,
                         _CATEGORIES[int(rng.random() * len(_CATEGORIES))])


def _work(story: Story) -> None:
    """First reply, then rounds of waiting, working and resolving until the ticket closes."""
    rec, rng = story.rec, story.life.rng
    story.work(_FIRST_REPLY[rec.priority], 1.0)
    if rng.random() < 0.02 and rec.id > story.life.first_ticket_id:
        _close_duplicate(story)
        return
    roll = rng.random()
    _answer(story, "solve" if roll < 0.5 else "ask" if roll < 0.75 else "work")
    for rounds in range(1, 4 * MAX_ROUNDS):
        status = rec.status
        if status == Status.RESOLVED:
            if not _after_resolution(story):
                return
        elif status == Status.WAITING:
            if rng.random() < 0.12:
                story.later(_AUTO_CLOSE_WAITING)
                rec.set_status(story.t, None, Status.CLOSED, _NO_REPLY)
                return
            story.customer_time(5 * HOUR)
            story.customer_writes("reply")  # puts the ticket back to Open
            story.work(90 * MINUTE)
            roll = rng.random() if rounds < MAX_ROUNDS else 0.0
            _answer(story, "solve" if roll < 0.75 else "ask" if roll < 0.9 else "work")
        elif status in (Status.OPEN, Status.IN_PROGRESS):
            _working_round(story, wrap_up=rounds >= MAX_ROUNDS)
        else:
            return


def _answer(story: Story, kind: str) -> None:
    """A reply and the status it leads to: ask -> Waiting, work -> In Progress, solve ->
    Resolved (sometimes with a resolution note)."""
    rec, life = story.rec, story.life
    agent = story.reply(kind)
    if kind == "ask":
        rec.set_status(story.later(20), agent, Status.WAITING)
    elif kind == "work":
        rec.set_status(story.later(20), agent, Status.IN_PROGRESS)
    else:
        note = life.texts.resolution() if life.rng.random() < 0.12 else None
        rec.set_status(story.later(20), agent, Status.RESOLVED, note)


def _working_round(story: Story, wrap_up: bool) -> None:
    """Work on an open ticket: maybe a note, an escalation or a hand-over, then a reply that
    solves it or asks the customer. After many rounds the agent wraps it up."""
    life, rec, rng = story.life, story.rec, story.life.rng
    story.work(4 * HOUR, 1.1)
    if rng.random() < 0.3:
        agent = story.agent()[0]
        position = rec.add_note(story.t, agent, life.texts.note())
        if rng.random() < 0.05:
            rec.edit_note(story.later(60 + int(rng.random() * 2 * HOUR)), agent, position,
                          life.texts.addendum(life.texts.note()))
    roll = rng.random()
    if roll < 0.05 and rec.priority < Priority.URGENT:
        rec.set_priority(story.later(60), story.agent()[0], _PRIORITIES[rec.priority + 1])
    elif roll < 0.1 and rec.assignees:
        old = next(iter(rec.assignees))
        helper = life.roster.assignee(story.t, rng)
        if helper[0] != old:
            rec.assign(story.later(30), story.agent()[0], helper)
            rec.unassign(story.later(10), helper[0], old)
    _answer(story, "solve" if wrap_up or rng.random() < 0.8 else "ask")


def _after_resolution(story: Story) -> bool:
    """The customer objects (a reopen), thanks (which reopens too, so an agent closes it), or
    stays silent and the desk closes the ticket; rarely the customer writes again weeks after
    it closed and an agent reopens it. Returns whether the story goes on."""
    rec, rng = story.rec, story.life.rng
    roll = rng.random()
    if roll < 0.06:
        story.customer_time(2 * DAY)
        story.customer_writes("reopen")  # Resolved -> Open, recorded as a reopen
        story.work(HOUR)
        rec.set_status(story.t, story.agent()[0], Status.IN_PROGRESS)
        return True
    if roll < 0.1:
        story.customer_time(6 * HOUR)
        story.customer_writes("thanks")
        story.work(2 * HOUR)
        rec.set_status(story.t, story.agent()[0], Status.CLOSED)
    else:
        story.later(_AUTO_CLOSE_RESOLVED + int(rng.random() * 2 * DAY))
        rec.set_status(story.t, None, Status.CLOSED)
    if rng.random() >= 0.015:
        return False
    story.customer_time(20 * DAY)
    story.customer_writes("reopen")  # stays Closed until an agent reopens it
    story.work(2 * HOUR)
    rec.set_status(story.t, story.agent()[0], Status.IN_PROGRESS)
    return True


def _close_duplicate(story: Story) -> None:
    rec, rng = story.rec, story.life.rng
    agent = story.reply("work")
    original = max(story.life.first_ticket_id, rec.id - 1 - int(rng.random() * 400))
    number = format_number(original)
    note = (f"Duplicate of {number}.", f"duplicate of {document(number)}")
    rec.set_status(story.later(30), agent, Status.CLOSED, note)
