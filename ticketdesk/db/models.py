"""peewee models for every table. They mirror the DDL in `migrations/`, which is the source of
truth for the schema (tests/unit/test_migrations.py checks that the two agree).

Models are bound to one `DatabaseProxy`: one desk is open per process, and `open_database`
points the proxy at it (per thread; see `_ThreadDatabaseProxy`). Timestamps are UTC epoch
seconds; status and priority are the small integers of `domain.status`.
"""

from __future__ import annotations

import threading
from typing import Any

from peewee import (
    AutoField,
    BigIntegerField,
    BlobField,
    BooleanField,
    CompositeKey,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)


class _ThreadDatabaseProxy(DatabaseProxy):
    """The models' database, bound per thread, with the last desk bound anywhere as the
    fallback for a thread that never bound one.

    One desk per process (the app) makes no difference. With two desks open in one process
    (tests with two windows), a global binding let one window's worker re-bind the models
    between another thread's BEGIN and its first statement: that statement then ran on the other
    desk's connection and waited on its own thread's write lock until the busy timeout."""

    def __init__(self) -> None:
        # peewee's Proxy refuses attributes of its own but its slots: set them past it.
        object.__setattr__(self, "_local", threading.local())
        object.__setattr__(self, "_shared", None)
        super().__init__()

    @property
    def obj(self) -> Any:
        mine = getattr(self._local, "db", None)
        return self._shared if mine is None else mine

    @obj.setter
    def obj(self, value: Any) -> None:
        self._local.db = value
        object.__setattr__(self, "_shared", value)


database_proxy = _ThreadDatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class Agent(BaseModel):
    id = AutoField()
    name = TextField()
    email = TextField(default="")
    active = BooleanField(default=True)
    created_at = BigIntegerField()
    signature = TextField(default="")
    """Appended to the agent's mail replies (migration 10)."""
    status = TextField(default="available")  # available / away / off (m0016, domain/routing.py)
    capacity = IntegerField(null=True)  # open tickets at most; None: no limit
    # Migration 15: the PostgreSQL login role this agent signs in as, and what it may do.
    db_role = TextField(null=True)
    role = TextField(default="agent")


class Customer(BaseModel):
    id = AutoField()
    name = TextField()
    email = TextField(default="")
    phone = TextField(default="")
    company = TextField(default="")
    external_id = TextField(null=True)
    created_at = BigIntegerField()
    version = IntegerField(default=1)
    # Migration 20 (customers as records, services/customer_records.py)
    organisation_id = BigIntegerField(null=True)
    notes = TextField(default="")


class CustomerTag(BaseModel):
    id = AutoField()
    name = TextField()


