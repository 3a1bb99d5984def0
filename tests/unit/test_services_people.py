"""Agents and customers: creating, updating, finding; customer tags; bad input writes nothing."""

from __future__ import annotations

from functools import partial

import pytest

from tests.unit.support import assert_refused, snapshot
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import NotFoundError, ValidationError
from ticketdesk.services import agents, customers, tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import AgentRecord, CustomerRecord
from ticketdesk.services.session import Session

# -- agents -------------------------------------------------------------------------------------


def test_a_new_agent_is_active_and_listed(system: Session) -> None:
    agent_id, changes = agents.create_agent(system, "  Carol   Chen ", " carol@desk.example ")
    assert changes == Changes(agents=True)
    assert agents.get_agent(system.store, agent_id) == AgentRecord(agent_id, "Carol Chen",
                                                     "carol@desk.example", True)
    assert agents.list_agents(system.store) == [agents.get_agent(system.store, agent_id)]


def test_agents_list_by_name_ignoring_case(system: Session) -> None:
    for name in ("bob", "Alice", "carl"):
        agents.create_agent(system, name)
    assert [a.name for a in agents.list_agents(system.store)] == ["Alice", "bob", "carl"]


BAD_NEW_AGENTS = {
    "empty name": ({"name": "", "email": ""}, "The agent's name cannot be empty."),
    "long name": ({"name": "x" * 201, "email": ""},
                  "The agent's name is 201 characters long; the limit is 200."),
    "bad email": ({"name": "Dora", "email": "dora@"},
                  "'dora@' does not look like an email address (name@example.com)."),
    "taken name": ({"name": "alice AGENT", "email": ""},
                   "There is already an agent called 'alice AGENT'."),
}


def test_bad_new_agents_are_refused_and_nothing_is_written(store: Store, alice: Session) -> None:
    assert_refused(store, {
        case: (partial(agents.create_agent, alice, **fields), ValidationError, message)
        for case, (fields, message) in BAD_NEW_AGENTS.items()})


def test_an_agent_can_be_renamed_and_given_a_new_email(system: Session, alice: Session) -> None:
    me = alice.agent_id
    assert me is not None
    assert agents.update_agent(system, me, name="Alice Smith", email="as@desk.example") == \
        Changes(agents=True)
    assert agents.get_agent(system.store, me) == AgentRecord(me, "Alice Smith",
                                                             "as@desk.example", True)


def test_renaming_an_agent_to_a_different_case_of_their_own_name_is_allowed(
        system: Session, alice: Session) -> None:
    me = alice.agent_id
    assert me is not None
    agents.update_agent(system, me, name="ALICE AGENT")
    assert agents.get_agent(system.store, me).name == "ALICE AGENT"


def test_an_update_that_changes_nothing_writes_nothing(store: Store, system: Session,
                                                       alice: Session) -> None:
    me = alice.agent_id
    assert me is not None
    before = snapshot(store)
    assert agents.update_agent(system, me, name=" Alice Agent ", email="alice@desk.example",
                               active=True) == Changes()
    assert snapshot(store) == before


def test_a_deactivated_agent_leaves_the_list_but_keeps_their_record(system: Session,
                                                                    alice: Session) -> None:
    me = alice.agent_id
    assert me is not None
    agents.update_agent(system, me, active=False)
    assert agents.list_agents(system.store) == []
    assert agents.list_agents(system.store, include_inactive=True) == [
        AgentRecord(me, "Alice Agent", "alice@desk.example", False)]


BAD_AGENT_UPDATES = {
    "taken name": ({"name": "bob builder"}, "There is already an agent called 'bob builder'."),
    "empty name": ({"name": " "}, "The agent's name cannot be empty."),
    "bad email": ({"email": "nope"},
                  "'nope' does not look like an email address (name@example.com)."),
}


def test_bad_agent_updates_are_refused_and_nothing_is_written(
        store: Store, system: Session, alice: Session, bob: Session) -> None:
    assert_refused(store, {
        case: (partial(agents.update_agent, system, alice.agent_id, **fields),
               ValidationError, message)
        for case, (fields, message) in BAD_AGENT_UPDATES.items()})


def test_updating_a_missing_agent_is_not_found(system: Session) -> None:
    with pytest.raises(NotFoundError, match=r"^There is no agent with id 5\.$"):
        agents.update_agent(system, 5, name="Ghost")
    with pytest.raises(NotFoundError):
        agents.get_agent(system.store, 5)


def test_find_agent_matches_the_whole_name_in_any_case(alice: Session) -> None:
    found = agents.find_agent(alice.store, "  ALICE agent ")
    assert found is not None
    assert found.id == alice.agent_id
    assert agents.find_agent(alice.store, "Alice") is None


def test_a_name_with_a_nul_character_finds_no_agent_on_either_engine(alice: Session) -> None:
    assert agents.find_agent(alice.store, "Alice Agent\x00") is None


