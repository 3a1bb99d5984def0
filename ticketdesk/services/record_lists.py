"""Shared steps of the managed lists (tags, categories): the batched activity rows of a change
applied to many tickets, and the names SLA policies and routing rules hold as text.

A rename or merge touches every ticket that carries the name: one activity row each, written
with INSERT ... SELECT over an index range of ticket ids, `BATCH` tickets at a time, inside the
caller's one transaction, with `progress` between the batches (False cancels: the transaction is
rolled back and nothing is changed). Ticket versions are not bumped: the ticket's own fields did
not change, so an agent's open editor stays valid.
"""

from __future__ import annotations

from typing import Any

from peewee import Value

from ticketdesk.db.models import Activity, RoutingRule, SlaPolicy, Ticket
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.progress import Cancelled, Progress
from ticketdesk.services import sla
from ticketdesk.services.session import Session

BATCH = 20_000


def record_for_all(session: Session, ids_query: Any, id_column: Any, kind: ActivityKind,
                   old: str | None, new: str | None, *, total: int,
                   progress: Progress | None = None, phase: str = "",
                   ref_id: int | None = None) -> int:
    """One `kind` activity row for every ticket id `ids_query` (a select of one id column,
    `id_column`, indexed) yields; returns how many. Raises Cancelled when `progress` says so."""
    done = 0
    last = 0
    while True:
        bound = (ids_query.where(id_column > last).order_by(id_column)
                 .offset(BATCH - 1).limit(1).scalar())
        chunk = ids_query.where(id_column > last)
        if bound is not None:
            chunk = chunk.where(id_column <= bound)
        rows = (Ticket.select(Ticket.id, Value(session.agent_id), Value(session.now()),
                              Value(kind.value), Value(old), Value(new), Value(ref_id),
                              Ticket.version)
                .where(Ticket.id.in_(chunk)))
        done += Activity.insert_from(rows, [
            Activity.ticket, Activity.agent, Activity.at, Activity.kind, Activity.old,
            Activity.new, Activity.ref_id, Activity.ticket_version]).as_rowcount().execute()
        if progress is not None and progress(done, total, phase) is False:
            raise Cancelled()
        if bound is None:
            return int(done)
        last = int(bound)


def rename_in_rules(old: str, new: str | None, *, tags: bool) -> list[str]:
    """Rename (or, with `new` None, list without changing) `old` in the SLA policies' and
    routing rules' tag or category lists; returns the names of the policies and rules that
    hold it."""
    holders: list[str] = []
    sla_column = SlaPolicy.tags if tags else SlaPolicy.categories
    rule_column = RoutingRule.tags if tags else RoutingRule.categories
    for model, column in ((SlaPolicy, sla_column), (RoutingRule, rule_column)):
        for row_id, name, joined in model.select(model.id, model.name, column).tuples():
            names = [n for n in str(joined).split("\n") if n]
            if old not in names:
                continue
            holders.append(str(name))
            if new is not None:
                kept = list(dict.fromkeys(new if n == old else n for n in names))
                model.update({column: "\n".join(sorted(kept))}).where(
                    model.id == row_id).execute()
    if holders and new is not None:
        sla.bump_rules()
    return holders

