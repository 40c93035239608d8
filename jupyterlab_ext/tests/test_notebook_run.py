"""A notebook run end to end: the real OpenHCS server and relay, the shim and its sidecar."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tifffile
from conftest import make_plate

from openhcs_remote import ImageKey, RemoteOrchestrator, RemoteRun
from openhcs_remote.notebook.images import StoredImage

FILENAME = re.compile(
    r"(?P<well>[A-P]\d\d)_s(?P<site>\d+)_w(?P<channel>\d+)_z(?P<z>\d+)_t(?P<t>\d+)"
)


def openhcs_objects() -> tuple[list[Any], Any]:
    """Pipeline and config as OpenHCS objects: the shim renders them with OpenHCS's generator."""
    from openhcs.core.config import GlobalPipelineConfig
    from openhcs.core.steps.function_step import FunctionStep
    from openhcs.processing.backends.processors.numpy_processor import stack_percentile_normalize

    steps = [
        FunctionStep(
            func=(stack_percentile_normalize, {"low_percentile": 2.0, "high_percentile": 98.0}),
            name="normalize",
        )
    ]
    return steps, GlobalPipelineConfig(num_workers=1)


@dataclass
class CompletedRun:
    run: RemoteRun
    plate: Path
    return_seconds: float
    statuses_seen: list[str]
    images_seen: list[StoredImage] = field(default_factory=list)


@pytest.fixture(scope="module")
def completed(server, orchestrator_options, tmp_path_factory) -> CompletedRun:
    plate = make_plate(tmp_path_factory.mktemp("notebook") / "plate")
    steps, config = openhcs_objects()
    orch = RemoteOrchestrator(**orchestrator_options)
    seen: list[StoredImage] = []
    # No viewer_port: the relay's welcome names it (the shared relay's is not the 5555 default).
    assert server.relay["viewer_port"] != 5555
    started = time.perf_counter()
    run = orch.run_remote_pipeline(str(plate), steps, config, on_image=seen.append)
    returned = time.perf_counter() - started
    statuses = [run.status]
    while not run.wait(0.05):
        if run.status != statuses[-1]:
            statuses.append(run.status)
        assert time.perf_counter() - started < 180, f"run still {run.status}"
    statuses.append(run.status)
    return CompletedRun(run, plate, returned, statuses, seen)


def output_tiffs(plate: Path) -> dict[tuple[str, int, int, int, int], Path]:
    found = {}
    for path in (plate.parent / "plate_openhcs" / "images").glob("*.tif"):
        parts = FILENAME.search(path.name)
        assert parts is not None, path
        found[
            (
                parts["well"],
                int(parts["site"]),
                int(parts["channel"]),
                int(parts["z"]),
                int(parts["t"]),
            )
        ] = path
    return found


def test_run_remote_pipeline_returns_at_once_and_the_run_completes(completed):
    assert completed.return_seconds < 0.5, f"the cell blocked for {completed.return_seconds:.2f} s"
    assert completed.statuses_seen[0] == "connecting"
    assert completed.statuses_seen[-1] == "complete"
    record = completed.run.result(timeout=0)
    assert record["status"] == "complete"
    assert record["execution_id"] == completed.run.execution_id


def test_progress_reaches_100_percent_with_every_well_done(completed):
    progress = completed.run.progress
    assert progress.fraction == 1.0 and progress.percent == 100.0
    assert (progress.wells_done, progress.wells_total, progress.wells_failed) == (3, 3, 0)
    assert {name: well["state"] for name, well in progress.wells.items()} == {
        "A01": "done",
        "A02": "done",
        "B01": "done",
    }
    assert "running" in completed.statuses_seen


def test_images_are_numpy_arrays_bit_exact_to_the_tiffs_openhcs_wrote(completed):
    images = completed.run.images()
    tiffs = output_tiffs(completed.plate)
    assert len(images) == len(tiffs) == 3 * 2 * 2
    for key, array in images.items():
        on_disk = tifffile.imread(tiffs[(key.well, key.site, key.channel, key.z, key.timepoint)])
        assert isinstance(array, np.ndarray)
        assert array.dtype == on_disk.dtype and array.shape == on_disk.shape == (64, 64)
        assert np.array_equal(array, on_disk), key
        assert key.step == "normalize"


