"""Shared by the reliability tests."""

from __future__ import annotations

import os

SCALE = float(os.environ.get("TICKETDESK_HYPOTHESIS_SCALE", "1"))
"""Multiplies every property test's example count; the stress run sets it (see README)."""


def examples(normal: int) -> int:
    """How many inputs a property test tries: `normal` in the everyday suite, more in a stress
    run (TICKETDESK_HYPOTHESIS_SCALE=50 tries fifty times as many)."""
    return max(1, round(normal * SCALE))
