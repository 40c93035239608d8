"""``run.rerun_failed()``: one well fails on the real server; the re-run processes only it."""

from __future__ import annotations

import queue
from pathlib import Path
from typing import Any

import tifffile
from conftest import make_plate

from openhcs_remote import RemoteOrchestrator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "pipelines"
CONFIG = (EXAMPLES / "cpu_config.py").read_text()
COUNT = """\
from openhcs.core.steps.function_step import FunctionStep
from openhcs.core.config import PipelineConfig
from openhcs.processing.backends.analysis.cell_counting_cpu import count_cells_single_channel
pipeline_config = PipelineConfig()
pipeline_steps = [FunctionStep(func=(count_cells_single_channel,
    {'min_cell_area': 10, 'max_cell_area': 2000}), name='count')]
"""


def test_a_failed_well_is_rerun_alone_and_the_tables_combine(
    server, orchestrator_options, tmp_path
):
    plate = make_plate(tmp_path / "plate", wells=("A01", "A02", "B01"))
    tile = sorted(plate.rglob("B01_s002_w1*.tif"))[0]
    good = tifffile.imread(tile)
    tifffile.imwrite(tile, good[:32, :32])  # a tile of the wrong size: B01's sites cannot stack
    orch = RemoteOrchestrator(**orchestrator_options)
    run = orch.run_remote_pipeline(str(plate), COUNT, CONFIG)
    assert run.wait(240), f"run still {run.status}"
    wells = run.progress.wells
    print("\nfirst run:", run.status, {name: well.get("state") for name, well in wells.items()})
    print("B01:", wells.get("B01"))
    assert wells["B01"]["state"] == "failed"
    assert "exact shape" in wells["B01"]["error"]  # the well's own error, from the server
    assert wells["A01"]["state"] == wells["A02"]["state"] == "done"
    assert run.unfinished_wells() == ["B01"]
    first = server.wait_finished(run.execution_id)

    tifffile.imwrite(tile, good)  # the data is fixed: the widget's button re-runs the rest
    run.widget  # noqa: B018 (the widget exists, as in a notebook)
    replies: queue.Queue[tuple[Any, Any]] = queue.Queue()
    run.display._command(
        "rerun_failed", {}, lambda result=None, error=None, **_: replies.put((result, error))
    )
    result, error = replies.get(timeout=90)
    assert error is None, error
    assert result["wells"] == ["B01"] and result["execution_id"] != run.execution_id
    rerun = run.display._rerun
    assert rerun is not None and rerun.rerun_wells == ["B01"]
    assert rerun.execution_id == result["execution_id"]
    assert rerun.wait(240), f"re-run still {rerun.status}"
    # The first run's widget shows the re-run's well in its grid, and the re-run's planes.
    shown = run.display.traits()
    assert shown["rerun"] == {"execution_id": rerun.execution_id, "wells": ["B01"]}
    assert shown["status"] == "complete" and shown["progress"]["wells_done"] == 3
    assert {name: well["state"] for name, well in shown["wells"].items()} == {
        "A01": "done",
        "A02": "done",
        "B01": "done",
    }
    assert any(key.well == "B01" for key in run.display.previews)
    assert rerun.status == "complete", rerun.exception(0)
    # On the server side: the re-run executed exactly B01.
    record = server.wait_finished(rerun.execution_id)
    print("server: first run", first.get("status"), first.get("results_summary"))
    print("server: re-run", record.get("status"), record.get("results_summary"))
    assert record["results_summary"]["wells"] == ["B01"]
    assert set(rerun.progress.wells) == {"B01"}
    combined = rerun.measurements()
    assert sorted(set(combined["well"])) == ["A01", "A02", "B01"]
    assert set(combined[combined["well"] == "B01"]["step"]) == {"count"}
    assert rerun.rerun_failed() is None  # nothing left to re-run


def test_a_reruns_wells_replace_the_runs_own_in_the_shown_state():
    from openhcs_remote.notebook.rerun import merged_traits
    from openhcs_remote.notebook.run_state import RunState

    earlier, later = (RunState("h:1", palette=("#ffffff",)).traits() for _ in "ab")
    earlier.update(
        status="failed",
        execution_id="first",
        wells={"A01": {"state": "done"}, "A02": {"state": "failed", "error": "boom"}},
        images_received=10,
    )
    earlier["progress"].update(wells_total=2, wells_done=1, wells_failed=1)
    later.update(status="running", execution_id="second", wells={}, images_received=3)
    shown = merged_traits(earlier, later, ["A02"])
    assert shown["execution_id"] == "first" and shown["status"] == "running"
    assert shown["wells"]["A02"]["state"] == "pending"  # not started yet: the error is gone
    assert shown["progress"]["wells_failed"] == 0 and shown["progress"]["wells_done"] == 1
    assert shown["images_received"] == 13
    later["wells"] = {"A02": {"state": "done", "fraction": 1.0, "step": ""}}
    shown = merged_traits(earlier, later, ["A02"])
    assert shown["progress"]["fraction"] == 1.0
    assert shown["rerun"] == {"execution_id": "second", "wells": ["A02"]}
