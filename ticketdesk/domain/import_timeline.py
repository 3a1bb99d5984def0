"""A sound timeline for an imported ticket (issue 16): pure rules, no I/O.

Other desks' exports leave times out or write them in an order the desk's own rules never
would. What an import makes of them:

- a missing creation time is the earliest time the row has (not "now": a ticket resolved in
  2019 was not created today);
- the update time is the latest time the row has;
- a Closed ticket without its closing time was closed at its latest time; a Resolved or Closed
  ticket without its resolution time was resolved when it was closed (or at its latest time);
  an active ticket has neither (as a reopen leaves it);
- nothing happens before creation, and closed is never before resolved: a row that says so
  cannot be made sound without inventing times, so it is *reported*, never imported silently.

A first response after the resolution is not a contradiction: a ticket can be resolved
without a reply and answered afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from ticketdesk.domain.status import Status


@dataclass(frozen=True)
class Timeline:
    created_at: int
    updated_at: int
    first_response_at: int | None
    resolved_at: int | None
    closed_at: int | None


_NAMES = {"updated_at": "update", "first_response_at": "first response",
          "resolved_at": "resolution", "closed_at": "closing"}


def make_sound(status: Status, *, created_at: int | None, updated_at: int | None,
               first_response_at: int | None, resolved_at: int | None,
               closed_at: int | None, now: int) -> Timeline | list[str]:
    """The timeline, or the kinds of contradiction that keep the row out (each a short
    phrase the dry run groups by, e.g. "closing before resolution")."""
    given = {"updated_at": updated_at, "first_response_at": first_response_at,
             "resolved_at": resolved_at, "closed_at": closed_at}
    known = [t for t in given.values() if t is not None]
    if created_at is None:
        created_at = min(known) if known else now
    problems = [f"{_NAMES[name]} before creation" for name, t in given.items()
                if t is not None and t < created_at]
    if resolved_at is not None and closed_at is not None and closed_at < resolved_at:
        problems.append("closing before resolution")
    if problems:
        return problems
    latest = max([created_at, *known])
    if status == Status.CLOSED:
        closed_at = latest if closed_at is None else closed_at
        resolved_at = closed_at if resolved_at is None else resolved_at
    elif status == Status.RESOLVED:
        resolved_at = latest if resolved_at is None else resolved_at
        closed_at = None
    else:
        resolved_at = closed_at = None
    return Timeline(created_at=created_at, updated_at=latest,
                    first_response_at=first_response_at, resolved_at=resolved_at,
                    closed_at=closed_at)


def contradictions(created_at: int, first_response_at: int | None, resolved_at: int | None,
                   closed_at: int | None) -> list[str]:
    """What is wrong with a stored ticket's times (`ticketdesk check`): created ≤ first
    response, created ≤ resolved ≤ closed."""
    found = [f"{_NAMES[name]} before creation" for name, t in
             (("first_response_at", first_response_at), ("resolved_at", resolved_at),
              ("closed_at", closed_at)) if t is not None and t < created_at]
    if resolved_at is not None and closed_at is not None and closed_at < resolved_at:
        found.append("closing before resolution")
    return found
