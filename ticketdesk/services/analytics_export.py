"""An analytics report as ONE CSV file in long ("tidy") form: one figure per row.

Why one long file rather than a folder of tables: an analyst opens one file, gets every figure
of both periods with one header, and builds any table from it with a pivot (rows `key`, columns
`period` or `metric`) or a filter on `section`; pandas reads it with one `read_csv`. Nothing is
laid out for the eye only (no blank lines between blocks, no second header in mid-file), so no
row has to be skipped or cleaned before use. The columns:

    section     report | summary | daily | by_status | by_priority | by_tag | by_category
                | agents | csat | csat_daily | csat_by_agent | csat_by_tag | csat_by_priority
                | sla | sla_by_priority | sla_by_agent | sla_by_tag
    period      current | previous ("" for the report rows)
    first_day   the period's first local day, ISO (2026-03-27)
    last_day    its last local day, inclusive
    key         what the row is about: the day, status, priority, tag or agent ("" for summary)
    metric      see below
    value       a plain number (no thousands separator, "." decimal), or text in the report rows

Metrics: summary rows give `created`, `closed`, `open_at_end`, `resolved` and `responded` (how many
tickets the two averages cover), `avg_resolution_hours`, `avg_first_response_hours`,
`created_closed` (tickets created in the period that were closed by its end and still are),
`closure_rate_percent` (the share of the period's tickets that are closed: `created_closed` ÷
`created`, 0 to 100) and `closed_per_created_percent` (Closed ÷ Created, a throughput ratio that
exceeds 100 when a backlog is closed; not a share); daily rows `created` and `closed`; breakdown
rows `tickets` (created in the period); agent rows `handled`, `closed`, `resolved`,
`avg_resolution_hours`, `responded`, `avg_first_response_hours`. Durations are decimal hours, so a
spreadsheet can sum and average them. A figure that does not exist (an average of no tickets; a rate
with nothing created) is an empty cell, where the app shows "—": a spreadsheet skips an empty cell
in AVERAGE, but would choke on a dash. CSAT rows (when the report comes with its CSAT figures,
services/csat.py) give `ratings`, `good`, `good_percent` (the CSAT score, 0 to 100) and
`average_rating` (of the numeric ratings, 1 to 5), for the period, each day, each agent, tag and
priority; the comments stay in the app. SLA rows (services/sla_analytics.py: tickets created in
the period) give `tickets`, `first_response_met`, `first_response_breached`,
`first_response_met_percent` (met ÷ decided, 0 to 100), the same three for `resolution_`, and
`breaches` (both targets), for the period, each priority, agent and tag. The definitions of
every figure are in `domain/analytics.py` (and the UI's tooltips).

Text that came from people (tag and agent names, the filter's search text) is neutralised against
formula injection (`csv_cells.neutralise`, OWASP); the file is written atomically and privately
like every export (`export.write_csv`, `output_file`), in UTF-8, optionally with a byte-order mark
for Excel.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from ticketdesk.domain.analytics import AgentFigures, AnalyticsReport, PeriodFigures, Summary
from ticketdesk.domain.csat import CsatReport, CsatSummary
from ticketdesk.domain.field_conditions import as_text
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.services.csv_cells import neutralise
from ticketdesk.services.export import write_csv as write_rows
from ticketdesk.services.output_file import STDOUT, is_folder
from ticketdesk.services.sla_analytics import SlaPair, SlaReport
from ticketdesk.services.sla_analytics import metrics as sla_metrics

COLUMNS = ("section", "period", "first_day", "last_day", "key", "metric", "value")


def default_name(report: AnalyticsReport) -> str:
    """The file name used when `write_csv` is given a folder."""
    p = report.current.period
    return f"analytics-{p.first_day.isoformat()}-{p.last_day.isoformat()}.csv"


CsatPair = tuple[CsatReport, CsatReport]
"""The CSAT figures of the report's period and of the one before."""


