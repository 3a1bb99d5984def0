"""Agent names outside ASCII, on both engines: found again by name, and a duplicate is refused
with a message rather than a database error. (Found by the CSV round-trip property in a stress
run: SQLite's lower() folds only ASCII, so the duplicate check missed "À" and the insert hit the
unique index.)"""

from __future__ import annotations

import pytest

from ticketdesk.domain.errors import ValidationError
from ticketdesk.services import agents
from ticketdesk.services.session import Session


@pytest.mark.parametrize("name", ["À", "Ärger Östlund", "Łukasz", "Σοφία", "İlkay", "Ωmega"])
def test_a_non_ascii_agent_is_found_again_and_never_created_twice(system: Session,
                                                                  name: str) -> None:
    agent_id, _ = agents.create_agent(system, name)
    found = agents.find_agent(system.store, name)
    assert found is not None
    assert found.id == agent_id
    with pytest.raises(ValidationError, match="already an agent"):
        agents.create_agent(system, name)
    assert len(agents.list_agents(system.store)) == 1
