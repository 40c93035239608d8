"""``run.rerun_failed()``: one well fails on the real server; the re-run processes only it."""

from __future__ import annotations

from pathlib import Path

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

    tifffile.imwrite(tile, good)  # the data is fixed: run what did not finish
    rerun = run.rerun_failed()
    assert rerun is not None and rerun.rerun_wells == ["B01"]
    assert rerun.wait(240), f"re-run still {rerun.status}"
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
