"""The Check page's "Route open unassigned tickets through the routing rules" (issue 16, as
`ticketdesk import tickets --route`): off by default, and then nothing is routed; ticked, the
imported tickets that are still open and came without an assignee get one from the rules, with
an activity row naming the rule; on both engines, through the wizard as a user clicks it."""

from __future__ import annotations

from pathlib import Path

from tests.importing.test_import_routing import assigned, old_desk_csv
from tests.ui.test_import_export_ui import Seen, answer_box, click_ok
from tests.ui.test_import_wizard import open_wizard, press_import, to_check_page
from tests.unit.support import activity
from ticketdesk.db.models import Ticket
from ticketdesk.domain.activity import ActivityKind
from ticketdesk.services import agents, routing
from ticketdesk.services.routing import RuleSpec
from ticketdesk.ui.main_window import MainWindow


def add_rule(window: MainWindow) -> None:
    """A team of Ana and Ben and a rule giving it every ticket in turn."""
    session = window.session
    for name in ("Ana", "Ben"):
        agents.create_agent(session, name)
    routing.add_team(session, "Support", ["Ana", "Ben"])
    routing.add_rule(session, RuleSpec("Everything", "round-robin", team="Support"))


def import_with(qtbot, window: MainWindow, path: Path, *, route: bool | None) -> Seen:
    """Through the wizard to the Check page; tick the box if `route` (None: leave it alone)."""
    wizard = open_wizard(qtbot, window)
    to_check_page(qtbot, wizard, path)
    box = wizard.check_page.route
    assert box.isVisible()
    assert not box.isChecked(), "routing is off until asked for, as on the command line"
    if route is not None:
        box.setChecked(route)
    seen: Seen = []
    answer_box("importSummary", click_ok, seen)
    press_import(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(seen), timeout=30_000)
    return seen


def test_ticked_the_open_unassigned_tickets_get_an_assignee_and_a_row_naming_the_rule(
        window: MainWindow, qtbot, tmp_path: Path) -> None:
    add_rule(window)
    seen = import_with(qtbot, window, old_desk_csv(tmp_path / "old.csv"), route=True)
    assert seen[0]["text"].startswith("Imported 4 ticket(s)")
    assert "2 routed to an agent" in seen[0]["informative"]
    assert assigned() == {"Printer jams": ["Ana"], "VPN down": ["Ben"], "Laptop": ["Zed"]}
    jams = Ticket.get(Ticket.subject == "Printer jams").id
    [why] = [r.new for r in activity(jams) if r.kind == ActivityKind.ROUTED]
    assert why.startswith("Rule “Everything”: Ana")


def test_left_unticked_no_imported_ticket_is_routed(
        window: MainWindow, qtbot, tmp_path: Path) -> None:
    add_rule(window)
    seen = import_with(qtbot, window, old_desk_csv(tmp_path / "old.csv"), route=None)
    assert seen[0]["text"].startswith("Imported 4 ticket(s)")
    assert "routed" not in seen[0]["informative"]
    assert assigned() == {"Laptop": ["Zed"]}
    jams = Ticket.get(Ticket.subject == "Printer jams").id
    assert not [r for r in activity(jams) if r.kind == ActivityKind.ROUTED]
