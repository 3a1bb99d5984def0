"""One ticket's record, written exactly as the services would have written it.

Each method stands for one service call made at a given instant by a given agent (None is the
system) and leaves the same traces: the version bump of `audit.save_ticket`, the activity rows of
`audit.record` with the human labels ("Open", "In Progress"), `updated_at` touched by messages
and notes, `first_response_at` set by an agent's first reply, resolved/closed times from
`domain.status.times_after`, and a customer message putting a Waiting or Resolved ticket back to
Open. If a service changes what it records, this is the file to change with it.
"""

from __future__ import annotations

from ticketdesk.db.search_index import bounded
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.numbers import PREFIX, format_number
from ticketdesk.domain.search import document
from ticketdesk.domain.status import (
    Priority,
    Status,
    StatusTimes,
    check_transition,
    is_reopen,
    times_after,
)
from ticketdesk.services.demo.files import DemoFile
from ticketdesk.services.demo.rows import ChunkRows
from ticketdesk.services.messages import EXCERPT

Person = tuple[int, str]
"""(id, name) of an agent or a tag."""

_CREATED = ActivityKind.CREATED.value
_PRIORITY = ActivityKind.PRIORITY.value
_CUSTOMER = ActivityKind.CUSTOMER.value
_CATEGORY = ActivityKind.CATEGORY.value
_ASSIGNED = ActivityKind.ASSIGNED.value
_UNASSIGNED = ActivityKind.UNASSIGNED.value
_TAGGED = ActivityKind.TAGGED.value
_UNTAGGED = ActivityKind.UNTAGGED.value
_STATUS = ActivityKind.STATUS.value
_REOPENED = ActivityKind.REOPENED.value
_MESSAGE_IN = ActivityKind.MESSAGE_IN.value
_MESSAGE_OUT = ActivityKind.MESSAGE_OUT.value
_NOTE_ADDED = ActivityKind.NOTE_ADDED.value
_NOTE_EDITED = ActivityKind.NOTE_EDITED.value
_ATTACHED = ActivityKind.ATTACHED.value
_STATUS_LABEL = {s: s.label for s in Status}
_PRIORITY_LABEL = {p: p.label for p in Priority}
_WAKES_UP = (Status.WAITING, Status.RESOLVED)
_NOW, _KEEP, _CLEAR = 1, 2, 0
_PREFIX = PREFIX
# The prefix's search form, if it ends in a separator (then the digits are a word of their own).
_PREFIX_SEARCH = document(PREFIX) if PREFIX and not PREFIX[-1].isalnum() else ""


def _number_search(ticket_id: int) -> str:
    """document(format_number(id)), without the tokenizer when the number is a prefix and
    digits ("TKT-000013" -> "tkt 000013"), as it is today."""
    number = format_number(ticket_id)
    digits = number[len(_PREFIX):]
    if number.startswith(_PREFIX) and digits.isdigit() and _PREFIX_SEARCH:
        return f"{_PREFIX_SEARCH} {digits}"
    return document(number)


def excerpt(body: str) -> str:
    """`services.messages._excerpt` for the demo's texts, whose only runs of whitespace are
    single spaces and one or two line breaks (tests compare the two on every demo message)."""
    line = body.replace("\n\n", " ").replace("\n", " ")
    return line if len(line) <= EXCERPT else line[: EXCERPT - 1] + "…"
_MOVES: dict[int, tuple[str, int, int, str, str]] = {}


def _move(old: Status, new: Status, resolved: bool, closed: bool) -> tuple[str, int, int, str, str]:
    """How `tickets.apply_status` moves `old` -> `new`, worked out once per case from the domain
    rules themselves (`check_transition`, `times_after`, `is_reopen`): the activity kind, what
    happens to resolved_at and closed_at (set to now, kept, cleared), and the two labels.
    `resolved`/`closed` say whether those times are set before the move."""
    key = ((old * 5 + new) * 2 + resolved) * 2 + closed
    move = _MOVES.get(key)
    if move is None:
        check_transition(old, new)
        now, kept_resolved, kept_closed = -1, -2, -3
        times = times_after(old, new, now, StatusTimes(kept_resolved if resolved else None,
                                                       kept_closed if closed else None))

        def rule(value: int | None) -> int:
            return _CLEAR if value is None else _NOW if value == now else _KEEP

        kind = _REOPENED if is_reopen(old, new) else _STATUS
        move = _MOVES[key] = (kind, rule(times.resolved_at), rule(times.closed_at),
                              _STATUS_LABEL[old], _STATUS_LABEL[new])
    return move


