"""One line that says where a run is: its repr, the widget's text and the sheet's caption."""

from __future__ import annotations

from typing import Any

from .durations import format_duration
from .run_state import RunState


def relay_link_text(link: dict[str, Any] | None) -> str:
    """``"reconnecting to relay gpu:7779… (12 s)"``, as the widget says it; ``""``: it answers."""
    if link is None:
        return ""
    address = link.get("address", "")
    if link.get("state") == "reconnecting":
        silent = format_duration(int(link.get("silent_ms", 0)))
        return f"reconnecting to relay {address}… ({silent})"
    return f"lost the relay {address}; no more images will arrive"


def run_summary(state: RunState) -> str:
    """``<RemoteRun 3f2a…: running, 12/96 wells, ETA 4 min 10 s>``."""
    ident = f"{state.execution_id[:4]}…" if state.execution_id else "(not accepted yet)"
    parts = [state.status]
    progress = state.progress
    if progress.wells_total:
        parts.append(f"{progress.wells_done}/{progress.wells_total} wells")
    if state.status in ("running", "compiling") and progress.eta_s is not None:
        parts.append(f"ETA {format_duration(progress.eta_s * 1000)}")
    link = relay_link_text(state.relay_link)
    if link:
        parts.append(link)
    if state.error:
        parts.append(str(state.error.get("message", "")).splitlines()[0][:120])
    return f"<RemoteRun {ident}: {', '.join(parts)}>"
