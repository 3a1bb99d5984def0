"""Managing the desk's ticket tags (issue 19): the list with counts, rename, merge, delete,
colour. Each change is one transaction with one activity row per ticket that carries the tag
(services/record_lists.py writes them in batches, with progress and Cancel).

A tag's name lives once, in `tag`; tickets link to it by id, so a rename rewrites one row plus
the activity, and the SLA policies and routing rules that name it follow in the same
transaction. Deleting a tag a policy or rule names is refused (an emptied condition would
match every ticket).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from peewee import fn

from ticketdesk.db.models import Tag, TicketTag
from ticketdesk.domain import text
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.progress import Progress
from ticketdesk.services.changes import Changes
from ticketdesk.services.record_lists import record_for_all, rename_in_rules
from ticketdesk.services.session import Session

_COLOR = re.compile(r"#[0-9a-f]{6}")
CHANGED = Changes(tags=True)


@dataclass(frozen=True)
class TagInfo:
    id: int
    name: str
    color: str
    tickets: int


def list_tags(session: Session) -> list[TagInfo]:
    """Every tag with how many tickets carry it, by name (one grouped read of the index)."""
    with session.store.read():
        counts = dict(TicketTag.select(TicketTag.tag, fn.COUNT(TicketTag.ticket))
                      .group_by(TicketTag.tag).tuples())
        return [TagInfo(tid, name, color or "", int(counts.get(tid, 0)))
                for tid, name, color in Tag.select(Tag.id, Tag.name, Tag.color)
                .order_by(Tag.name).tuples()]


def tag_colors(session: Session) -> dict[str, str]:
    """The colours of the tags that have one, by name (for the list and the dock)."""
    with session.store.read():
        return dict(Tag.select(Tag.name, Tag.color).where(Tag.color != "").tuples())


def _tag(tag_id: int) -> Any:
    tag = Tag.get_or_none(Tag.id == tag_id)
    if tag is None:
        raise NotFoundError("That tag no longer exists; the list has been refreshed.")
    return tag


def _count(tag_id: int) -> int:
    return int(TicketTag.select().where(TicketTag.tag == tag_id).count())


def _tickets_of(tag_id: int) -> tuple[Any, Any]:
    return (TicketTag.select(TicketTag.ticket).where(TicketTag.tag == tag_id), TicketTag.ticket)


def rename_tag(session: Session, tag_id: int, new_name: str, *,
               progress: Progress | None = None) -> Changes:
    """Rename a tag on every ticket that carries it. A name another tag has is refused (merge
    the two instead)."""
    clean = text.tag(new_name)
    with session.store.write():
        tag = _tag(tag_id)
        if clean == tag.name:
            return Changes()
        if Tag.select().where((Tag.name == clean) & (Tag.id != tag_id)).exists():
            raise ValidationError(f"A tag {clean!r} already exists; merge {tag.name!r} into it "
                                  "instead.")
        ids, column = _tickets_of(tag_id)
        record_for_all(session, ids, column, ActivityKind.TAG_RENAMED, tag.name, clean,
                       total=_count(tag_id), progress=progress, phase="Renaming")
        Tag.update(name=clean).where(Tag.id == tag_id).execute()
        rename_in_rules(tag.name, clean, tags=True)
    return CHANGED


def merge_tags(session: Session, source_id: int, target_id: int, *,
               progress: Progress | None = None) -> Changes:
    """Every ticket tagged `source` is tagged `target` instead, and `source` goes."""
    if source_id == target_id:
        raise ValidationError("A tag cannot be merged into itself.")
    with session.store.write():
        source, target = _tag(source_id), _tag(target_id)
        ids, column = _tickets_of(source_id)
        record_for_all(session, ids, column, ActivityKind.TAG_RENAMED, source.name,
                       target.name, total=_count(source_id), progress=progress,
                       phase="Merging")
        both = TicketTag.select(TicketTag.ticket).where(TicketTag.tag == target_id)
        TicketTag.delete().where((TicketTag.tag == source_id)
                                 & TicketTag.ticket.in_(both)).execute()
        TicketTag.update(tag=target_id).where(TicketTag.tag == source_id).execute()
        rename_in_rules(source.name, target.name, tags=True)
        Tag.delete().where(Tag.id == source_id).execute()
    return CHANGED


def tag_in_use(session: Session, tag_id: int) -> int:
    """How many tickets carry the tag (asked before deleting it)."""
    with session.store.read():
        return _count(tag_id)


def delete_tag(session: Session, tag_id: int, *, progress: Progress | None = None) -> Changes:
    """Remove the tag from every ticket (an `untagged` row each) and from the list. Refused
    while an SLA policy or routing rule names it."""
    with session.store.write():
        tag = _tag(tag_id)
        holders = rename_in_rules(tag.name, None, tags=True)
        if holders:
            raise ValidationError(f"The tag {tag.name!r} is a condition of {', '.join(holders)}; "
                                  "change those first.")
        ids, column = _tickets_of(tag_id)
        record_for_all(session, ids, column, ActivityKind.UNTAGGED, tag.name, None,
                       total=_count(tag_id), progress=progress, phase="Deleting")
        TicketTag.delete().where(TicketTag.tag == tag_id).execute()
        Tag.delete().where(Tag.id == tag_id).execute()
    return CHANGED


def set_color(session: Session, tag_id: int, color: str) -> Changes:
    """`color` is `#rrggbb`, or '' for none. Not a change of any ticket: no activity rows."""
    clean = (color or "").strip().casefold()
    if clean and not _COLOR.fullmatch(clean):
        raise ValidationError(f"{color!r} is not a colour; use the form #rrggbb.")
    with session.store.write():
        _tag(tag_id)
        Tag.update(color=clean).where(Tag.id == tag_id).execute()
    return CHANGED
