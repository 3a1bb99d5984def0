"""Tags, categories and custom fields on a team desk (issue 19): an agent's own login may give
a ticket a new category and set custom values; renaming a tag or a category is an admin's
(postgres_roles.TABLE_POLICY), refused by the server with a clear error."""

from __future__ import annotations

import pytest

from tests.unit.test_postgres_roles_security import Team, team  # noqa: F401  (the fixture)
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import categories, custom_fields, tag_records, tickets
from ticketdesk.services.session import Session

pytestmark = pytest.mark.postgres


def test_an_agent_files_categories_and_values_but_only_an_admin_renames(
        team: Team) -> None:  # noqa: F811
    seats, _ = custom_fields.add_field(team.owner, "Seats", "number")
    ann, ann_login = team.add("Ann", "agent")
    boss, boss_login = team.add("Boss", "admin")
    agent = Session(team.open_as(ann_login), ann)
    tid = tickets.create_ticket(agent, subject="New kind", category="Warranty",
                                tags=["fresh"]).new_id
    custom_fields.set_values(agent, tid, 1, {seats: "3"})
    assert categories.category_names(agent) == ["Warranty"]
    assert custom_fields.ticket_values(agent, tid) == {seats: "3"}
    tag = next(t.id for t in tag_records.list_tags(agent) if t.name == "fresh")
    with pytest.raises(TicketdeskError):
        tag_records.rename_tag(agent, tag, "renamed")
    admin = Session(team.open_as(boss_login), boss)
    tag_records.rename_tag(admin, tag, "renamed")
    category = categories.list_categories(admin)[0].id
    categories.rename_category(admin, category, "Guarantee")
    assert tickets.get_ticket(tid).tags == ("renamed",)
    assert tickets.get_ticket(tid).category == "Guarantee"
