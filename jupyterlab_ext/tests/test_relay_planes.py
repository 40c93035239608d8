"""Previews first, full resolution on demand: a real run in previews delivery, then fetch_plane.

Planes come from the spool while it holds them, then from the TIFF OpenHCS wrote for them, and
only if that file still holds the item's pixels; everything else is a named error.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from pathlib import Path

import numcodecs
import numpy as np
import pytest
import tifffile
from conftest import running_server
from relay_client import RelayClient, RelayGap, RelayItem, RelayRefusedError
from stream_routing import route_to_relay

from openhcs_remote.server.relay.previews import make_preview
from openhcs_remote.server.relay.spool import plane_entry
from openhcs_remote.server.synthetic_plate import SyntheticPlateSpec, write_synthetic_plate

CONFIG = """\
from openhcs.core.config import GlobalPipelineConfig
config = GlobalPipelineConfig(num_workers=1)
"""
STEP = "FunctionStep(func=(stack_percentile_normalize, {{'low_percentile': {low}, \
'high_percentile': {high}}}), name='{name}')"
PIPELINE = """\
from openhcs.core.steps.function_step import FunctionStep
from openhcs.core.config import PipelineConfig
from openhcs.processing.backends.processors.numpy_processor import stack_percentile_normalize
pipeline_config = PipelineConfig()
pipeline_steps = [{steps}]
"""
ONE_STEP = PIPELINE.format(steps=STEP.format(low=1.0, high=99.0, name="normalize"))
#: Both steps stream; OpenHCS writes only the last one's output, at the paths both steps report.
TWO_STEPS = PIPELINE.format(
    steps=STEP.format(low=1.0, high=99.0, name="normalize")
    + ",\n    "
    + STEP.format(low=5.0, high=95.0, name="again")
)
BLOSC = numcodecs.Blosc(cname="zstd", clevel=1, shuffle=numcodecs.Blosc.SHUFFLE)


def _plate(directory: Path, wells: tuple[str, ...], tile: int) -> Path:
    spec = SyntheticPlateSpec(wells=wells, sites=2, channels=2, z_planes=1, tile_size=(tile, tile))
    return write_synthetic_plate(directory, spec)


def _execute(server, plate: Path, pipeline: str) -> str:
    routed = route_to_relay(pipeline, CONFIG, port=server.relay["viewer_port"])
    return server.execute(plate, routed.pipeline_code, routed.config_code)


def _refused(client: RelayClient, message: dict) -> RelayRefusedError:
    with pytest.raises(RelayRefusedError) as refused:
        client.request(message)
    assert client.ping(nonce=7)["nonce"] == 7  # the session keeps serving
    return refused.value


def test_previews_delivery_sends_each_images_preview_and_fetch_plane_its_exact_pixels(
    server, tmp_path
):
    plate = _plate(tmp_path / "plate", ("A01", "B01"), 300)  # block factor 2, 150×150 previews
    with (
        RelayClient(server.stream_address) as full,
        RelayClient(server.stream_address) as previews,
    ):
        assert previews.welcome["deliveries"] == ["full", "previews"]
        assert previews.welcome["encodings"] == ["raw", "blosc"]
        execution_id = _execute(server, plate, ONE_STEP)
        full.subscribe(execution_id)
        previews.subscribe(execution_id, delivery="previews")
        streamed = {
            e.seq: e for e in full.events(execution_id, timeout=60) if isinstance(e, RelayItem)
        }
        previewed = [e for e in previews.events(execution_id, timeout=60)]
        assert server.wait_finished(execution_id)["status"] == "complete"
        items = [e for e in previewed if isinstance(e, RelayItem)]
        assert [e.seq for e in items] == sorted(streamed) == list(range(1, 9))

        for item in items:
            header = item.header
            assert header["payload"] == "preview" and header["dtype"] == "uint16"
            assert header["nbytes"] == 300 * 300 * 2 and header["shape"] == [300, 300]
            assert item.array.shape == (150, 150) and item.array.dtype == np.uint8
            assert header["path"] == streamed[item.seq].header["path"]

            raw = previews.fetch_plane(execution_id, item.seq, "raw")
            expected = streamed[item.seq].array
            assert raw["header"]["source"] == "spool" and raw["header"]["encoding"] == "raw"
            assert raw["header"]["nbytes"] == raw["header"]["encoded_bytes"] == expected.nbytes
            assert raw["array"].dtype == expected.dtype
            assert raw["payload"] == expected.tobytes()  # bit-exact

            packed = previews.fetch_plane(execution_id, item.seq, "blosc")
            assert packed["header"]["source"] == "spool"
            assert packed["payload"] == BLOSC.encode(expected)  # exactly numcodecs' buffer
            # Normalized noise to the full uint16 range barely compresses: Blosc stores it.
            assert packed["header"]["encoded_bytes"] == len(packed["payload"])
            assert packed["header"]["nbytes"] == expected.nbytes
            assert np.array_equal(packed["array"], expected)

            made = make_preview([300, 300], "uint16", raw["payload"])
            assert item.array.tobytes() == made.pixels
            assert header["preview"] == made.metadata()
            assert header["preview"]["source_shape"] == [300, 300]


def test_previews_can_travel_blosc_compressed_and_decode_to_the_same_bytes(server, tmp_path):
    plate = _plate(tmp_path / "plate", ("A01",), 512)
    with (
        RelayClient(server.stream_address) as raw,
        RelayClient(server.stream_address) as packed,
    ):
        execution_id = _execute(server, plate, ONE_STEP)
        raw.subscribe(execution_id, delivery="previews")
        packed.subscribe(execution_id, delivery="previews", preview_encoding="blosc")
        plain = {e.seq: e for e in raw.events(execution_id, timeout=60) if isinstance(e, RelayItem)}
        small = [e for e in packed.events(execution_id, timeout=60) if isinstance(e, RelayItem)]
        assert sorted(plain) == [e.seq for e in small] == list(range(1, 5))
        for item in small:
            twin = plain[item.seq]
            assert item.header["preview"]["encoding"] == "blosc"
            assert "encoding" not in twin.header["preview"]  # raw says nothing, as before
            assert {**item.header["preview"], "encoding": None} == {
                **twin.header["preview"],
                "encoding": None,
            }
            assert item.array.tobytes() == twin.array.tobytes()  # the same 256² preview
            # What crossed: numcodecs' own buffer of those bytes, smaller than the pixels.
            assert item.payload == BLOSC.encode(twin.array.reshape(-1))
            assert len(item.payload) < twin.array.nbytes
        refused = _refused(
            packed,
            {
                "type": "subscribe",
                "execution_id": "x",
                "delivery": "previews",
                "preview_encoding": "png",
            },
        )
        assert refused.code == "ERR_FIELD" and refused.field == "preview_encoding"


def test_bad_plane_requests_get_named_errors_and_the_session_goes_on(server, plate):
    with RelayClient(server.stream_address) as client:
        execution_id = _execute(server, plate, ONE_STEP)
        client.subscribe(execution_id, delivery="previews")
        last = [e for e in client.events(execution_id, timeout=60)][-1].last_seq
        base = {"type": "fetch_plane", "execution_id": execution_id}
        refused = _refused(client, {**base, "seq": last + 1})
        assert refused.code == "ERR_PLANE_UNKNOWN" and refused.field == "seq"
        assert f"no seq {last + 1}" in str(refused)
        refused = _refused(client, {**base, "execution_id": "no-such-run", "seq": 1})
        assert refused.code == "ERR_PLANE_UNKNOWN" and refused.field == "execution_id"
        refused = _refused(client, {**base, "seq": 0})
        assert refused.code == "ERR_FIELD" and refused.field == "seq"
        refused = _refused(client, {**base, "seq": 1, "encoding": "png"})
        assert refused.code == "ERR_FIELD" and refused.field == "encoding"
        refused = _refused(client, {"type": "subscribe", "execution_id": "x", "delivery": "all"})
        assert refused.code == "ERR_FIELD" and refused.field == "delivery"


# --- after eviction: OpenHCS's own files -----------------------------------------------------


@pytest.fixture(scope="module")
def small_spool(tmp_path_factory):
    """A server whose relay keeps 1 MiB of spool: a 512² plate's planes are evicted at once."""
    with running_server(tmp_path_factory.mktemp("logs"), "--spool-max-bytes", "1M") as running:
        yield running