def test_agent_names_maps_ids_to_names(alice: Session, bob: Session) -> None:
    assert agents.agent_names(alice.store, {alice.agent_id, bob.agent_id, 999}) == {  # type: ignore[arg-type]
        alice.agent_id: "Alice Agent", bob.agent_id: "Bob Builder"}
    assert agents.agent_names(alice.store, []) == {}


# -- customers ----------------------------------------------------------------------------------


def test_a_new_customer_is_stored_clean_with_normalised_tags(system: Session) -> None:
    cid, changes = customers.create_customer(
        system, " Ann  Lee ", email=" ann@example.com ", phone=" +49 30 1234 ",
        company=" Acme ", external_id=" CRM-7 ", tags=["VIP", "vip ", "Reseller"])
    assert changes == Changes(customers=True, tags=True)
    assert customers.get_customer(system.store, cid) == CustomerRecord(
        cid, "Ann Lee", "ann@example.com", "+49 30 1234", "Acme", "CRM-7", ("reseller", "vip"), 1)
    assert customers.list_customer_tags(system.store) == ["reseller", "vip"]
    assert customers.customer_count(system.store) == 1


def test_a_customer_without_tags_announces_no_tag_change(system: Session) -> None:
    cid, changes = customers.create_customer(system, "Plain")
    assert changes == Changes(customers=True)
    assert customers.get_customer(system.store, cid).external_id is None


def test_customers_may_share_a_name(system: Session) -> None:
    first, _ = customers.create_customer(system, "John Smith")
    second, _ = customers.create_customer(system, "John Smith")
    assert first != second


BAD_NEW_CUSTOMERS = {
    "empty name": ({"name": ""}, "The customer's name cannot be empty."),
    "bad email": ({"name": "Ok", "email": "ann@"}, "'ann@' does not look like an email address"),
    "long phone": ({"name": "Ok", "phone": "1" * 61},
                   "The phone number is 61 characters long; the limit is 60."),
    "long company": ({"name": "Ok", "company": "c" * 201}, "The company is 201 characters long"),
    "taken external id": ({"name": "Ok", "external_id": "CRM-1"},
                          "The external customer ID 'CRM-1' already belongs to First."),
    "bad tag": ({"name": "Ok", "tags": ["fine", "a,b"]}, "A tag cannot contain a comma"),
    "NUL": ({"name": "Ok\x00"}, "The customer's name contains a NUL character"),
}


def test_bad_new_customers_are_refused_and_nothing_is_written(store: Store,
                                                              system: Session) -> None:
    customers.create_customer(system, "First", external_id="CRM-1")
    assert_refused(store, {
        case: (partial(customers.create_customer, system, **fields), ValidationError, message)
        for case, (fields, message) in BAD_NEW_CUSTOMERS.items()})


def test_updating_a_customer_replaces_details_and_tags_and_bumps_the_version(
        system: Session) -> None:
    cid, _ = customers.create_customer(system, "Ann", email="ann@example.com", tags=["vip"])
    changes = customers.update_customer(system, cid, 1, name="Ann Lee", email="ann@example.com",
                                        phone="555", tags=["Reseller"])
    assert changes == Changes(customers=True, tags=True)
    assert customers.get_customer(system.store, cid) == CustomerRecord(
        cid, "Ann Lee", "ann@example.com", "555", "", None, ("reseller",), 2)


def test_updating_without_tags_keeps_the_tags(system: Session) -> None:
    cid, _ = customers.create_customer(system, "Ann", tags=["vip"])
    customers.update_customer(system, cid, 1, name="Ann", phone="555")
    assert customers.get_customer(system.store, cid).tags == ("vip",)


def test_renaming_a_customer_announces_their_tickets(alice: Session, system: Session) -> None:
    cid, _ = customers.create_customer(system, "Ann")
    first = tickets.create_ticket(alice, subject="One", customer_id=cid).new_id
    second = tickets.create_ticket(alice, subject="Two", customer_id=cid).new_id
    tickets.create_ticket(alice, subject="Someone else's")
    changes = customers.update_customer(system, cid, 1, name="Ann Lee")
    assert changes == Changes(customers=True, tickets=frozenset({first, second}))


def test_a_change_search_does_not_see_announces_no_tickets(alice: Session,
                                                           system: Session) -> None:
    cid, _ = customers.create_customer(system, "Ann")
    tickets.create_ticket(alice, subject="One", customer_id=cid)
    assert customers.update_customer(system, cid, 1, name="Ann", phone="555") == \
        Changes(customers=True)


def test_saving_a_customer_unchanged_writes_nothing(store: Store, system: Session) -> None:
    """Pressing Save on an unchanged form must not bump the version (which would make a
    colleague's edit of the same customer conflict for no reason)."""
    cid, _ = customers.create_customer(system, "Ann", email="a@example.com", tags=["vip", "b2b"])
    before = snapshot(store)
    assert customers.update_customer(system, cid, 1, name=" Ann ", email="a@example.com",
                                     tags=["B2B", "vip"]) == Changes()
    assert customers.update_customer(system, cid, 1, name="Ann", email="a@example.com") == \
        Changes()
    assert snapshot(store) == before