def test_images_can_be_filtered_by_well_channel_and_site(completed):
    run = completed.run
    one_well = run.images(well="A01", channel=2)
    assert [(k.well, k.site, k.channel) for k in one_well] == [("A01", 1, 2), ("A01", 2, 2)]
    two_wells = run.image_keys(well=["A01", "B01"], site=1)
    assert {(k.well, k.channel) for k in two_wells} == {
        ("A01", 1),
        ("A01", 2),
        ("B01", 1),
        ("B01", 2),
    }
    plane = run.image(well="A02", site=2, channel=1)
    assert plane.shape == (64, 64)
    with pytest.raises(LookupError):
        run.image(well="A02")  # four planes match
    with pytest.raises(TypeError):
        run.images(colour=1)  # type: ignore[call-arg]


def test_on_image_sees_every_stored_image_and_can_read_it(completed):
    seen = completed.images_seen
    deadline = time.monotonic() + 5  # callbacks run on their own thread
    while len(seen) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(image.seq for image in seen) == list(range(1, 13))
    first = seen[0]
    assert first.shape == (64, 64)
    assert np.array_equal(first.read(), completed.run.image(**first.key.as_dict()))


def test_the_repr_names_the_run_its_status_and_wells(completed):
    run = completed.run
    assert repr(run) == f"<RemoteRun {run.execution_id[:4]}…: complete, 3/3 wells>"


def test_save_writes_an_ome_zarr_plate_that_zarr_reads_back(completed, tmp_path):
    import zarr

    target = completed.run.save(tmp_path / "saved")
    plates = sorted(p.name for p in target.glob("*.ome.zarr"))
    assert plates == ["normalize.ome.zarr"]
    plate = zarr.open_group(target / plates[0], mode="r")
    assert len(plate.attrs["ome"]["plate"]["wells"]) == 3
    with pytest.raises(Exception, match="exists"):
        completed.run.save(target)


def test_await_gives_the_same_record_as_result(completed):
    import asyncio

    record = asyncio.run(_await(completed.run))
    assert record == completed.run.result()


async def _await(run: RemoteRun) -> dict[str, Any]:
    return await run


def test_cancel_stops_a_running_run_and_result_raises_run_cancelled(
    server, orchestrator_options, tmp_path
):
    from openhcs_remote import RunCancelledError

    plate = make_plate(tmp_path / "plate", wells=("A01", "A02", "A03", "A04", "B01", "B02"))
    steps, config = openhcs_objects()
    run = RemoteOrchestrator(**orchestrator_options).run_remote_pipeline(
        str(plate), steps, config, viewer_port=server.relay["viewer_port"]
    )
    deadline = time.monotonic() + 120
    while run.status not in ("running", "complete") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert run.status == "running"
    assert "cancel" in run.cancel().lower()
    assert run.wait(60)
    assert run.status == "cancelled"
    with pytest.raises(RunCancelledError):
        run.result()
    assert run.progress.wells_done < 6


def test_an_image_callback_that_raises_does_not_stop_the_run(
    server, orchestrator_options, tmp_path
):
    plate = make_plate(tmp_path / "plate", wells=("A01",))
    calls = threading.Event()

    def broken(_image: StoredImage) -> None:
        calls.set()
        raise RuntimeError("user callback bug")

    run = RemoteOrchestrator(**orchestrator_options).run_remote_pipeline(
        str(plate), *openhcs_objects(), viewer_port=server.relay["viewer_port"], on_image=broken
    )
    assert run.wait(120) and run.status == "complete"
    assert calls.is_set()
    assert len(run.image_keys()) == 4
    assert isinstance(run.image_keys()[0], ImageKey)