@pytest.fixture(scope="module")
def evicted_run(small_spool, tmp_path_factory):
    """Two streaming steps over 1 well (2 sites × 2 channels): seqs 1-4 ``normalize``, 5-8
    ``again``; OpenHCS writes only ``again``'s planes, at the paths both steps report."""
    plate = _plate(tmp_path_factory.mktemp("evicted") / "plate", ("A01",), 512)
    with RelayClient(small_spool.stream_address) as client:
        execution_id = _execute(small_spool, plate, TWO_STEPS)
        client.subscribe(execution_id)
        events = list(client.events(execution_id, timeout=90))
    assert small_spool.wait_finished(execution_id)["status"] == "complete"
    assert any(isinstance(e, RelayGap) and e.reason == "evicted" for e in events)
    received = {e.seq: e for e in events if isinstance(e, RelayItem)}
    return execution_id, received, plate.parent / f"{plate.name}_openhcs"


def test_an_evicted_plane_comes_from_openhcs_file_bit_exact_or_a_named_error(
    small_spool, evicted_run
):
    execution_id, received, root = evicted_run
    with RelayClient(small_spool.stream_address) as client:
        served: dict[str, list[int]] = {"spool": [], "openhcs_file": [], "gone": []}
        for seq in range(1, 9):
            try:
                plane = client.fetch_plane(execution_id, seq, "raw")
            except RelayRefusedError as error:
                assert error.code == "ERR_PLANE_GONE" and "crc32 differs" in str(error)
                assert str(root / "images") in str(error)  # names OpenHCS's file
                served["gone"].append(seq)
                continue
            served[plane["header"]["source"]].append(seq)
            if seq in received:
                assert plane["payload"] == received[seq].array.tobytes()
            if plane["header"]["source"] == "openhcs_file":
                path = _path_of(client, small_spool, execution_id, seq)
                assert plane["payload"] == tifffile.imread(path).astype("<u2").tobytes()
                packed = client.fetch_plane(execution_id, seq, "blosc")
                assert packed["header"]["source"] == "openhcs_file"
                assert packed["payload"] == BLOSC.encode(plane["array"])
        # The first step's planes were evicted and its paths now hold the second step's pixels.
        assert served["gone"] == [1, 2, 3, 4]
        assert served["openhcs_file"] and served["spool"]
        assert sorted(served["openhcs_file"] + served["spool"]) == [5, 6, 7, 8]