BAD_CUSTOMER_UPDATES = {
    "empty name": ({"name": " "}, "The customer's name cannot be empty."),
    "bad email": ({"name": "Ann", "email": "x@y"}, "'x@y' does not look like an email address"),
    "taken external id": ({"name": "Ann", "external_id": "CRM-1"},
                          "The external customer ID 'CRM-1' already belongs to First."),
    "bad tag": ({"name": "Ann", "tags": ["ok", "x" * 41]},
                f"The tag {'x' * 41!r} is longer than 40"),
}


def test_bad_customer_updates_are_refused_and_nothing_is_written(store: Store,
                                                                 system: Session) -> None:
    customers.create_customer(system, "First", external_id="CRM-1")
    cid, _ = customers.create_customer(system, "Ann", tags=["vip"])
    assert_refused(store, {
        case: (partial(customers.update_customer, system, cid, 1, **fields), ValidationError,
               message)
        for case, (fields, message) in BAD_CUSTOMER_UPDATES.items()})


def test_a_customer_keeps_their_own_external_id_on_update(system: Session) -> None:
    cid, _ = customers.create_customer(system, "Ann", external_id="CRM-9")
    customers.update_customer(system, cid, 1, name="Ann B", external_id="CRM-9")
    assert customers.get_customer(system.store, cid).external_id == "CRM-9"


def test_updating_or_reading_a_missing_customer_is_not_found(system: Session) -> None:
    with pytest.raises(NotFoundError, match=r"^There is no customer with id 8\.$"):
        customers.update_customer(system, 8, 1, name="Ghost")
    with pytest.raises(NotFoundError, match=r"^There is no customer with id 8\.$"):
        customers.get_customer(system.store, 8)


def test_customers_by_id_skips_missing_ids(system: Session) -> None:
    cid, _ = customers.create_customer(system, "Ann")
    assert list(customers.customers_by_id([cid, cid + 1, cid], system.store)) == [cid]
    assert customers.customers_by_id([], system.store) == {}


@pytest.fixture
def people(system: Session) -> dict[str, int]:
    rows = [
        ("Anna Schmidt", "anna@schmidt.example", "Bakery"),
        ("anders Berg", "ab@fjord.example", "Fjord AS"),
        ("Bea Annan", "bea@example.com", "Anna's Flowers"),
        ("Carl 100% Sure", "carl@example.com", "Percent_Co"),
        ("Dan", "dan@example.com", ""),
    ]
    return {name: customers.create_customer(system, name, email=email, company=company)[0]
            for name, email, company in rows}


def _names(found: list[CustomerRecord]) -> list[str]:
    return [c.name for c in found]


def test_short_queries_match_the_start_of_name_email_or_company(store: Store,
                                                                people: dict[str, int]) -> None:
    assert _names(customers.find_customers(store, "an")) == [
        "anders Berg", "Anna Schmidt", "Bea Annan"]
    # "anders Berg" has a b, but no field starts with one.
    assert _names(customers.find_customers(store, "B")) == ["Anna Schmidt", "Bea Annan"]


def test_longer_queries_match_anywhere_ignoring_case(store: Store,
                                                     people: dict[str, int]) -> None:
    assert _names(customers.find_customers(store, "ANNA")) == ["Anna Schmidt", "Bea Annan"]
    assert _names(customers.find_customers(store, "fjord")) == ["anders Berg"]


def test_like_wildcards_typed_in_the_query_are_plain_characters(store: Store,
                                                                people: dict[str, int]) -> None:
    assert _names(customers.find_customers(store, "100%")) == ["Carl 100% Sure"]
    assert _names(customers.find_customers(store, "t_co")) == ["Carl 100% Sure"]
    assert customers.find_customers(store, "%%%") == []
    assert customers.find_customers(store, "___") == []
    assert customers.find_customers(store, "\\") == []


def test_an_empty_query_lists_everyone_by_name_up_to_the_limit(store: Store,
                                                               people: dict[str, int]) -> None:
    assert _names(customers.find_customers(store, "  ")) == [
        "anders Berg", "Anna Schmidt", "Bea Annan", "Carl 100% Sure", "Dan"]
    assert _names(customers.find_customers(store, "", limit=2)) == [
        "anders Berg", "Anna Schmidt"]


def test_a_nul_character_in_the_query_is_ignored_on_either_engine(
        store: Store, people: dict[str, int]) -> None:
    assert _names(customers.find_customers(store, "dan\x00")) == ["Dan"]
    assert _names(customers.find_customers(store, "\x00")) == _names(
        customers.find_customers(store, ""))


def test_found_customers_carry_their_tags(system: Session) -> None:
    customers.create_customer(system, "Tagged", tags=["vip"])
    assert customers.find_customers(system.store, "tag")[0].tags == ("vip",)
