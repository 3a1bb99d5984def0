"""An agent's mail signature (set in Preferences), appended below `-- ` to their replies when
they are queued (outbox.py), so a later change never alters a reply already written."""

from __future__ import annotations

from ticketdesk.db.models import Agent
from ticketdesk.domain import text as text_rules
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session

SIGNATURE_MAX = 2000


def get_signature(agent_id: int) -> str:
    value = Agent.select(Agent.signature).where(Agent.id == agent_id).scalar()
    if value is None:
        raise NotFoundError(f"There is no agent with id {agent_id}.")
    return str(value)


def set_signature(session: Session, agent_id: int, signature: str) -> Changes:
    clean = text_rules.body(signature, "signature", required=False)
    if len(clean) > SIGNATURE_MAX:
        raise ValidationError(f"The signature is {len(clean):,} characters long; the limit is "
                              f"{SIGNATURE_MAX:,}.")
    with session.store.write():
        if get_signature(agent_id) == clean:
            return Changes()
        Agent.update(signature=clean).where(Agent.id == agent_id).execute()
    return Changes(agents=True)
