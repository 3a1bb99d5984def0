"""Saved views: a ticket filter, sort and columns kept under a name (issue 18, migration 19).

Every view has an owner; a private view is seen by its owner only, a shared one by every agent
of the desk (a team desk's point). Only the owner renames, re-shares, changes or deletes a
view. The three built-in views are code, not rows: My open tickets (assigned to whoever is
working, open or in progress or waiting), Unassigned and All.

Reads take the store and the agent explicitly and bind to the store, so the window calls them
on a worker thread (ticketdesk/ARCHITECTURE.md, "Threading"); writes are one transaction each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from peewee import fn

from ticketdesk.db.models import SavedView
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.status import Status
from ticketdesk.domain.view_spec import (
    ViewSpec,
    columns_from_text,
    columns_to_text,
    filter_from_json,
    filter_to_json,
    sort_from_text,
    sort_to_text,
)
from ticketdesk.services import ticket_list
from ticketdesk.services.session import Session

MINE, UNASSIGNED, ALL = "builtin:mine", "builtin:unassigned", "builtin:all"
BUILT_IN = (MINE, UNASSIGNED, ALL)
NAME_LIMIT = 80


@dataclass(frozen=True)
class View:
    key: str
    """"builtin:mine"... or "view:<id>": what the window remembers as the last view."""
    name: str
    spec: ViewSpec
    id: int | None = None
    owner_id: int | None = None
    shared: bool = False

    @property
    def built_in(self) -> bool:
        return self.id is None


def built_in_views(agent_id: int | None) -> list[View]:
    """The names are the caller's to translate (ui/views_panel.py); these are the keys'."""
    mine = TicketFilter(
        statuses=frozenset({Status.OPEN, Status.IN_PROGRESS, Status.WAITING}),
        assignees=frozenset({agent_id}) if agent_id is not None else frozenset())
    return [View(MINE, "My open tickets", ViewSpec(mine)),
            View(UNASSIGNED, "Unassigned", ViewSpec(TicketFilter(unassigned=True))),
            View(ALL, "All", ViewSpec())]


def list_views(store: Store, agent_id: int | None) -> list[View]:
    """The built-in views, then the agent's own and the shared ones, in their order."""
    query = SavedView.select().where(
        (SavedView.owner == agent_id) | (SavedView.shared == True)  # noqa: E712
    ).order_by(SavedView.position, SavedView.id).bind(store.db)
    return built_in_views(agent_id) + [_view(row) for row in query]


def counts(store: Store, views: Sequence[View], tz: tzinfo | None = None) -> dict[str, int]:
    """How many tickets each view lists now (the list's own count query, over indexes)."""
    return {view.key: ticket_list.count(store, view.spec.filter, tz) for view in views}


def _view(row: SavedView) -> View:
    return View(f"view:{row.id}", row.name,
                ViewSpec(filter_from_json(row.filter_json), sort_from_text(row.sort),
                         columns_from_text(row.columns)),
                row.id, row.owner_id, bool(row.shared))


def _clean_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise ValidationError("A view needs a name.")
    if len(clean) > NAME_LIMIT:
        raise ValidationError(f"A view's name has at most {NAME_LIMIT} characters.")
    return clean


def _own(session: Session, view_id: int) -> SavedView:
    row = SavedView.get_or_none(SavedView.id == view_id)
    if row is None or (row.owner_id != session.agent_id and not row.shared):
        raise NotFoundError("That view no longer exists.")
    if row.owner_id != session.agent_id:
        raise ValidationError("Only the agent who saved a shared view can change it.")
    found: SavedView = row
    return found


def _need_agent(session: Session) -> int:
    if session.agent_id is None:
        raise ValidationError("Choose who is working before saving a view.")
    return session.agent_id


def save_view(session: Session, name: str, spec: ViewSpec, *, shared: bool = False) -> View:
    """A new view at the end of the agent's list."""
    owner = _need_agent(session)
    clean = _clean_name(name)
    now = session.now()
    with session.store.write():
        last = SavedView.select(fn.max(SavedView.position)).where(
            SavedView.owner == owner).scalar()
        view_id = SavedView.insert(
            name=clean, owner=owner, shared=shared, position=(last or 0) + 1,
            filter_json=filter_to_json(spec.filter), sort=sort_to_text(spec.sort),
            columns=columns_to_text(spec.columns), created_at=now, updated_at=now).execute()
        return _view(SavedView.get_by_id(view_id))


def update_view(session: Session, view_id: int, *, name: str | None = None,
                spec: ViewSpec | None = None, shared: bool | None = None) -> View:
    with session.store.write():
        row = _own(session, view_id)
        if name is not None:
            row.name = _clean_name(name)
        if spec is not None:
            row.filter_json = filter_to_json(spec.filter)
            row.sort = sort_to_text(spec.sort)
            row.columns = columns_to_text(spec.columns)
        if shared is not None:
            row.shared = shared
        row.updated_at = session.now()
        row.save()
        return _view(row)


def delete_view(session: Session, view_id: int) -> None:
    with session.store.write():
        _own(session, view_id).delete_instance()


def reorder(session: Session, view_ids: Sequence[int]) -> None:
    """Put the agent's own views in this order (others' shared views keep theirs)."""
    owner = _need_agent(session)
    with session.store.write():
        mine = {vid for (vid,) in SavedView.select(SavedView.id).where(
            SavedView.owner == owner).tuples()}
        for position, view_id in enumerate((v for v in view_ids if v in mine), start=1):
            SavedView.update(position=position).where(SavedView.id == view_id).execute()
