"""Take the README's screenshots of the real window, from demo data, on a private X server.

    .venv/bin/python packaging/screenshots.py [--tickets 20000] [--out resources/screenshots]

Builds a demo desk in a temporary folder (the same generator as `ticketdesk demo`), starts Xvfb
at a fixed size and 96 dpi, opens the main window exactly as `ticketdesk` does (same application
set-up: Fusion, icon, colour scheme), selects a ticket with a conversation, and saves:

    tickets-light.png, tickets-dark.png        the list with the ticket dock beside it
    dock-<tab>-light.png, dock-<tab>-dark.png  the dock, one picture per tab
    analytics-light.png, analytics-dark.png    View > Analytics (Ctrl+2), once that view exists

Pictures are quantised with pngquant and optimised with optipng when those are installed
(apt-get install pngquant optipng), to keep each one to a few hundred KB. Regenerate them
whenever the window changes; nothing here depends on the machine's own desktop settings.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's ticketdesk and tests.e2e.x11

WIDTH, HEIGHT = 1600, 900


def build_desk(path: Path, tickets: int) -> None:
    from ticketdesk.db.store import open_database
    from ticketdesk.services import demo

    store = open_database(f"sqlite:///{path}")
    try:
        demo.generate(store, tickets=tickets, seed=1)
    finally:
        store.close()


def optimise(path: Path) -> None:
    pngquant, optipng = shutil.which("pngquant"), shutil.which("optipng")
    if pngquant:
        subprocess.run([pngquant, "--force", "--skip-if-larger", "--quality", "70-95",  # noqa: S603
                        "--strip", "--output", str(path), str(path)], check=False)
    if optipng:
        subprocess.run([optipng, "-quiet", "-o2", "-strip", "all", str(path)],  # noqa: S603
                       check=True)


def settle(app, seconds: float = 0.6) -> None:
    """Let queued work (first page, snapshot, row fetches, repaints) finish."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def interesting_ticket(window) -> int | None:
    """A ticket near the top of the list with a conversation and, if possible, a note (and a
    subject of ordinary length: the dock widens for a long one)."""
    from ticketdesk.services import messages, notes, tickets

    model = window.model
    for rows, with_note in ((20, True), (200, True), (20, False)):
        for row in range(min(model.rowCount(), rows)):
            ticket_id = model.ticket_id(row)
            if ticket_id is None or len(tickets.get_ticket(ticket_id).subject) > 40:
                continue
            if len(messages.messages_for(ticket_id)) >= 2 and (
                    not with_note or notes.notes_for(ticket_id)):
                return ticket_id
    return model.ticket_id(0)


def save(widget, path: Path, shots: list[Path]) -> None:
    image = widget.grab()
    if not image.save(str(path), "PNG"):
        raise RuntimeError(f"could not write {path}")
    optimise(path)
    shots.append(path)


def shoot(desk: Path, out: Path, scheme: str, shots: list[Path]) -> None:
    from PySide6.QtWidgets import QTabWidget

    from ticketdesk.app import build_main_window
    from ticketdesk.ui.application import create_application

    os.environ["TICKETDESK_COLOR_SCHEME"] = scheme
    app = create_application([sys.argv[0]])
    window = build_main_window(str(desk), agent_name="Dana Whitfield")
    try:
        window.resize(WIDTH, HEIGHT)
        window.show()
        settle(app, 1.5)
        ticket_id = interesting_ticket(window)
        if ticket_id is not None and window.table.select_ticket(ticket_id):
            from PySide6.QtWidgets import QAbstractItemView

            row = window.model.row_of(ticket_id) or 0
            window.table.scrollTo(window.model.index(row, 0),
                                  QAbstractItemView.ScrollHint.PositionAtCenter)
        settle(app, 1.0)
        save(window, out / f"tickets-{scheme}.png", shots)
        tabs = window.ticket_dock.findChild(QTabWidget)
        if tabs is not None:
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                settle(app, 0.8)
                name = re.sub(r"[^a-z]+", "-", re.sub(r"\(.*?\)|&", "", tabs.tabText(index))
                              .strip().lower())
                save(window.dock, out / f"dock-{name}-{scheme}.png", shots)
            tabs.setCurrentIndex(0)
        window.analytics_view_action.trigger()
        settle(app, 0.3)
        if window.analytics_view is not None and window.pages.currentWidget() is \
                window.analytics_view:
            settle(app, 3.0)  # the cards and charts are computed off the GUI thread
            save(window, out / f"analytics-{scheme}.png", shots)
        else:
            print("analytics view not available yet: no analytics screenshot")
    finally:
        window.close()
        window.shutdown()
        window.deleteLater()
        settle(app, 0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "screenshots")
    parser.add_argument("--offscreen", action="store_true",
                        help="render offscreen instead of on Xvfb (no X server needed)")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="ticketdesk-shots-") as tmp_name:
        tmp = Path(tmp_name)
        # Settings, data and caches of a first run, not the user's.
        for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                         ("XDG_CACHE_HOME", "cache")):
            os.environ[var] = str(tmp / sub)
        os.environ.setdefault("LANG", "en_US.UTF-8")
        os.environ.pop("XDG_CURRENT_DESKTOP", None)  # nothing from this machine's desktop
        desk = tmp / "demo.sqlite"
        started = time.perf_counter()
        build_desk(desk, args.tickets)
        print(f"demo desk of {args.tickets:,} tickets in {time.perf_counter() - started:.0f} s")
        shots: list[Path] = []
        if args.offscreen:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            take_all(desk, out, shots)
        else:
            from tests.e2e.x11 import xvfb

            with xvfb(WIDTH + 40, HEIGHT + 40) as display:
                os.environ["DISPLAY"] = display
                os.environ["QT_QPA_PLATFORM"] = "xcb"
                take_all(desk, out, shots)
    for path in shots:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{path.stat().st_size / 1024:,.0f} KB")
    return 0


def take_all(desk: Path, out: Path, shots: list[Path]) -> None:
    shoot(desk, out, "light", shots)
    shoot(desk, out, "dark", shots)


if __name__ == "__main__":
    sys.exit(main())