def write_csv(report: AnalyticsReport, path_or_folder: Path | str, *, bom: bool = False,
              csat: CsatPair | None = None, sla: SlaPair | None = None) -> Path:
    """Write `report` (and its CSAT figures, when given) to a CSV file and return its path. An
    existing folder gets a file named after the period (`default_name`); an existing file is
    replaced only once the new one is complete; "-" is standard output (`output_file` has the
    rules for every target)."""
    if str(path_or_folder) in (STDOUT, ""):  # "" is refused there, not taken for "."
        write_rows(path_or_folder, COLUMNS, rows(report, csat, sla), bom=bom)
        return Path(path_or_folder)
    target = Path(path_or_folder).expanduser()
    if is_folder(target):
        target = target / default_name(report)
    write_rows(target, COLUMNS, rows(report, csat, sla), bom=bom)
    return target


def rows(report: AnalyticsReport, csat: CsatPair | None = None,
         sla: SlaPair | None = None) -> Iterator[list[str]]:
    """Every row of the file after the header, in reading order."""
    yield from _report_rows(report)
    for name, figures in (("current", report.current), ("previous", report.previous)):
        yield from _summary_rows(name, figures)
    for name, figures in (("current", report.current), ("previous", report.previous)):
        yield from _series_rows(name, figures)
    if csat is not None:
        for name, c in zip(("current", "previous"), csat, strict=True):
            yield from _csat_rows(name, c)
    if sla is not None:
        for name, figures_sla in zip(("current", "previous"), sla, strict=True):
            yield from _sla_rows(name, figures_sla)


def _csat_metrics(s: CsatSummary) -> tuple[tuple[str, str], ...]:
    share = None if s.share_good is None else s.share_good * 100
    return (("ratings", number(s.ratings)), ("good", number(s.good)),
            ("good_percent", number(share)), ("average_rating", number(s.average)))


def _csat_rows(name: str, c: CsatReport) -> Iterator[list[str]]:
    first, last = c.first_day.isoformat(), c.last_day.isoformat()

    def row(section: str, key: str, metric: str, value: str) -> list[str]:
        return [section, name, first, last, neutralise(key), metric, value]

    for metric, value in _csat_metrics(c.summary):
        yield row("csat", "", metric, value)
    for day in c.daily:
        for metric, value in _csat_metrics(day.summary):
            yield row("csat_daily", day.day.isoformat(), metric, value)
    for section, groups in (("csat_by_agent", c.by_agent), ("csat_by_tag", c.by_tag),
                            ("csat_by_priority", c.by_priority)):
        for key, summary in groups:
            for metric, value in _csat_metrics(summary):
                yield row(section, key, metric, value)


def _sla_rows(name: str, s: SlaReport) -> Iterator[list[str]]:
    first, last = s.first_day.isoformat(), s.last_day.isoformat()
    groups = (("sla", (("", s.summary),)), ("sla_by_priority", s.by_priority),
              ("sla_by_agent", s.by_agent), ("sla_by_tag", s.by_tag))
    for section, members in groups:
        for key, figures in members:
            for metric, value in sla_metrics(figures):
                yield [section, name, first, last, neutralise(key), metric, number(value)]


