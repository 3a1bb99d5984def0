"""The desk's categories as a managed list (issue 19): add, rename, merge, delete, and the one
check every ticket write makes.

`ticket.category` holds the category's name, so the list shows, sorts and filters it without a
join (index `ticket_category`, migration 21); this module keeps the text and the list in step:
a rename or merge rewrites the tickets' text in the same transaction, with a `category`
activity row per ticket (batched, with progress and Cancel), and follows into the SLA policies
and routing rules that name it. A ticket's category is always one of the list, in the list's
spelling (`resolve`); a name typed that is not in it yet joins the list, as a new tag does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import fn

from ticketdesk.db.models import Category, Ticket
from ticketdesk.domain import text
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.domain.progress import Progress
from ticketdesk.services.changes import Changes
from ticketdesk.services.record_lists import record_for_all, rename_in_rules
from ticketdesk.services.session import Session

CHANGED = Changes(tags=True)


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    name: str
    tickets: int


def clean_name(name: str) -> str:
    clean = text.optional_line(name, "category", text.CATEGORY_MAX)
    if not clean:
        raise ValidationError("A category needs a name.")
    return clean


def resolve(session: Session, name: str) -> str:
    """The list's spelling of `name` ('' stays ''), adding it to the list when it is new.
    Called inside the ticket write's transaction."""
    return resolve_added(session, name)[0]


def resolve_added(session: Session, name: str) -> tuple[str, bool]:
    """`resolve`, and whether the name joined the list (the write's `Changes` says so, so the
    views that offer categories read the list again)."""
    clean = text.optional_line(name, "category", text.CATEGORY_MAX)
    if not clean:
        return "", False
    # Folded by the database on both sides, as the unique index on lower(name) folds it:
    # SQLite's lower() folds ASCII only, so Python's lower() found no "À" when one was there.
    found = Category.select(Category.name).where(
        fn.lower(Category.name) == fn.lower(clean)).scalar()
    if found is not None:
        return str(found), False
    Category.insert(name=clean, created_at=session.now()).execute()
    return clean, True


def category_names(session: Session) -> list[str]:
    with session.store.read():
        return [n for (n,) in Category.select(Category.name).order_by(fn.lower(Category.name))
                .tuples()]


def list_categories(session: Session) -> list[CategoryInfo]:
    """Every category with its number of tickets (one grouped read of `ticket_category`)."""
    with session.store.read():
        counts = dict(Ticket.select(Ticket.category, fn.COUNT(Ticket.id))
                      .where(Ticket.category != "").group_by(Ticket.category).tuples())
        return [CategoryInfo(cid, name, int(counts.get(name, 0)))
                for cid, name in Category.select(Category.id, Category.name)
                .order_by(fn.lower(Category.name)).tuples()]


def _category(category_id: int) -> Any:
    found = Category.get_or_none(Category.id == category_id)
    if found is None:
        raise NotFoundError("That category no longer exists; the list has been refreshed.")
    return found


def _taken(name: str, other_than: int | None = None) -> str | None:
    query = Category.select(Category.name).where(fn.lower(Category.name) == fn.lower(name))
    if other_than is not None:
        query = query.where(Category.id != other_than)
    found = query.scalar()
    return None if found is None else str(found)


def add_category(session: Session, name: str) -> Changes:
    clean = clean_name(name)
    with session.store.write():
        if (found := _taken(clean)) is not None:
            raise ValidationError(f"The category {found!r} already exists.")
        Category.insert(name=clean, created_at=session.now()).execute()
    return Changes(tags=True)


def _move_tickets(session: Session, old: str, new: str, progress: Progress | None,
                  phase: str) -> None:
    ids = Ticket.select(Ticket.id).where(Ticket.category == old)
    total = int(ids.count())
    record_for_all(session, ids, Ticket.id, ActivityKind.CATEGORY, old, new or None,
                   total=total, progress=progress, phase=phase)
    Ticket.update(category=new).where(Ticket.category == old).execute()


def rename_category(session: Session, category_id: int, new_name: str, *,
                    progress: Progress | None = None) -> Changes:
    clean = clean_name(new_name)
    with session.store.write():
        category = _category(category_id)
        if clean == category.name:
            return Changes()
        if (found := _taken(clean, category_id)) is not None:
            raise ValidationError(f"A category {found!r} already exists; merge "
                                  f"{category.name!r} into it instead.")
        _move_tickets(session, category.name, clean, progress, "Renaming")
        Category.update(name=clean).where(Category.id == category_id).execute()
        rename_in_rules(category.name, clean, tags=False)
    return CHANGED


def merge_categories(session: Session, source_id: int, target_id: int, *,
                     progress: Progress | None = None) -> Changes:
    if source_id == target_id:
        raise ValidationError("A category cannot be merged into itself.")
    with session.store.write():
        source, target = _category(source_id), _category(target_id)
        _move_tickets(session, source.name, target.name, progress, "Merging")
        rename_in_rules(source.name, target.name, tags=False)
        Category.delete().where(Category.id == source_id).execute()
    return CHANGED


def category_in_use(session: Session, category_id: int) -> int:
    with session.store.read():
        return int(Ticket.select().where(Ticket.category == _category(category_id).name).count())


def delete_category(session: Session, category_id: int, *,
                    progress: Progress | None = None) -> Changes:
    """Clear the category of every ticket that has it (a `category` row each) and remove it
    from the list; refused while an SLA policy or routing rule names it."""
    with session.store.write():
        category = _category(category_id)
        holders = rename_in_rules(category.name, None, tags=False)
        if holders:
            raise ValidationError(f"The category {category.name!r} is a condition of "
                                  f"{', '.join(holders)}; change those first.")
        _move_tickets(session, category.name, "", progress, "Deleting")
        Category.delete().where(Category.id == category_id).execute()
    return CHANGED


def names_for(session: Session, typed: list[str]) -> frozenset[str]:
    """The list's names for category names as typed (any case, commas separate); one that is
    not in the list is refused with the list (the command line's `--category`)."""
    wanted = [part.strip() for value in typed for part in value.split(",") if part.strip()]
    if not wanted:
        return frozenset()
    known = {n.lower(): n for n in category_names(session)}
    missing = [w for w in wanted if w.lower() not in known]
    if missing:
        listed = ", ".join(known.values()) or "none yet"
        raise ValidationError(f"There is no category called {missing[0]!r}; the categories "
                              f"are: {listed}.")
    return frozenset(known[w.lower()] for w in wanted)


def adopt_all(session: Session) -> None:
    """Put every category tickets hold into the list, and tickets' spellings that differ
    only in case into the list's (after bulk writes that bypass `resolve`: imports, demo
    data), inside the caller's transaction. Two statements over the `ticket_category` index."""
    db = Ticket._meta.database
    db.execute_sql(
        "INSERT INTO category (name, created_at) SELECT min(category), " + db.param + " "
        "FROM ticket WHERE category <> '' AND lower(category) NOT IN "
        "(SELECT lower(name) FROM category) GROUP BY lower(category)", (session.now(),))
    db.execute_sql(
        "UPDATE ticket SET category = (SELECT c.name FROM category c "
        "WHERE lower(c.name) = lower(ticket.category)) "
        "WHERE category <> '' AND category NOT IN (SELECT name FROM category)")
