"""One line that says where a run is: its repr, the widget's text and the sheet's caption."""

from __future__ import annotations

from .run_state import RunState


def format_eta(seconds: float) -> str:
    """``250`` → ``"4 min"``, for the one-line summary."""
    if seconds < 60:
        return f"{round(seconds)} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{int(seconds // 3600)} h {round(seconds % 3600 / 60)} min"


def run_summary(state: RunState) -> str:
    """``<RemoteRun 3f2a…: running, 12/96 wells, ETA 4 min>``."""
    ident = f"{state.execution_id[:4]}…" if state.execution_id else "(not accepted yet)"
    parts = [state.status]
    progress = state.progress
    if progress.wells_total:
        parts.append(f"{progress.wells_done}/{progress.wells_total} wells")
    if state.status in ("running", "compiling") and progress.eta_s is not None:
        parts.append(f"ETA {format_eta(progress.eta_s)}")
    if state.error:
        parts.append(str(state.error.get("message", "")).splitlines()[0][:120])
    return f"<RemoteRun {ident}: {', '.join(parts)}>"
