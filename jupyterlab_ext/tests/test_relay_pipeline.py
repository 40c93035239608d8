"""A real OpenHCS run routed to the relay: what arrives at a client, and when."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import tifffile
from relay_client import RelayClient, RelayEnd, RelayGap, RelayItem
from stream_routing import route_to_relay

NORMALIZE = """\
from openhcs.core.steps.function_step import FunctionStep
from openhcs.core.config import PipelineConfig
from openhcs.processing.backends.processors.numpy_processor import stack_percentile_normalize
pipeline_config = PipelineConfig()
pipeline_steps = [FunctionStep(func=(stack_percentile_normalize,
    {'low_percentile': 1.0, 'high_percentile': 99.0}), name='normalize')]
"""
CONFIG = """\
from openhcs.core.config import GlobalPipelineConfig
config = GlobalPipelineConfig(num_workers=1)
"""
FILENAME = re.compile(
    r"(?P<well>[A-P]\d\d)_s(?P<site>\d+)_w(?P<channel>\d+)_z(?P<z>\d+)_t(?P<t>\d+)"
)


def routed_run(server, plate: Path, pipeline: str = NORMALIZE) -> str:
    routed = route_to_relay(pipeline, CONFIG, port=server.relay["viewer_port"])
    return server.execute(plate, routed.pipeline_code, routed.config_code)


def collect(client: RelayClient, execution_id: str, timeout: float = 60) -> list:
    return list(client.events(execution_id, timeout=timeout))


def test_every_streamed_image_arrives_bit_exact_with_its_metadata(server, plate):
    with RelayClient(server.stream_address) as client:
        execution_id = routed_run(server, plate)
        client.subscribe(execution_id)
        events = collect(client, execution_id)
    record = server.wait_finished(execution_id)
    assert record["status"] == "complete", record.get("error")

    items = [e for e in events if isinstance(e, RelayItem)]
    assert [e.seq for e in items] == list(range(1, len(items) + 1))
    assert isinstance(events[-1], RelayEnd)
    assert events[-1].last_seq == len(items) and events[-1].status == "complete"
    written = sorted((plate.parent / "plate_openhcs" / "images").glob("*.tif"))
    assert len(items) == len(written) == 3 * 2 * 2
    for event in items:
        on_disk = tifffile.imread(event.header["path"])
        assert event.array.dtype == on_disk.dtype and np.array_equal(event.array, on_disk)
        parts = FILENAME.search(Path(event.header["path"]).name)
        assert event.components == {
            "well": parts["well"],
            "site": int(parts["site"]),
            "channel": int(parts["channel"]),
            "z_index": int(parts["z"]),
            "timepoint": int(parts["t"]),
        }
        assert event.header["producer"]["step_name"] == "normalize"
        assert event.header["execution_id"] == execution_id


def test_a_client_that_connects_after_the_run_gets_it_all_from_the_spool(server, plate):
    execution_id = routed_run(server, plate)
    assert server.wait_finished(execution_id)["status"] == "complete"
    with RelayClient(server.stream_address) as client:
        listed = {run["execution_id"]: run for run in client.welcome["runs"]}
        client.subscribe(execution_id)
        events = collect(client, execution_id)
    assert [e.seq for e in events if isinstance(e, RelayItem)] == list(range(1, 13))
    assert listed[execution_id]["last_seq"] == 12


def test_a_client_dropped_mid_run_resumes_with_nothing_lost_or_doubled(server, plate):
    execution_id = routed_run(server, plate)
    seen: list[int] = []
    with RelayClient(server.stream_address, credit_items=2) as first:
        first.subscribe(execution_id)
        for event in first.events(execution_id, timeout=60):
            seen.append(event.seq)
            if len(seen) == 5:
                break  # the connection drops with credit outstanding
    with RelayClient(server.stream_address) as second:
        second.subscribe(execution_id, from_seq=seen[-1] + 1)
        rest = collect(second, execution_id)
        assert second.duplicates == 0
    seen += [e.seq for e in rest if isinstance(e, RelayItem)]
    assert not any(isinstance(e, RelayGap) for e in rest)
    assert seen == list(range(1, 13))


def test_a_step_configured_for_a_local_napari_streams_to_the_relay_and_a_disabled_step_does_not(
    server, plate
):
    pipeline = NORMALIZE.replace(
        "pipeline_steps = [",
        "from openhcs.core.config import LazyNapariStreamingConfig, LazyFijiStreamingConfig\n"
        "pipeline_steps = [",
    ).replace(
        "name='normalize')]",
        "name='normalize', napari_streaming_config=LazyNapariStreamingConfig(enabled=True,"
        " port=5555)),\n FunctionStep(func=(stack_percentile_normalize, {}), name='quiet',"
        " fiji_streaming_config=LazyFijiStreamingConfig(enabled=False))]",
    )
    with RelayClient(server.stream_address) as client:
        execution_id = routed_run(server, plate, pipeline)
        client.subscribe(execution_id)
        events = collect(client, execution_id)
    assert server.wait_finished(execution_id)["status"] == "complete"
    steps = {e.header["producer"]["step_name"] for e in events if isinstance(e, RelayItem)}
    assert steps == {"normalize"}


def test_rois_from_a_segmentation_step_arrive_as_polygons_on_the_image_grid(server, tmp_path):
    from conftest import make_plate

    plate = make_plate(tmp_path / "plate", wells=("A01",))
    pipeline = """\
from openhcs.core.steps.function_step import FunctionStep
from openhcs.core.config import PipelineConfig
from openhcs.processing.backends.analysis.cell_counting_cpu import count_cells_single_channel
pipeline_config = PipelineConfig()
pipeline_steps = [FunctionStep(func=(count_cells_single_channel,
    {'min_cell_area': 10, 'max_cell_area': 2000}), name='count')]
"""
    with RelayClient(server.stream_address) as client:
        execution_id = routed_run(server, plate, pipeline)
        client.subscribe(execution_id)
        events = collect(client, execution_id)
    shapes = [e for e in events if isinstance(e, RelayItem) and e.header["kind"] == "shapes"]
    assert len(shapes) == 4  # one ROI set per site and channel
    polygons = [s for e in shapes for s in e.header["shapes"]]
    assert polygons, "the synthetic cells were segmented into no ROI"
    for polygon in polygons:
        rows = np.array(polygon["coordinates"])
        assert rows.ndim == 2 and rows.shape[1] == 2
        assert (rows >= -0.5).all() and (rows <= 64.5).all()  # pixel-edge contours
