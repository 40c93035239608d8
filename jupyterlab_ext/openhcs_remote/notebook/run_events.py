"""How a run ends, in one table: the sidecar's terminal events (docs/sidecar-protocol.md §4).

Each maps to the status the run shows (``run.status``, the widget's ``status`` trait) and to the
error ``run.result()`` raises when the server's event carries none of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from .shim_errors import OpenHCSRemoteError, RemoteExecutionError, RunCancelledError, RunLostError


@dataclass(frozen=True)
class RunEnd:
    """One way a run ends: its final status, and the error it raises (None: it completed)."""

    status: str
    error: type[OpenHCSRemoteError] | None


RUN_ENDS: dict[str, RunEnd] = {
    "done": RunEnd("complete", None),
    "failed": RunEnd("failed", RemoteExecutionError),
    "cancelled": RunEnd("cancelled", RunCancelledError),
    "lost": RunEnd("lost", RunLostError),
}