def number(value: float | None) -> str:
    """A plain machine-readable number; "" for a figure that does not exist."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def hours(seconds: float | None) -> str:
    return number(None if seconds is None else seconds / 3600)


def describe_filter(f: TicketFilter, agent_names: Mapping[int, str] | None = None) -> str:
    """The filter as one line, e.g. "tags=billing|refund; statuses=Open" ("none" if empty).

    Assignees read by name (`agent_names`, as the report carries them); an agent not named
    there (deleted since) reads "agent 11"."""
    names = agent_names or {}
    parts = []
    if f.text.strip():
        parts.append(f"text={f.text.strip()}")
    if f.statuses:
        parts.append("statuses=" + "|".join(s.label for s in sorted(f.statuses)))
    if f.priorities:
        parts.append("priorities=" + "|".join(p.label for p in sorted(f.priorities)))
    if f.tags:
        parts.append("tags=" + "|".join(sorted(f.tags)))
    if f.customer_tags:
        parts.append("customer_tags=" + "|".join(sorted(f.customer_tags)))
    if f.assignees or f.unassigned:
        who = [names.get(a, f"agent {a}") for a in sorted(f.assignees)]
        who += ["unassigned"] if f.unassigned else []
        parts.append("assignees=" + "|".join(who))
    if f.customer_id is not None:
        parts.append(f"customer={f.customer_id}")
    if f.categories:
        parts.append("categories=" + "|".join(sorted(f.categories)))
    if f.custom or f.field_conditions:  # custom fields by id (issue 19)
        values = [f"field {fid}={value}" for fid, value in sorted(f.custom)]
        values += [as_text(c, f"field {c.field_id}") for c in sorted(f.field_conditions)]
        parts.append("fields=" + "|".join(values))
    return "; ".join(parts) or "none"


def _row(section: str, period: str, figures: PeriodFigures | None, key: str, metric: str,
         value: str) -> list[str]:
    first = figures.period.first_day.isoformat() if figures else ""
    last = figures.period.last_day.isoformat() if figures else ""
    return [section, period, first, last, neutralise(key), metric, value]


def _report_rows(report: AnalyticsReport) -> Iterator[list[str]]:
    generated = datetime.fromtimestamp(report.generated_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for metric, value in (("period", report.current.period.label),
                          ("time_zone", report.tz_name),
                          ("filter", describe_filter(report.current.filter,
                                                     dict(report.agent_names))),
                          ("generated_at", generated)):
        yield _row("report", "", None, "", metric, neutralise(value))


def _summary_rows(name: str, figures: PeriodFigures) -> Iterator[list[str]]:
    s: Summary = figures.summary
    closure = None if s.closure_rate is None else s.closure_rate * 100
    per_created = None if s.closed_per_created is None else s.closed_per_created * 100
    for metric, value in (("created", number(s.created)), ("closed", number(s.closed)),
                          ("open_at_end", number(s.open_at_end)),
                          ("resolved", number(s.resolved)),
                          ("avg_resolution_hours", hours(s.avg_resolution)),
                          ("responded", number(s.responded)),
                          ("avg_first_response_hours", hours(s.avg_first_response)),
                          ("created_closed", number(s.created_closed)),
                          ("closure_rate_percent", number(closure)),
                          ("closed_per_created_percent", number(per_created))):
        yield _row("summary", name, figures, "", metric, value)


def _agent_rows(name: str, figures: PeriodFigures, a: AgentFigures) -> Iterator[list[str]]:
    for metric, value in (("handled", number(a.handled)), ("closed", number(a.closed)),
                          ("resolved", number(a.resolved)),
                          ("avg_resolution_hours", hours(a.avg_resolution)),
                          ("responded", number(a.responded)),
                          ("avg_first_response_hours", hours(a.avg_first_response))):
        yield _row("agents", name, figures, a.name, metric, value)


def _series_rows(name: str, figures: PeriodFigures) -> Iterator[list[str]]:
    for day in figures.daily:
        yield _row("daily", name, figures, day.day.isoformat(), "created", number(day.created))
        yield _row("daily", name, figures, day.day.isoformat(), "closed", number(day.closed))
    charts = figures.breakdowns
    if charts is None:
        return
    for section, bars in (("by_status", charts.by_status), ("by_priority", charts.by_priority),
                          ("by_tag", charts.by_tag), ("by_category", charts.by_category)):
        for bar in bars:
            yield _row(section, name, figures, bar.label, "tickets", number(bar.count))
    for agent in charts.agents:
        yield from _agent_rows(name, figures, agent)