class _Note:
    """A note while the story may still edit it."""

    __slots__ = ("author", "body", "created", "folded", "id", "updated", "version")

    def __init__(self, note_id: int, body: tuple[str, str], at: int, author: int | None) -> None:
        self.id = note_id
        self.body, self.folded = body
        self.created = self.updated = at
        self.version = 1
        self.author = author


class TicketRecord:
    """The ticket's fields as they stand after the calls so far, and the rows they wrote."""

    __slots__ = (
        "_body_fold",
        "_notes",
        "_ref",
        "_rows",
        "_subject_fold",
        "_talk",
        "assignees",
        "category",
        "closed_at",
        "created_at",
        "customer_id",
        "description",
        "first_response_at",
        "id",
        "priority",
        "resolved_at",
        "status",
        "subject",
        "tags",
        "updated_at",
        "version",
    )

    def __init__(self, rows: ChunkRows, ticket_id: int, at: int, agent: int | None, *,
                 subject: tuple[str, str], description: tuple[str, str], priority: Priority,
                 category: str, customer: tuple[int, str, str] | None,
                 assignees: list[Person], tags: list[Person]) -> None:
        """`services.tickets.create_ticket`: an Open ticket at version 1 with its first rows.
        `customer` is (id, name, search form of name, email and company)."""
        self._rows = rows
        self.id = ticket_id
        self.subject, self._subject_fold = subject
        self.description, self._body_fold = description
        self.status = Status.OPEN
        self.priority = priority
        self.category = category
        self.customer_id = customer[0] if customer else None
        self.created_at = self.updated_at = at
        self.first_response_at: int | None = None
        self.resolved_at: int | None = None
        self.closed_at: int | None = None
        self.version = 1
        self.assignees: dict[int, str] = dict(assignees)
        self.tags: dict[int, str] = dict(tags)
        self._talk: list[str] = []
        self._notes: list[_Note] = []
        number = _number_search(ticket_id)
        self._ref = f"{number} {customer[2]}" if customer and customer[2] else number
        add = rows.activity.append
        add((ticket_id, agent, at, _CREATED, None, self.subject, None, 1))
        if priority != Priority.MEDIUM:
            add((ticket_id, agent, at, _PRIORITY, None, _PRIORITY_LABEL[priority], None, 1))
        if customer:
            add((ticket_id, agent, at, _CUSTOMER, None, customer[1], None, 1))
        for _, name in assignees:
            add((ticket_id, agent, at, _ASSIGNED, None, name, None, 1))
        for _, name in tags:
            add((ticket_id, agent, at, _TAGGED, None, name, None, 1))

    # -- audit.save_ticket / audit.touch_ticket ----------------------------------------------

    def _save(self, at: int) -> int:
        self.version += 1
        self.updated_at = at
        return self.version

    def _record(self, at: int, agent: int | None, kind: str, old: str | None, new: str | None,
                ref: int | None = None) -> None:
        self._rows.activity.append((self.id, agent, at, kind, old, new, ref, self.version))

    # -- services.assignees -------------------------------------------------------------------

    def assign(self, at: int, agent: int | None, who: Person) -> None:
        if who[0] in self.assignees:
            return
        self.assignees[who[0]] = who[1]
        self._save(at)
        self._record(at, agent, _ASSIGNED, None, who[1])

    def unassign(self, at: int, agent: int | None, who: int) -> None:
        name = self.assignees.pop(who, None)
        if name is None:
            return
        self._save(at)
        self._record(at, agent, _UNASSIGNED, name, None)

    def add_tag(self, at: int, agent: int | None, tag: Person) -> None:
        if tag[0] in self.tags:
            return
        self.tags[tag[0]] = tag[1]
        self._save(at)
        self._record(at, agent, _TAGGED, None, tag[1])

    def remove_tag(self, at: int, agent: int | None, tag: int) -> None:
        name = self.tags.pop(tag, None)
        if name is None:
            return
        self._save(at)
        self._record(at, agent, _UNTAGGED, name, None)

    # -- services.tickets ---------------------------------------------------------------------

    def set_priority(self, at: int, agent: int | None, priority: Priority) -> None:
        if priority == self.priority:
            return
        old, self.priority = self.priority, priority
        self._save(at)
        self._record(at, agent, _PRIORITY, _PRIORITY_LABEL[old], _PRIORITY_LABEL[priority])

    def set_category(self, at: int, agent: int | None, category: str) -> None:
        """`edit_ticket(category=...)`: empty categories are recorded as None."""
        if category == self.category:
            return
        old, self.category = self.category, category
        self._save(at)
        self._record(at, agent, _CATEGORY, old or None, category or None)

    def set_status(self, at: int, agent: int | None, status: Status,
                   note: tuple[str, str] | None = None) -> None:
        if status == self.status and note is None:
            return
        if status != self.status:
            self._apply_status(at, agent, status)
        if note is not None:
            self._add_note(at, agent, note)
            self.updated_at = at  # touched, or already saved at this instant by the change

    def _apply_status(self, at: int, agent: int | None, new: Status) -> None:
        """`tickets.apply_status`: the transition rules, lifecycle times, STATUS or REOPENED."""
        kind, resolved, closed, old_label, new_label = _move(
            self.status, new, self.resolved_at is not None, self.closed_at is not None)
        self.status = new
        if resolved != _KEEP:
            self.resolved_at = at if resolved == _NOW else None
        if closed != _KEEP:
            self.closed_at = at if closed == _NOW else None
        self.version += 1
        self.updated_at = at
        self._rows.activity.append((self.id, agent, at, kind, old_label, new_label, None,
                                    self.version))

    # -- services.messages / notes / attachments ----------------------------------------------

    def add_message(self, at: int, agent: int | None, incoming: bool, body: tuple[str, str],
                    files: tuple[DemoFile, ...] = ()) -> None:
        if incoming and self.status in _WAKES_UP:
            self._apply_status(at, agent, Status.OPEN)
        rows = self._rows
        message_id = len(rows.messages) + 1
        rows.messages.append((message_id, self.id, incoming, agent, body[0], at))
        self._talk.append(body[1])
        rows.activity.append((self.id, agent, at, _MESSAGE_IN if incoming else _MESSAGE_OUT,
                              None, excerpt(body[0]), message_id, self.version))
        if files:
            self._store_files(at, agent, files, message_id)
        self.updated_at = at
        if not incoming and agent is not None and self.first_response_at is None:
            self.first_response_at = at  # only an agent's reply counts as a response

    def add_note(self, at: int, agent: int | None, body: tuple[str, str]) -> int:
        """`notes.add_note`; returns the note's position for a later `edit_note`."""
        self._add_note(at, agent, body)
        self.updated_at = at
        return len(self._notes) - 1

    def _add_note(self, at: int, agent: int | None, body: tuple[str, str]) -> None:
        rows = self._rows
        note_id = len(rows.notes) + len(self._notes) + 1
        self._notes.append(_Note(note_id, body, at, agent))
        self._record(at, agent, _NOTE_ADDED, None, body[0], note_id)

    def edit_note(self, at: int, agent: int | None, position: int,
                  body: tuple[str, str]) -> None:
        note = self._notes[position]
        if body[0] == note.body:
            return
        self._record(at, agent, _NOTE_EDITED, note.body, body[0], note.id)
        note.body, note.folded = body
        note.updated = at
        note.version += 1
        self.updated_at = at

    def attach(self, at: int, agent: int | None, file: DemoFile) -> None:
        self._store_files(at, agent, (file,), None)
        self.updated_at = at

    def _store_files(self, at: int, agent: int | None, files: tuple[DemoFile, ...],
                     message_id: int | None) -> None:
        rows = self._rows
        for f in files:
            attachment_id = len(rows.attachments) + 1
            rows.attachments.append((attachment_id, self.id, message_id, f.name, f.mime,
                                     len(f.data), f.sha256, at, agent))
            rows.contents.append((attachment_id, f.data))
            self._record(at, agent, _ATTACHED, None, f.name, attachment_id)

    # -- the end of the story -----------------------------------------------------------------

    def finish(self) -> None:
        """Write the ticket as it stands, its tags and assignees, notes and search document."""
        rows = self._rows
        rows.tickets.append((self.id, self.subject, self.description, int(self.status),
                             int(self.priority), self.category, self.customer_id,
                             self.created_at, self.updated_at, self.first_response_at,
                             self.resolved_at, self.closed_at, self.version))
        rows.ticket_tags.extend((self.id, tag) for tag in self.tags)
        rows.assignees.extend((self.id, agent) for agent in self.assignees)
        for n in self._notes:
            rows.notes.append((n.id, self.id, n.author, n.body, n.created, n.updated, n.version))
        parts = (self._ref, self._subject_fold, self._body_fold, " ".join(self._talk),
                 " ".join(n.folded for n in self._notes))
        rows.search.append((self.id, *(bounded(text, part) for part, text in enumerate(parts))))
