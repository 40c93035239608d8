"""Re-running what did not finish: the wells a run left failed, cancelled or never started.

OpenHCS restricts a run to wells through its ``well_filter`` execution option (``config_params``
of ``execute``; docs/openhcs-measurements.md §3): the same pipeline and config are sent again
with the unfinished wells named, and the new run's tables are read together with the old one's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Submission:
    """What a run was submitted with, and how to submit it again on some wells."""

    plate_id: int | str
    config_params: dict[str, Any] | None
    #: Submit the same pipeline and config again with these ``config_params`` (returns the
    #: new ``RemoteRun``; typed loosely so that this module need not import ``run.py``).
    resubmit: Callable[[dict[str, Any]], Any]

    def on_wells(self, wells: list[str]) -> Any:
        """Start a new run of the same pipeline and config on exactly ``wells``."""
        if not wells:
            raise ValueError("no wells to run: OpenHCS reads an empty well_filter as every well")
        return self.resubmit({**(self.config_params or {}), "well_filter": list(wells)})


def unfinished_wells(wells: dict[str, dict[str, Any]]) -> list[str]:
    """Return the wells whose state is not ``done`` (failed, cancelled, pending, unfinished)."""
    return sorted(name for name, well in wells.items() if well.get("state") != "done")


def combined(earlier: pd.DataFrame, later: pd.DataFrame, later_wells: list[str]) -> pd.DataFrame:
    """Join the earlier run's rows for wells not redone with the later run's rows."""
    import pandas as pd

    kept = earlier[~earlier["well"].isin(later_wells)] if "well" in earlier else earlier
    frames = [frame for frame in (kept, later) if not frame.empty]
    if not frames:
        return later
    result = pd.concat(frames, ignore_index=True)
    return result.sort_values("well", kind="stable", ignore_index=True)


def merged_traits(
    earlier: dict[str, Any], later: dict[str, Any], later_wells: list[str]
) -> dict[str, Any]:
    """Fold a re-run into its run's widget state: one grid, the re-run's wells on top.

    The re-run's status, ETA and error lead (it is what is going on now); the counts, the
    channels and the axes cover both runs; ``rerun`` names the re-run and its wells.
    """
    wells = dict(earlier["wells"])
    pending = {"state": "pending", "fraction": 0.0, "step": ""}
    for name in later_wells:
        wells[name] = later["wells"].get(name, pending)
    done = sum(1 for w in wells.values() if w.get("state") == "done")
    failed = sum(1 for w in wells.values() if w.get("state") == "failed")
    total = max(earlier["progress"]["wells_total"], len(wells))
    channels = {c["index"]: c for c in earlier["channels"]} | {
        c["index"]: c for c in later["channels"]
    }
    axes = {
        key: sorted(set(earlier["axes"][key]) | set(later["axes"][key]))
        for key in ("sites", "z", "timepoints")
    }
    steps = list(dict.fromkeys([*earlier["axes"]["steps"], *later["axes"]["steps"]]))
    return {
        **earlier,
        "status": later["status"],
        "progress": {
            **earlier["progress"],
            "fraction": done / total if total else 0.0,
            "wells_done": done,
            "wells_total": total,
            "wells_failed": failed,
            "eta_ms": later["progress"]["eta_ms"],
        },
        "wells": wells,
        "channels": [channels[k] for k in sorted(channels)],
        "axes": {**axes, "steps": steps},
        "images_received": earlier["images_received"] + later["images_received"],
        "gaps": [*earlier["gaps"], *later["gaps"]],
        "error": later["error"],
        "relay_link": later.get("relay_link"),
        # A re-run of the re-run: the newest one is what the user watches.
        "rerun": later.get("rerun")
        or {"execution_id": later["execution_id"], "wells": list(later_wells)},
    }
