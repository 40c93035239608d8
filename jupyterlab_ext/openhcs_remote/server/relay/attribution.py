"""Which execution a batch belongs to, and when that execution is over.

Nothing in an OpenHCS 0.8.6 batch or viewer control message names the
execution (see docs/openhcs-streaming.md). The execution server runs one
execution at a time (one queue worker thread, zmqruntime
``execution/server.py`` ``_queue_worker``), and its pong lists
``running_executions``; the relay asks it when a run announces itself with
``clear_state`` and, failing that, at the first batch it cannot place.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from zmqruntime.messages import ExecutionStatus

from openhcs_remote.server.control_client import control_request
from openhcs_remote.server.relay.spool import Spool

logger = logging.getLogger(__name__)

UNATTRIBUTED = "unattributed"
#: Items whose producer is not a pipeline (OpenHCS's image browser, direct calls).
MANUAL = "manual"
NOT_FOUND_LIMIT = 3
CLEAR_STATE_BUDGET = 0.5


class ExecutionAttribution:
    """Remember the execution that is streaming now.

    Parameters
    ----------
    control_address
        The execution server's control socket, or None (everything is ``unattributed``).
    timeout
        Seconds to wait for its pong (it scans worker processes; ~20 ms here).
    """

    def __init__(self, control_address: str | None, *, timeout: float = 2.0) -> None:
        self._address = control_address
        self._timeout = timeout
        self._current: str | None = None
        self._lock = threading.Lock()

    def running_execution(self, timeout: float | None = None) -> str | None:
        """Ask the execution server which (non compile-only) execution is running."""
        if self._address is None:
            return None
        try:
            pong = control_request(
                self._address, {"type": "ping"}, timeout=timeout or self._timeout
            )
        except (TimeoutError, ValueError, OSError) as error:
            logger.warning("cannot ask %s which execution runs: %s", self._address, error)
            return None
        running = [
            entry.get("execution_id")
            for entry in pong.get("running_executions") or []
            if isinstance(entry, dict) and not entry.get("compile_only")
        ]
        running = [value for value in running if isinstance(value, str) and value]
        if len(running) > 1:
            logger.warning("several executions run at once (%s); using the first", running)
        return running[0] if running else None

    def start_run(self) -> str:
        """Note a viewer ``clear_state``: a new execution starts streaming; return its run key."""
        # OpenHCS gives clear_state 2 s; if the execution server is slow to say, the
        # first batch asks again (``run_for_batch``) instead of failing the run here.
        found = self.running_execution(timeout=CLEAR_STATE_BUDGET)
        with self._lock:
            self._current = found
        return found or UNATTRIBUTED

    def run_for_batch(self, origin: object) -> str:
        """Return the run key of a batch whose producer origin is ``origin``."""
        if origin not in (None, "pipeline"):
            return MANUAL
        with self._lock:
            if self._current is not None:
                return self._current
        found = self.running_execution()
        with self._lock:
            self._current = found
        return found or UNATTRIBUTED

    def forget(self, execution_id: str) -> None:
        """Forget a finished execution: the next batch asks again."""
        with self._lock:
            if self._current == execution_id:
                self._current = None

    def execution_record(self, execution_id: str, timeout: float = 1.0) -> dict[str, object] | None:
        """Return the execution server's record of a run (times, plate, results), if it answers."""
        if self._address is None:
            return None
        try:
            reply = control_request(
                self._address, {"type": "status", "execution_id": execution_id}, timeout=timeout
            )
        except (TimeoutError, ValueError, OSError) as error:
            logger.warning("cannot ask %s about %s: %s", self._address, execution_id, error)
            return None
        record = reply.get("execution")
        return record if isinstance(record, dict) else None

    def terminal_status(self, execution_id: str) -> str | None:
        """Return the final status, ``"unknown"`` if the server lost the execution, else None."""
        if self._address is None:
            return None
        reply = control_request(
            self._address, {"type": "status", "execution_id": execution_id}, timeout=self._timeout
        )
        record = reply.get("execution")
        if reply.get("status") == "error" and "not found" in str(reply.get("error", "")):
            return "unknown"
        if not isinstance(record, dict):
            return None
        status = ExecutionStatus.from_wire(record.get("status"))
        if status is not None and status.is_terminal:
            return "complete" if status is ExecutionStatus.COMPLETED else status.value
        return None


class RunWatcher(threading.Thread):
    """Poll the execution server; end spool runs whose execution is over.

    Parameters
    ----------
    spool, attribution
        Where runs live and whom to ask.
    on_change
        Called after a run ended (wakes the client side).
    interval
        Seconds between polls.
    """

    def __init__(
        self,
        spool: Spool,
        attribution: ExecutionAttribution,
        on_change: Callable[[], None],
        *,
        interval: float = 0.5,
    ) -> None:
        super().__init__(name="relay-run-watcher", daemon=True)
        self._spool, self._attribution, self._on_change = spool, attribution, on_change
        self._interval = interval
        self._stop_event = threading.Event()
        self._not_found: dict[str, int] = {}

    def stop(self) -> None:
        """Stop polling (returns at once)."""
        self._stop_event.set()

    def run(self) -> None:
        """Poll until stopped."""
        while not self._stop_event.wait(self._interval):
            for summary in self._spool.summaries():
                execution_id = str(summary["execution_id"])
                if summary["ended"] or execution_id in (UNATTRIBUTED, MANUAL):
                    continue
                try:
                    status = self._attribution.terminal_status(execution_id)
                except (TimeoutError, ValueError, OSError) as error:
                    logger.debug("status of %s unavailable: %s", execution_id, error)
                    continue
                if status == "unknown":
                    self._not_found[execution_id] = self._not_found.get(execution_id, 0) + 1
                    if self._not_found[execution_id] < NOT_FOUND_LIMIT:
                        continue
                if status is not None:
                    run = self._spool.run(execution_id)
                    if run is not None:
                        self._spool.end_run(run, status)
                        self._attribution.forget(execution_id)
                        self._on_change()