def _index(small_spool, execution_id: str) -> Path:
    return Path(small_spool.relay["spool_dir"]) / "runs" / execution_id / "planes.idx"


def _path_of(client, small_spool, execution_id: str, seq: int) -> str:
    with _index(small_spool, execution_id).open("rb") as handle:
        slot = len(plane_entry({"kind": "shapes"}, 0))
        handle.seek((seq - 1) * slot)
        return json.loads(handle.read(slot))["path"]


def _craft(small_spool, execution_id: str, seq: int, entry: dict) -> None:
    """Overwrite ``seq``'s plane index slot, as if OpenHCS had reported ``entry``."""
    header = {"kind": "image", "shape": [512, 512], "dtype": "uint16", **entry}
    slot = plane_entry(header, int(entry.get("crc32", 0)))
    with _index(small_spool, execution_id).open("r+b") as handle:
        handle.seek((seq - 1) * len(slot))
        handle.write(slot)


def test_crafted_paths_outside_the_run_or_to_missing_foreign_or_other_files_are_refused(
    small_spool, evicted_run, tmp_path
):
    execution_id, _received, root = evicted_run
    base = {"type": "fetch_plane", "execution_id": execution_id, "seq": 1}
    plate_image = next((root.parent / "plate").rglob("*.tif"))
    with RelayClient(small_spool.stream_address) as client:
        for path in (str(plate_image), f"{root}/../plate/{plate_image.name}", "/etc/passwd"):
            _craft(small_spool, execution_id, 1, {"path": path})
            refused = _refused(client, base)
            assert refused.code == "ERR_FILE_PATH", refused

        missing = root / "images" / "never_written.tif"
        _craft(small_spool, execution_id, 1, {"path": str(missing)})
        refused = _refused(client, base)
        assert refused.code == "ERR_PLANE_GONE" and str(missing) in str(refused)
        assert "does not exist" in str(refused)

        # A file in the run's folder that the run did not write (older than the run).
        stale = root / "images" / "zz_stale.tif"
        pixels = np.zeros((512, 512), dtype=np.uint16)
        tifffile.imwrite(stale, pixels)
        old = time.time() - 3600
        os.utime(stale, (old, old))
        crc = zlib.crc32(pixels.tobytes())
        _craft(small_spool, execution_id, 1, {"path": str(stale), "crc32": crc})
        assert _refused(client, base).code == "ERR_FILE_NOT_THE_RUNS"

        # Written by the run, right checksum, but not the item's shape: refused, named.
        os.utime(stale, None)
        _craft(small_spool, execution_id, 1, {"path": str(stale), "shape": [256, 1024]})
        refused = _refused(client, base)
        assert refused.code == "ERR_PLANE_GONE" and "[512, 512], not the item's" in str(refused)
        # Now it matches in every respect: served from the file.
        _craft(small_spool, execution_id, 1, {"path": str(stale), "crc32": crc})
        plane = client.fetch_plane(execution_id, 1)
        assert plane["header"]["source"] == "openhcs_file"
        assert plane["payload"] == pixels.tobytes()

        _craft(small_spool, execution_id, 1, {"kind": "shapes"})
        refused = _refused(client, base)
        assert refused.code == "ERR_PLANE_UNKNOWN" and "not an image" in str(refused)
        stale.unlink()
