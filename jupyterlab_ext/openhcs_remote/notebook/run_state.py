"""What the shim knows of one run, folded from the sidecar's events.

The same state feeds ``RemoteRun``'s properties, its repr and the widget's synced traits
(docs/widget-protocol.md §2), so the three never disagree.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .run_events import RUN_ENDS

FINAL_STATUSES = frozenset({"complete", "failed", "cancelled", "lost", "error"})
_PHASE_STATUS = {
    "waiting": "queued",
    "compiling": "compiling",
    "running": "running",
    "success": "running",  # images may still be draining; `done` says complete
    "failed": "failed",
    "cancelled": "cancelled",
}
# Distinct on black, in the order channels usually come; the result store's omero colours.
_WELL = re.compile(r"^([A-Za-z]+)(\d+)$")
_FORMATS = ((8, 12), (16, 24), (32, 48))


@dataclass(frozen=True)
class RunProgress:
    """Progress of a run: overall fraction, wells and an ETA (``None`` while unknown)."""

    fraction: float = 0.0
    wells_done: int = 0
    wells_total: int = 0
    wells_failed: int = 0
    eta_s: float | None = None
    elapsed_s: float = 0.0
    step_names: tuple[str, ...] = ()
    wells: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def percent(self) -> float:
        """``fraction`` in percent."""
        return 100.0 * self.fraction


def well_position(name: str) -> tuple[int, int] | None:
    """``"B03"`` → ``(1, 2)`` (0-based row, column); ``None`` for other names."""
    match = _WELL.match(name)
    if match is None:
        return None
    row = 0
    for char in match.group(1).upper():
        row = row * 26 + ord(char) - 64
    return row - 1, int(match.group(2)) - 1


def infer_layout(wells: list[str]) -> dict[str, int] | None:
    """Pick the smallest SBS plate (96, 384, 1536 wells) holding every well, else their grid.

    Smaller formats exist (6 … 48 wells) but HCS imaging plates are 96 wells and up: a run that
    streamed only A01 most likely comes from one of those.
    """
    positions = [p for p in map(well_position, wells) if p is not None]
    if not positions:
        return None
    rows = max(p[0] for p in positions) + 1
    columns = max(p[1] for p in positions) + 1
    for format_rows, format_columns in _FORMATS:
        if rows <= format_rows and columns <= format_columns:
            return {"rows": format_rows, "columns": format_columns}
    return {"rows": rows, "columns": columns}


class RunState:
    """Thread-safe fold of the sidecar's events for one run."""

    def __init__(self, server: str, palette: Callable[[], Sequence[str]]) -> None:
        """Start a run's state; ``palette`` gives the channel colours (the sidecar's, at need)."""
        self.lock = threading.Lock()
        self.server = server
        self._palette = palette
        self.status = "connecting"
        self.execution_id = ""
        self.progress = RunProgress()
        self.images_received = 0
        self.gaps: list[dict[str, Any]] = []
        self.error: dict[str, Any] | None = None
        self.channels: dict[int, dict[str, Any]] = {}
        self.axes: dict[str, set[Any]] = {"sites": set(), "z": set(), "timepoints": set()}
        self.steps: list[str] = []
        self.wells_seen: list[str] = []
        self.layout: dict[str, int] | None = None
        self.layout_from_omero = False
        self.store_dir = ""
        #: The link to the relay while it is not well (``relay_link`` events), else ``None``.
        self._relay_link: dict[str, Any] | None = None
        self._relay_link_at = 0.0

    @property
    def finished(self) -> bool:
        """Whether the run reached a final status."""
        return self.status in FINAL_STATUSES

    def apply(self, event: dict[str, Any]) -> None:
        """Fold one sidecar event into the state."""
        kind = event.get("event")
        with self.lock:
            if self.finished:
                return
            if kind == "accepted":
                self.execution_id = str(event["execution_id"])
                self.store_dir = str(event.get("store_dir") or "")
                self.status = "queued"
            elif kind == "progress":
                self._apply_progress(event["snapshot"])
            elif kind == "image_stored":
                self._apply_image(event)
            elif kind == "gap":
                gap = {k: event[k] for k in ("from_seq", "to_seq", "reason")}
                self.gaps.append(gap)
            elif kind == "relay_link":
                self._apply_relay_link(event)
            elif kind in RUN_ENDS:
                self.status = RUN_ENDS[str(kind)].status
                self._relay_link = None  # the run is over: nothing more to wait for
                self.error = event.get("error")
                if kind == "done":
                    self.progress = _completed(self.progress, self.wells_seen)
                elif kind == "failed":
                    self.progress = _failed(self.progress, self.error)

    @property
    def relay_link(self) -> dict[str, Any] | None:
        """``{state, address, silent_ms}`` while the relay is away (``reconnecting``) or given up.

        ``silent_ms`` counts on from the sidecar's figure; ``None`` while the relay answers.
        """
        with self.lock:
            return self._relay_link_now()

    def fail(self, error: dict[str, Any]) -> None:
        """Mark a run that could not even start (no sidecar, refused submission)."""
        with self.lock:
            if not self.finished:
                self.status, self.error = "error", error

    def set_omero_layout(self, layout: dict[str, int], channel_names: list[str]) -> None:
        """Layout and channel names known from OMERO before any image."""
        with self.lock:
            self.layout, self.layout_from_omero = layout, True
            for index, name in enumerate(channel_names, start=1):
                self._channel(index)["name"] = name

    def _apply_progress(self, snapshot: dict[str, Any]) -> None:
        eta = snapshot.get("eta_ms")
        self.progress = RunProgress(
            fraction=float(snapshot.get("fraction", 0.0)),
            wells_done=int(snapshot.get("wells_done", 0)),
            wells_total=int(snapshot.get("wells_total", 0)),
            wells_failed=int(snapshot.get("wells_failed", 0)),
            eta_s=None if eta is None else eta / 1000.0,
            elapsed_s=float(snapshot.get("elapsed_ms", 0)) / 1000.0,
            step_names=tuple(snapshot.get("step_names") or ()),
            wells={
                w["well"]: {k: v for k, v in w.items() if k != "well"} for w in snapshot["wells"]
            },
        )
        self.status = _PHASE_STATUS.get(str(snapshot.get("phase")), self.status)
        self._note_wells(list(self.progress.wells))

    def _apply_relay_link(self, event: dict[str, Any]) -> None:
        state = str(event.get("state"))
        if state == "connected":
            self._relay_link = None
            return
        self._relay_link = {
            "state": state,
            "address": str(event.get("address", "")),
            "silent_ms": int(event.get("silent_ms") or 0),
        }
        self._relay_link_at = time.monotonic()

    def _relay_link_now(self) -> dict[str, Any] | None:
        link = self._relay_link
        if link is None or link["state"] != "reconnecting":
            return None if link is None else dict(link)
        waited = round((time.monotonic() - self._relay_link_at) * 1000)
        return {**link, "silent_ms": link["silent_ms"] + waited}

    def _apply_image(self, event: dict[str, Any]) -> None:
        self.images_received += 1
        for axis, key in (("sites", "site"), ("z", "z"), ("timepoints", "timepoint")):
            if event.get(key) is not None:
                self.axes[axis].add(event[key])
        step = event.get("step")
        if step is not None and step not in self.steps:
            self.steps.append(step)
        if event.get("channel") is not None:
            channel = self._channel(int(event["channel"]))
            name = (event.get("component_names") or {}).get("channel")
            if name and not self.layout_from_omero:
                channel["name"] = str(name)
        if event.get("well"):
            self._note_wells([str(event["well"])])

    def _channel(self, index: int) -> dict[str, Any]:
        if index not in self.channels:
            self.channels[index] = {"index": index, "name": f"Channel {index}", "color": ""}
            colors = self._palette()
            for position, key in enumerate(sorted(self.channels)):
                self.channels[key]["color"] = colors[position % len(colors)]
        return self.channels[index]

    def _note_wells(self, wells: list[str]) -> None:
        new = [w for w in wells if w not in self.wells_seen]
        if new:
            self.wells_seen.extend(new)
            if not self.layout_from_omero:
                self.layout = infer_layout(self.wells_seen)

    def traits(self) -> dict[str, Any]:
        """Return the widget's synced state (widget-protocol §2), except browser-owned traits."""
        with self.lock:
            p = self.progress
            return {
                "execution_id": self.execution_id,
                "server": self.server,
                "status": self.status,
                "progress": {
                    "fraction": min(1.0, max(0.0, p.fraction)),
                    "wells_done": p.wells_done,
                    "wells_total": p.wells_total,
                    "wells_failed": p.wells_failed,
                    "eta_ms": None if p.eta_s is None else round(p.eta_s * 1000),
                    "elapsed_ms": round(p.elapsed_s * 1000),
                    "step_names": list(p.step_names),
                },
                "wells": {name: dict(value) for name, value in p.wells.items()},
                "plate_layout": self.layout,
                "channels": [dict(self.channels[k]) for k in sorted(self.channels)],
                "axes": {
                    "sites": sorted(self.axes["sites"]),
                    "z": sorted(self.axes["z"]),
                    "timepoints": sorted(self.axes["timepoints"]),
                    "steps": list(self.steps),
                },
                "images_received": self.images_received,
                "gaps": list(self.gaps),
                "error": self.error,
                "relay_link": self._relay_link_now(),
                "rerun": None,
            }


