"""How a duration reads, wherever a user reads one.

Here: the run's one-line summary and the transfer progress line; in TypeScript, the widget and
the CLI (``src/protocol/durations.ts``). The two agree on ``test/vectors/durations/durations.json``.
"""

from __future__ import annotations

import math


def format_duration(ms: float | None) -> str:
    """``4 s``, ``1 min 05 s``, ``2 h 03 min`` (rounded to the second); ``—`` when unknown."""
    if ms is None or not math.isfinite(ms) or ms < 0:
        return "—"
    seconds = math.floor(ms / 1000 + 0.5)  # JavaScript's Math.round, not round-half-even
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min {seconds % 60:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"
