"""The importer on both engines: numbers, customers, agents, times, one transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketdesk.db.models import Activity
from ticketdesk.db.store import Store
from ticketdesk.domain.errors import InvalidRowsError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.status import Status
from ticketdesk.services import agents, customers, tickets
from ticketdesk.services.importer import ImportCancelled, import_tickets
from ticketdesk.services.session import Session
from ticketdesk.services.ticket_list import count

HEADER = ("number,subject,status,customer,customer_email,customer_external_id,assignees,tags,"
          "created_at,updated_at,resolved_at,closed_at\n")


def _csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_numbers_are_kept_when_free_and_new_ones_come_after_all_of_them(
        system: Session, tmp_path: Path) -> None:
    tickets.create_ticket(system, subject="one")
    path = _csv(tmp_path,
                "TKT-000001,clashes with one,Open,,,,,,2026-01-01T00:00:00Z,,,",
                "TKT-000050,fifty,Open,,,,,,2026-01-01T00:00:00Z,,,",
                ",no number,Open,,,,,,2026-01-01T00:00:00Z,,,")
    result = import_tickets(system, path)
    assert (result.imported, result.renumbered) == (3, 1)
    got = {tickets.get_ticket(i).subject: i for i in (1, 50, 51, 52)}
    assert got == {"one": 1, "fifty": 50, "clashes with one": 51, "no number": 52}
    after = tickets.create_ticket(system, subject="made later").new_id
    assert after == 53  # the next number continues above the imported ones (PostgreSQL too)


def test_customers_are_matched_by_external_id_then_email_then_unique_name(
        system: Session, tmp_path: Path) -> None:
    ext, _ = customers.create_customer(system, "Ann External", external_id="A-1")
    mail, _ = customers.create_customer(system, "Bea Mail", email="bea@example.com")
    named, _ = customers.create_customer(system, "Cid Unique")
    customers.create_customer(system, "Dee Twice")
    customers.create_customer(system, "Dee Twice")
    path = _csv(tmp_path,
                ",by id,Open,someone else,other@example.com,A-1,,,,,,",
                ",by email,Open,B. Mail,BEA@example.com,,,,,,,",
                ",by name,Open,cid unique,,,,,,,,",
                ",ambiguous name,Open,Dee Twice,,,,,,,,",
                ",new person,Open,Eve New,eve@example.com,E-9,,,,,,",
                ",same new person,Open,Eve,,E-9,,,,,,")
    result = import_tickets(system, path)
    assert result.customers_created == 2
    by_subject = {tickets.get_ticket(i).subject: tickets.get_ticket(i).customer for i in
                  range(1, 7)}
    assert by_subject["by id"].id == ext
    assert by_subject["by email"].id == mail
    assert by_subject["by name"].id == named
    assert by_subject["ambiguous name"].id not in (named, ext, mail)
    assert by_subject["new person"].id == by_subject["same new person"].id
    assert by_subject["new person"].name == "Eve New"
    # never changed by an import
    assert customers.get_customer(system.store, ext).name == "Ann External"


def test_agents_are_found_by_name_or_created_and_tags_created(system: Session,
                                                              tmp_path: Path) -> None:
    known, _ = agents.create_agent(system, "Known Agent")
    agents.update_agent(system, known, active=False)
    path = _csv(tmp_path, ',x,Open,,,,"known agent, Newcomer, newcomer",vip,,,,')
    result = import_tickets(system, path)
    assert result.agents_created == ("Newcomer",)
    detail = tickets.get_ticket(1)
    assert sorted(a.name for a in detail.assignees) == ["Known Agent", "Newcomer"]
    assert detail.tags == ("vip",)


def test_status_and_times_are_made_to_agree(system: Session, tmp_path: Path) -> None:
    path = _csv(tmp_path,
                ",closed without times,Closed,,,,,,2026-01-01T00:00:00Z,2026-01-05T00:00:00Z,,",
                ",open with stale times,Open,,,,,,2026-01-01T00:00:00Z,,2026-01-02T00:00:00Z,"
                "2026-01-03T00:00:00Z")
    import_tickets(system, path)
    closed, reopened = tickets.get_ticket(1), tickets.get_ticket(2)
    assert closed.status == Status.CLOSED
    assert closed.closed_at == closed.resolved_at == closed.updated_at == 1_767_571_200
    assert (reopened.resolved_at, reopened.closed_at) == (None, None)
    assert reopened.updated_at == reopened.created_at == 1_767_225_600


def test_a_file_with_errors_imports_nothing_and_skipping_imports_the_rest(
        system: Session, tmp_path: Path) -> None:
    path = _csv(tmp_path,
                ",good,Open,,,,,,,,,",
                "TKT-xyz,bad number,Open,,,,,,,,,",
                ",bad time,Open,,,,,,yesterday,,,",
                ",bad email,Open,Ann,not-an-email,,,,,,,",
                "TKT-7,seven,Open,,,,,,,,,",
                "7,seven again,Open,,,,,,,,,")
    with pytest.raises(InvalidRowsError) as info:
        import_tickets(system, path)
    assert [line for line, _ in info.value.errors] == [3, 4, 5, 7]
    assert "appears more than once" in info.value.errors[-1][1]
    assert tickets.ticket_count() == 0
    assert Activity.select().count() == 0
    result = import_tickets(system, path, skip_bad_rows=True)
    assert result.imported == 2
    assert [line for line, _ in result.skipped] == [3, 4, 5, 7]


def test_a_cancelled_import_leaves_nothing(system: Session, tmp_path: Path) -> None:
    path = _csv(tmp_path, *[f",ticket {n},Open,Cust {n},,,,tag{n % 7},,,," for n in range(1200)])
    with pytest.raises(ImportCancelled):
        import_tickets(system, path, progress=lambda done, _total, _phase: done < 1000)
    assert tickets.ticket_count() == 0
    assert customers.customer_count(system.store) == 0


def test_imported_tickets_are_found_by_search(store: Store, system: Session,
                                              tmp_path: Path) -> None:
    path = _csv(tmp_path, ",Printer on fire,Open,Zed Zebra,zed@example.com,,,,,,,")
    import_tickets(system, path)
    assert count(store, TicketFilter(text="printer fire")) == 1
    assert count(store, TicketFilter(text="zebra")) == 1