def _failed(progress: RunProgress, error: Any) -> RunProgress:
    """End a failed run's progress: the wells in flight failed, with the run's error.

    OpenHCS 0.8.6 sends no per-well failure event; its run error is that well's error.
    """
    message = error.get("message") if isinstance(error, dict) else error
    wells = {
        name: (
            {**well, "state": "failed", "error": message}
            if well.get("state") in ("running", "compiling")
            else dict(well)
        )
        for name, well in progress.wells.items()
    }
    failed = sum(1 for w in wells.values() if w.get("state") == "failed")
    return replace(progress, wells=wells, wells_failed=failed, eta_s=None)


def _completed(progress: RunProgress, wells_seen: list[str]) -> RunProgress:
    """Complete a run's progress; wells known only from their images count as done."""
    done = {"state": "done", "fraction": 1.0, "step": ""}
    wells = {name: dict(done) for name in wells_seen}
    for name, well in progress.wells.items():
        wells[name] = (
            well
            if well.get("state") == "failed"
            else {**well, **done, "step": well.get("step", "")}
        )
    total = max(progress.wells_total, len(wells))
    failed = sum(1 for w in wells.values() if w.get("state") == "failed")
    return RunProgress(
        fraction=1.0,
        wells_done=total - failed,
        wells_total=total,
        wells_failed=failed,
        eta_s=0.0,
        elapsed_s=progress.elapsed_s,
        step_names=progress.step_names,
        wells=wells,
    )
