"""Where and when a run wrote its files, from the spool and the execution server's record."""

from __future__ import annotations

import threading
from pathlib import Path

from openhcs_remote.server.relay.attribution import ExecutionAttribution
from openhcs_remote.server.relay.relay_errors import RunFilesUnknownError
from openhcs_remote.server.relay.run_files import RunWindow
from openhcs_remote.server.relay.spool import Spool


def _epoch(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class RunWindows:
    """Answer "which directory, which times" for a run; finished runs' answers are kept.

    The directory is the one the relay learnt from the run's streamed images
    (``SpooledRun.output_root``), or else the ``output_plate_root`` OpenHCS reports for a
    completed run. The times are OpenHCS's own ``start_time`` / ``end_time``; without the
    execution server, from a minute before the relay first saw the run, open-ended.
    """

    def __init__(self, spool: Spool, attribution: ExecutionAttribution) -> None:
        self._spool, self._attribution = spool, attribution
        self._finished: dict[str, RunWindow] = {}
        self._lock = threading.Lock()

    def window(self, execution_id: str) -> RunWindow:
        """Return the run's window, or raise :class:`RunFilesUnknownError` saying why not."""
        with self._lock:
            known = self._finished.get(execution_id)
        if known is not None:
            return known
        run = self._spool.run(execution_id)
        if run is None:
            raise RunFilesUnknownError(
                f"the relay has no run {execution_id} (runs it streamed are listed in welcome)",
                field="execution_id",
            )
        record = self._attribution.execution_record(execution_id) or {}
        root = run.output_root
        summary = record.get("results_summary")
        if root is None and isinstance(summary, dict):
            reported = summary.get("output_plate_root")
            root = reported if isinstance(reported, str) and reported else None
        if root is None:
            raise RunFilesUnknownError(
                f"run {execution_id} has streamed no image from an OpenHCS output plate yet: "
                "the relay learns the run's directory from its first image",
                field="execution_id",
            )
        # Without OpenHCS's start time, allow a minute before the relay first heard of the run.
        started = _epoch(record.get("start_time")) or run.created_at - 60.0
        ended = _epoch(record.get("end_time"))
        window = RunWindow(execution_id, Path(root), started, ended)
        if ended is not None:
            with self._lock:
                self._finished[execution_id] = window
        return window
