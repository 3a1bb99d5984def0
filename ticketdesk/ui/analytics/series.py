"""What each bar chart shows: the bars of a report's breakdowns, with their labels in the user's
language, the exact figures for the tooltip and the ticket filter behind each bar.

Plain values (no pyqtgraph), so the view can prepare them before the charts exist and tests can
read them. Long lists are cut: the ten most used tags and an "Other" bar for the rest (whose
tickets no single filter lists: a ticket with two tags counts under both), the ten top agents
(ranked by tickets handled, as the agents table is: `domain.analytics.rank_agents`).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from ticketdesk.domain.analytics import (
    Bar,
    Breakdowns,
    PeriodFigures,
    format_count,
    format_duration,
    rank_agents,
)
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.status import Priority, Status
from ticketdesk.ui.labels import priority_text, status_text

TOP_TAGS = 10
TOP_AGENTS = 10
translate = QCoreApplication.translate  # lupdate finds translate("context", "text")


@dataclass(frozen=True)
class BarSpec:
    label: str
    value: int
    tooltip: str
    """Plain text (names people typed); the chart escapes it."""
    drill: TicketFilter | None = None
    """The tickets behind the bar, or None where no single filter lists them."""


def _breakdowns(figures: PeriodFigures) -> Breakdowns:
    charts = figures.breakdowns
    assert charts is not None, "the current period always has its breakdowns"
    return charts


def _tip(label: str, count: int, what: str) -> str:
    tickets = translate("AnalyticsSeries", "{0} tickets").format(format_count(count))
    return f"{label}: {tickets}\n{what}"


def status_bars(figures: PeriodFigures) -> list[BarSpec]:
    what = translate("AnalyticsSeries", "created in the period, with this status now")
    result = []
    for bar in _breakdowns(figures).by_status:
        assert isinstance(bar.key, Status)
        label = status_text(bar.key)
        result.append(BarSpec(label, bar.count, _tip(label, bar.count, what),
                              figures.drill_bar(bar)))
    return result


def priority_bars(figures: PeriodFigures) -> list[BarSpec]:
    what = translate("AnalyticsSeries", "created in the period, with this priority")
    result = []
    for bar in _breakdowns(figures).by_priority:
        assert isinstance(bar.key, Priority)
        label = priority_text(bar.key)
        result.append(BarSpec(label, bar.count, _tip(label, bar.count, what),
                              figures.drill_bar(bar)))
    return result


def tag_bars(figures: PeriodFigures) -> list[BarSpec]:
    tags: tuple[Bar, ...] = _breakdowns(figures).by_tag
    shown = tags if len(tags) <= TOP_TAGS + 1 else tags[:TOP_TAGS]
    what = translate("AnalyticsSeries", "created in the period, with this tag")
    result = [BarSpec(bar.label, bar.count, _tip(bar.label, bar.count, what),
                      figures.drill_bar(bar)) for bar in shown]
    rest = tags[len(shown):]
    if rest:
        names = ", ".join(f"{b.label} {format_count(b.count)}" for b in rest[:20])
        more = "…" if len(rest) > 20 else ""
        tip = translate("AnalyticsSeries", "{0} other tags (a ticket with two tags counts under "
                                           "both): {1}{2}").format(len(rest), names, more)
        hint = translate("AnalyticsSeries", "Pick one of them as the tag above to list its "
                                            "tickets.")
        result.append(BarSpec(
            translate("AnalyticsSeries", "Other ({0} tags)").format(len(rest)),
            sum(b.count for b in rest), f"{tip}\n{hint}", None))
    return result


def category_bars(figures: PeriodFigures) -> list[BarSpec]:
    """Tickets created in the period by category (issue 19), most first; a bar lists them."""
    what = translate("AnalyticsSeries", "created in the period, in this category")
    return [BarSpec(bar.label, bar.count, _tip(bar.label, bar.count, what),
                    figures.drill_bar(bar)) for bar in _breakdowns(figures).by_category]


def agent_bars(figures: PeriodFigures) -> list[BarSpec]:
    """The top agents of the period: most tickets handled first, the order of the agents table.

    Handled is a union of four date ranges that no single ticket filter lists, so a bar has no
    drill-down; its tooltip points to the table's cells, which have."""
    people = rank_agents(_breakdowns(figures).agents)
    hint = translate("AnalyticsSeries", "Handled has no single ticket list: double-click the "
                                        "agent's Closed, Avg Resolution or Avg First Response "
                                        "in the agents table below.")
    result = []
    for agent in [a for a in people if a.handled][:TOP_AGENTS]:
        tip = "\n".join([
            agent.name,
            translate("AnalyticsSeries", "Handled: {0}").format(format_count(agent.handled)),
            translate("AnalyticsSeries", "Closed: {0}").format(format_count(agent.closed)),
            translate("AnalyticsSeries", "Avg Resolution: {0}").format(
                format_duration(agent.avg_resolution)),
            translate("AnalyticsSeries", "Avg First Response: {0}").format(
                format_duration(agent.avg_first_response)),
            hint])
        result.append(BarSpec(agent.name, agent.handled, tip, None))
    return result
