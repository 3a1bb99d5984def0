"""What must hold in a desk after any crash: checked by the crash, concurrency and backup tests
and by the stress runs. Reports are the lines `writer.py` printed after each commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import apsw

from ticketdesk.db.store import open_database


@dataclass
class Verdict:
    commits_checked: int = 0
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def parse_reports(lines: Iterable[str]) -> list[list[str]]:
    """Complete report lines only: a line cut short by the kill is not a report."""
    return [line.rstrip("\n").split(" ", 3) for line in lines
            if line.endswith("\n") and line[:1] in "TNMSBEX"]


def _one(db: Any, sql: str, *params: Any) -> Any:
    return db.execute_sql(sql, params).fetchone()[0]


def audit_invariants(db: Any) -> list[str]:
    """No change without its activity row, versions that add up, an index that covers all."""
    problems = []
    checks = {
        "tickets without exactly one created/imported activity row":
            "SELECT count(*) FROM ticket t WHERE (SELECT count(*) FROM activity a WHERE "
            "a.ticket_id = t.id AND a.kind IN ('created', 'imported')) != 1",
        "notes without their note_added row":
            "SELECT count(*) FROM note n WHERE NOT EXISTS (SELECT 1 FROM activity a WHERE "
            "a.ticket_id = n.ticket_id AND a.kind = 'note_added' AND a.ref_id = n.id)",
        "messages without their message row":
            "SELECT count(*) FROM message m WHERE NOT EXISTS (SELECT 1 FROM activity a WHERE "
            "a.ticket_id = m.ticket_id AND a.kind IN ('message_in', 'message_out') "
            "AND a.ref_id = m.id)",
        "attachments without their attached row":
            "SELECT count(*) FROM attachment f WHERE NOT EXISTS (SELECT 1 FROM activity a WHERE "
            "a.ticket_id = f.ticket_id AND a.kind = 'attached' AND a.ref_id = f.id)",
        "attachments without their bytes":
            "SELECT count(*) FROM attachment f WHERE NOT EXISTS (SELECT 1 FROM "
            "attachment_content c WHERE c.attachment_id = f.id)",
        "tickets whose version disagrees with their activity":
            "SELECT count(*) FROM ticket t WHERE t.version != (SELECT max(a.ticket_version) "
            "FROM activity a WHERE a.ticket_id = t.id)",
        "ticket versions that no activity row explains":
            "SELECT count(*) FROM ticket t WHERE t.version - 1 > (SELECT count(DISTINCT "
            "a.ticket_version) FROM activity a WHERE a.ticket_id = t.id AND a.ticket_version > 1)",
    }
    for what, sql in checks.items():
        found = _one(db, sql)
        if found:
            problems.append(f"{found} {what}")
    tickets = _one(db, "SELECT count(*) FROM ticket")
    indexed = _one(db, "SELECT count(*) FROM ticket_fts")
    if tickets != indexed:
        problems.append(f"{tickets} tickets but {indexed} search documents")
    return problems


def verify(desk: Path, reports: list[list[str]]) -> Verdict:
    """Open the desk as the app would after a crash and check every reported commit."""
    verdict = Verdict()
    store = open_database(str(desk))
    try:
        db = store.db
        verdict.problems += store.integrity_problems()
        verdict.problems += audit_invariants(db)
        for report in reports:
            kind = report[0]
            if kind == "T":
                ok = _one(db, "SELECT count(*) FROM ticket WHERE id = ? AND subject LIKE ?",
                          int(report[1]), f"% {report[2]}")
            elif kind == "N":
                ok = _one(db, "SELECT count(*) FROM note WHERE id = ? AND ticket_id = ? AND "
                          "body LIKE ?", int(report[2]), int(report[1]), f"{report[3]} %")
            elif kind == "M":
                ok = _one(db, "SELECT count(*) FROM message WHERE ticket_id = ? AND body = ?",
                          int(report[1]), f"{report[2]} reply")
            elif kind == "S":
                ok = _one(db, "SELECT count(*) FROM activity WHERE ticket_id = ? AND "
                          "ticket_version = ? AND kind IN ('status', 'reopened') AND new = ?",
                          int(report[1]), int(report[2]), report[3])
            elif kind == "B":
                ok = _backup_sound(Path(report[1]))
            else:
                continue
            verdict.commits_checked += 1
            if not ok:
                verdict.problems.append(f"reported but missing: {' '.join(report)}")
        for table in ("ticket", "note", "message", "attachment", "activity"):
            verdict.counts[table] = _one(db, f"SELECT count(*) FROM {table}")
    finally:
        store.close()
    return verdict


def _backup_sound(path: Path) -> bool:
    conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def finished_backups_sound(folder: Path) -> list[str]:
    """Every backup under its final name is whole (a killed backup leaves only a hidden
    `.partial` file, never a damaged backup)."""
    if not folder.is_dir():
        return []
    return [f"damaged backup {p.name}" for p in sorted(folder.glob("*.sqlite"))
            if not _backup_sound(p)]
