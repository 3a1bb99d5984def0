"""What a demo generation made."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSummary:
    tickets: int
    customers: int
    agents: int
    messages: int
    notes: int
    activity_rows: int
    attachments: int
    tags: int
    """Ticket tag names the demo uses (customer tags not counted)."""
    elapsed_seconds: float

    def describe(self) -> str:
        """One line for the command line and the status bar."""
        return (f"{self.tickets:,} tickets, {self.customers:,} customers, {self.agents} agents, "
                f"{self.messages:,} messages, {self.notes:,} notes, "
                f"{self.attachments:,} attachments, {self.activity_rows:,} activity rows "
                f"in {self.elapsed_seconds:.1f} s")