class CustomerTagLink(BaseModel):
    customer = ForeignKeyField(Customer, column_name="customer_id", on_delete="CASCADE")
    tag = ForeignKeyField(CustomerTag, column_name="tag_id", on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("customer", "tag")


class Tag(BaseModel):
    id = AutoField()
    name = TextField()
    color = TextField(default="")  # '#rrggbb' or '' (m0021)


class Ticket(BaseModel):
    id = AutoField()
    customer_id: int | None
    subject = TextField()
    description = TextField(default="")
    status = SmallIntegerField()
    priority = SmallIntegerField()
    category = TextField(default="")
    customer = ForeignKeyField(Customer, column_name="customer_id", null=True, lazy_load=False)
    created_at = BigIntegerField()
    updated_at = BigIntegerField()
    first_response_at = BigIntegerField(null=True)
    resolved_at = BigIntegerField(null=True)
    closed_at = BigIntegerField(null=True)
    version = IntegerField(default=1)
    resolution = TextField(default="")  # how it was resolved; "" when it is not (m0006)
    # SLA (migration 12; services/sla.py keeps them current, domain/sla.py says what they mean)
    sla_policy_id = BigIntegerField(null=True)
    first_response_due = BigIntegerField(null=True)
    next_response_due = BigIntegerField(null=True)
    resolution_due = BigIntegerField(null=True)
    sla_due = BigIntegerField(null=True)
    sla_risk_at = BigIntegerField(null=True)
    sla_breach_at = BigIntegerField(null=True)
    sla_state = SmallIntegerField(default=0)
    source_system = TextField(null=True)  # where an imported ticket came from (m0011) ...
    source_id = TextField(null=True)  # ... and its id there; the pair is unique


class TicketTag(BaseModel):
    ticket = ForeignKeyField(Ticket, column_name="ticket_id", on_delete="CASCADE")
    tag = ForeignKeyField(Tag, column_name="tag_id", on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("ticket", "tag")


class TicketAssignee(BaseModel):
    ticket = ForeignKeyField(Ticket, column_name="ticket_id", on_delete="CASCADE")
    agent = ForeignKeyField(Agent, column_name="agent_id")

    class Meta:
        primary_key = CompositeKey("ticket", "agent")


class Note(BaseModel):
    id = AutoField()
    ticket_id: int
    author_id: int | None
    ticket = ForeignKeyField(Ticket, column_name="ticket_id", on_delete="CASCADE", lazy_load=False)
    author = ForeignKeyField(Agent, column_name="author_id", null=True, lazy_load=False)
    body = TextField()
    created_at = BigIntegerField()
    updated_at = BigIntegerField()
    version = IntegerField(default=1)


class Message(BaseModel):
    """One turn of the customer conversation. `incoming` is from the customer (logged by
    `agent` when it came by phone or mail); outgoing messages are replies sent by `agent`."""

    id = AutoField()
    ticket_id: int
    agent_id: int | None
    ticket = ForeignKeyField(Ticket, column_name="ticket_id", on_delete="CASCADE", lazy_load=False)
    incoming = BooleanField()
    agent = ForeignKeyField(Agent, column_name="agent_id", null=True, lazy_load=False)
    body = TextField()
    created_at = BigIntegerField()
    rfc_message_id = TextField(null=True)
    """The Message-ID it was received or sent with (migration 10; unique where set)."""
    in_reply_to = TextField(null=True)
    refs = TextField(null=True)
    """The References header it carried, as received."""
    channel = TextField(default="")
    """'' typed in by an agent, 'email' received or sent by mail."""


class Attachment(BaseModel):
    id = AutoField()
    ticket_id: int
    message_id: int | None
    agent_id: int | None
    ticket = ForeignKeyField(Ticket, column_name="ticket_id", on_delete="CASCADE", lazy_load=False)
    message = ForeignKeyField(Message, column_name="message_id", null=True, lazy_load=False,
                              on_delete="SET NULL")
    name = TextField()
    mime = TextField()
    size = BigIntegerField()
    sha256 = TextField()
    created_at = BigIntegerField()
    agent = ForeignKeyField(Agent, column_name="agent_id", null=True, lazy_load=False)


class AttachmentContent(BaseModel):
    """The bytes, kept apart so listing attachments never reads them."""

    attachment = ForeignKeyField(Attachment, column_name="attachment_id", primary_key=True,
                                 on_delete="CASCADE")
    data = BlobField()


class Activity(BaseModel):
    """Append-only audit trail. `old`/`new` hold the values as people read them ("Open"),
    `ref_id` the note, message or attachment concerned, `ticket_version` the ticket's version
    after the change (conflict messages list the rows above the version a user read)."""

    id = AutoField()
    ticket = ForeignKeyField(Ticket, column_name="ticket_id", on_delete="CASCADE", lazy_load=False)
    agent = ForeignKeyField(Agent, column_name="agent_id", null=True, lazy_load=False)
    at = BigIntegerField()
    kind = TextField()
    old = TextField(null=True)
    new = TextField(null=True)
    ref_id = BigIntegerField(null=True)
    ticket_version = IntegerField()


class Draft(BaseModel):
    """Unsent text an agent is writing on a ticket (migration 3); see services/drafts.py."""

    agent = ForeignKeyField(Agent, column_name="agent_id", on_delete="CASCADE", lazy_load=False)
    ticket = ForeignKeyField(Ticket, column_name="ticket_id", on_delete="CASCADE",
                             lazy_load=False)
    kind = TextField()
    body = TextField()
    base_version = IntegerField(null=True)
    updated_at = BigIntegerField()

    class Meta:
        primary_key = CompositeKey("agent", "ticket", "kind")


class SlaPolicy(BaseModel):
    """An SLA policy (migration 12); `position` orders them, the first match applies. The
    narrowing lists are newline-separated names (empty: any)."""

    id = AutoField()
    name = TextField()
    position = IntegerField()
    tags = TextField(default="")
    customer_tags = TextField(default="")
    categories = TextField(default="")
    created_at = BigIntegerField()


class SlaTarget(BaseModel):
    """A policy's targets for one priority, in business seconds (None: no target)."""

    policy = ForeignKeyField(SlaPolicy, column_name="policy_id", on_delete="CASCADE",
                             lazy_load=False)
    priority = SmallIntegerField()
    first_response = IntegerField(null=True)
    next_response = IntegerField(null=True)
    resolution = IntegerField(null=True)

    class Meta:
        primary_key = CompositeKey("policy", "priority")


class SlaHours(BaseModel):
    """The desk's business week (one row, id 1): an IANA zone and the week as text."""

    id = IntegerField(primary_key=True)
    zone = TextField()
    week = TextField()
    updated_at = BigIntegerField()


class SlaHoliday(BaseModel):
    day = TextField(primary_key=True)
    """ISO date, YYYY-MM-DD."""
    name = TextField(default="")


class Team(BaseModel):
    """A named group of agents routing rules can target (migration 16)."""

    id = AutoField()
    name = TextField()
    created_at = BigIntegerField()


class TeamMember(BaseModel):
    team = ForeignKeyField(Team, column_name="team_id", on_delete="CASCADE", lazy_load=False)
    agent = ForeignKeyField(Agent, column_name="agent_id", on_delete="CASCADE", lazy_load=False)

    class Meta:
        primary_key = CompositeKey("team", "agent")


class AgentTagSkill(BaseModel):
    agent = ForeignKeyField(Agent, column_name="agent_id", on_delete="CASCADE", lazy_load=False)
    tag = ForeignKeyField(Tag, column_name="tag_id", on_delete="CASCADE", lazy_load=False)

    class Meta:
        primary_key = CompositeKey("agent", "tag")


class AgentCategorySkill(BaseModel):
    agent = ForeignKeyField(Agent, column_name="agent_id", on_delete="CASCADE", lazy_load=False)
    category = TextField()

    class Meta:
        primary_key = CompositeKey("agent", "category")


class RoutingRule(BaseModel):
    """A routing rule (migration 16); `position` orders them, the first active match decides.
    Conditions are newline-separated lists (empty: any); `last_agent_id` is round robin's
    cursor."""

    id = AutoField()
    team_id: int | None
    name = TextField()
    position = IntegerField()
    tags = TextField(default="")
    categories = TextField(default="")
    customer_tags = TextField(default="")
    priorities = TextField(default="")
    words = TextField(default="")
    channels = TextField(default="")
    team = ForeignKeyField(Team, column_name="team_id", null=True, on_delete="SET NULL",
                           lazy_load=False)
    method = TextField()
    active = BooleanField(default=True)
    last_agent_id = BigIntegerField(default=0)
    created_at = BigIntegerField()


class RoutingRuleAgent(BaseModel):
    rule = ForeignKeyField(RoutingRule, column_name="rule_id", on_delete="CASCADE",
                           lazy_load=False)
    agent = ForeignKeyField(Agent, column_name="agent_id", on_delete="CASCADE", lazy_load=False)

    class Meta:
        primary_key = CompositeKey("rule", "agent")


class CsatRating(BaseModel):
    """One satisfaction rating per ticket and resolution (`resolved_at`), changeable
    (migration 16). `rating` is None when the customer answered only Good or Bad."""

    id = AutoField()
    ticket_id: int
    ticket = ForeignKeyField(Ticket, column_name="ticket_id", on_delete="CASCADE",
                             lazy_load=False)
    resolved_at = BigIntegerField()
    rating = SmallIntegerField(null=True)
    good = BooleanField()
    comment = TextField(default="")
    source = TextField()
    agent = ForeignKeyField(Agent, column_name="agent_id", null=True, lazy_load=False)
    created_at = BigIntegerField()
    updated_at = BigIntegerField()


class DeskMeta(BaseModel):
    """Key/value facts about this desk (schema version lives in `schema_migrations`)."""

    key = TextField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "desk_meta"


class MailboxState(BaseModel):
    """The IMAP fetch checkpoint of one mailbox (`user@host:port/folder`), written in the same
    transaction as the message it covers (services/mail/fetch.py)."""

    mailbox = TextField(primary_key=True)
    uidvalidity = BigIntegerField()
    last_uid = BigIntegerField()
    updated_at = BigIntegerField()

    class Meta:
        table_name = "mailbox_state"


class Outbox(BaseModel):
    """One outgoing mail (services/mail/outbox.py): queued, sending, sent or failed. The
    Message-ID is fixed when queued, so a resend carries the same one."""

    id = AutoField()
    message_id: int
    message = ForeignKeyField(Message, column_name="message_id", on_delete="CASCADE",
                              lazy_load=False)
    kind = TextField()
    state = TextField()
    attempts = IntegerField(default=0)
    last_error = TextField(null=True)
    rfc_message_id = TextField()
    to_address = TextField()
    subject = TextField()
    in_reply_to = TextField(null=True)
    refs = TextField(null=True)
    signature = TextField(default="")
    next_attempt_at = BigIntegerField(default=0)
    created_at = BigIntegerField()
    updated_at = BigIntegerField()


# --- API tokens (issue 22, migration 17; services/api_tokens.py) ---------------------------
class ApiToken(BaseModel):
    """An integration's token for `ticketdesk serve`: only its SHA-256 is stored; its changes
    are recorded as the inactive agent `api:NAME` (`agent`)."""

    id = AutoField()
    name = TextField()
    agent = ForeignKeyField(Agent, column_name="agent_id", lazy_load=False)
    token_hash = TextField()
    read_only = BooleanField(default=False)
    created_at = BigIntegerField()
    last_used_at = BigIntegerField(null=True)
    revoked_at = BigIntegerField(null=True)
# --- end of API tokens ---------------------------------------------------------------------
# -- Saved views and canned responses (issue 18, migration 19) ---------------------------------


class SavedView(BaseModel):
    """A named filter, sort and column layout (services/saved_views.py); private to its owner
    unless `shared`."""

    id = AutoField()
    owner_id: int
    name = TextField()
    owner = ForeignKeyField(Agent, column_name="owner_id", on_delete="CASCADE", lazy_load=False)
    shared = BooleanField(default=False)
    position = IntegerField(default=0)
    filter_json = TextField(default="{}")
    sort = TextField(default="created descending")
    columns = TextField(default="")
    created_at = BigIntegerField()
    updated_at = BigIntegerField()


class CannedResponse(BaseModel):
    """A reply text with placeholders and optional actions, shared by the desk
    (services/canned.py, domain/placeholders.py)."""

    id = AutoField()
    title = TextField()
    body = TextField()
    set_status = SmallIntegerField(null=True)
    set_priority = SmallIntegerField(null=True)
    add_tags = TextField(default="")
    created_by = ForeignKeyField(Agent, column_name="created_by", null=True,
                                 on_delete="SET NULL", lazy_load=False)
    created_at = BigIntegerField()
    updated_at = BigIntegerField()
# -- Customers as records (migration 20; services/customer_records.py, services/organisations.py)

class Organisation(BaseModel):
    id = AutoField()
    name = TextField()
    notes = TextField(default="")
    created_at = BigIntegerField()
    version = IntegerField(default=1)


class CustomerAddress(BaseModel):
    """Every email address of a customer, the primary (`customer.email`) included;
    `email_key` (lower case) is unique: one address belongs to one customer."""

    id = AutoField()
    customer = ForeignKeyField(Customer, column_name="customer_id", on_delete="CASCADE",
                               lazy_load=False)
    email = TextField()
    email_key = TextField()


class CustomerActivity(BaseModel):
    """A customer's own history (created, edited, addresses, merged), append-only."""

    id = AutoField()
    customer = ForeignKeyField(Customer, column_name="customer_id", on_delete="CASCADE",
                               lazy_load=False)
    agent = ForeignKeyField(Agent, column_name="agent_id", null=True, lazy_load=False)
    at = BigIntegerField()
    kind = TextField()
    old = TextField(null=True)
    new = TextField(null=True)
    ticket_id = BigIntegerField(null=True)
# --- Issue 19: categories and custom fields (m0021; services/categories.py, custom_fields.py) ---
class Category(BaseModel):
    id = AutoField()
    name = TextField()
    created_at = BigIntegerField()


class CustomField(BaseModel):
    id = AutoField()
    name = TextField()
    kind = TextField()  # domain/custom_fields.FieldKind
    options = TextField(default="")  # a list field's choices, one a line
    position = IntegerField(default=0)
    created_at = BigIntegerField()


class CustomValue(BaseModel):
    ticket = ForeignKeyField(Ticket, column_name="ticket_id", on_delete="CASCADE",
                             lazy_load=False)
    field = ForeignKeyField(CustomField, column_name="field_id", on_delete="CASCADE",
                            lazy_load=False)
    value = TextField()

    class Meta:
        primary_key = CompositeKey("ticket", "field")
# --- end of issue 19 ---
# -- Recycle bin, desk events (migration 22, services/recycle_bin.py, services/erasure.py) ----


class RecycleBin(BaseModel):
    """A deleted ticket or customer, as one JSON snapshot of every row it had (migration 22)."""

    id = AutoField()
    kind = TextField()
    item_id = BigIntegerField()
    label = TextField(default="")
    customer_id = BigIntegerField(null=True)
    deleted_at = BigIntegerField()
    deleted_by = ForeignKeyField(Agent, column_name="deleted_by", null=True, lazy_load=False)
    snapshot = TextField()

    class Meta:
        table_name = "recycle_bin"


class RecycleBlob(BaseModel):
    """The bytes of a deleted ticket's attachments."""

    bin = ForeignKeyField(RecycleBin, column_name="bin_id", on_delete="CASCADE", lazy_load=False)
    attachment_id = BigIntegerField()
    data = BlobField()

    class Meta:
        table_name = "recycle_blob"
        primary_key = CompositeKey("bin", "attachment_id")


class DeskEvent(BaseModel):
    """What happened to the desk rather than one ticket (agents, deletions, erasures)."""

    id = AutoField()
    agent = ForeignKeyField(Agent, column_name="agent_id", null=True, lazy_load=False)
    at = BigIntegerField()
    kind = TextField()
    subject = TextField(default="")
    detail = TextField(default="")

    class Meta:
        table_name = "desk_event"
# -- routing's open-ticket counts (issue 21, migration 24) ----------------------------------------

class AgentOpenCount(BaseModel):
    """Open tickets assigned to each agent, kept by triggers (migration 24). Derived data: not
    in ALL_MODELS (a desk copy recounts it, services/routing_counts.rebuild)."""

    agent = ForeignKeyField(Agent, column_name="agent_id", primary_key=True,
                            on_delete="CASCADE", lazy_load=False)
    open_count = IntegerField(default=0)

    class Meta:
        table_name = "agent_open_count"


class CustomerTicketCount(BaseModel):
    """Each customer's tickets and open tickets, kept by triggers (issue 19, migration 27).
    Derived data: not in ALL_MODELS (a desk copy recounts it, services/customer_counts)."""

    customer = ForeignKeyField(Customer, column_name="customer_id", primary_key=True,
                               on_delete="CASCADE", lazy_load=False)
    tickets = IntegerField(default=0)
    open_tickets = IntegerField(default=0)

    class Meta:
        table_name = "customer_ticket_count"


# -- Merge and link (issue 18, migration 18; services/merge.py) ---------------------------------


class TicketLink(BaseModel):
    """A "related" link, stored once each way."""

    ticket = ForeignKeyField(Ticket, column_name="ticket_id", on_delete="CASCADE", lazy_load=False)
    other = ForeignKeyField(Ticket, column_name="other_id", on_delete="CASCADE", lazy_load=False)
    created_at = BigIntegerField()
    agent = ForeignKeyField(Agent, column_name="agent_id", null=True, lazy_load=False)

    class Meta:
        primary_key = CompositeKey("ticket", "other")


class TicketMerge(BaseModel):
    """A ticket merged into `target` (its Closed stub points there)."""

    ticket = ForeignKeyField(Ticket, column_name="ticket_id", primary_key=True,
                             on_delete="CASCADE", lazy_load=False)
    target = ForeignKeyField(Ticket, column_name="target_id", on_delete="CASCADE",
                             lazy_load=False)
    merged_at = BigIntegerField()
    agent = ForeignKeyField(Agent, column_name="agent_id", null=True, lazy_load=False)


ALL_MODELS: tuple[type[BaseModel], ...] = (
    Agent, Organisation, Customer, CustomerTag, CustomerTagLink, Tag, Ticket, TicketTag,
    TicketAssignee,
    Note, Message, Attachment, AttachmentContent, Activity, Draft, DeskMeta, MailboxState, Outbox,
    SlaPolicy, SlaTarget, SlaHours, SlaHoliday,
    Team, TeamMember, AgentTagSkill, AgentCategorySkill, RoutingRule, RoutingRuleAgent,
    CsatRating,
    ApiToken,  # issue 22
    SavedView, CannedResponse,  # issue 18
    CustomerAddress, CustomerActivity,  # migration 20 (Organisation before Customer, above)
    Category, CustomField, CustomValue,
    RecycleBin, RecycleBlob, DeskEvent,
    TicketLink, TicketMerge,  # issue 18
)

DERIVED_MODELS: tuple[type[BaseModel], ...] = (AgentOpenCount, CustomerTicketCount)
"""Tables kept by triggers from the others (migrations 24, 27): not copied between desks (each
desk copy recounts them), not kept in the recycle bin, no personal data."""
