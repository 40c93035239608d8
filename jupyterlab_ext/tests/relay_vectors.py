"""Shared test vectors of the relay stream protocol, built with the Python sender.

``python tests/relay_vectors.py`` writes ``test/vectors/relay-stream/*.json`` (then
``npx prettier --write test/vectors/relay-stream``);
``test_relay_vectors.py`` checks the files still equal what the sender makes, and
the TypeScript receiver decodes the same files.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
from stream_routing import route_to_relay

from openhcs_remote.server.relay import stream_frames as frames
from openhcs_remote.server.relay.batch import IncomingItem
from openhcs_remote.server.relay.config import RelayLimits
from openhcs_remote.server.relay.previews import make_preview

VECTOR_DIR = Path(__file__).resolve().parents[2] / "test" / "vectors" / "relay-stream"
#: Vectors of previews delivery and ``fetch_plane`` (docs/relay-stream-protocol.md §4.2), kept
#: apart until the TypeScript receiver decodes them; then they move into ``VECTOR_DIR``.
PREVIEWS_VECTOR_DIR = VECTOR_DIR.with_name("relay-stream-previews")
EXECUTION = "3f2a9c1e-0b7d-4c55-9a51-0d2f6e8b7a10"
PRODUCER = {
    "origin": "pipeline",
    "output_kind": "main",
    "output_key": "main",
    "projection_key": "main",
    "step_name": "normalize",
    "pipeline_position": 0,
    "step_scope_id": None,
    "invocation_key": None,
    "artifact_kind": None,
}
NAMES = {"channel": {"1": "DAPI", "2": "GFP"}}
STREAMING_PIPELINE = (
    "from openhcs.core.config import LazyNapariStreamingConfig\n"
    "pipeline_steps = []  # napari_streaming_config=LazyNapariStreamingConfig(enabled=True)\n"
)
NUM_WORKERS_CONFIG = (
    "from openhcs.core.config import GlobalPipelineConfig\n"
    "config = GlobalPipelineConfig(num_workers=2)\n"
)


RUN_FILE = b"well,cell_count\nA01,17\n\xc3\xa9\n"
RUN_FILE_HEADER = frames.file(
    EXECUTION,
    3,
    {
        "path": "results/A01_cell_counts_step2_details.csv",
        "size": len(RUN_FILE),
        "mtime": 1795822418.5,
    },
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _image(array: np.ndarray, seq: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    item = IncomingItem(
        index=0,
        kind="image",
        data_type="image",
        path="/data/plate_openhcs/images/A01_s002_w1_z001_t001.tif",
        image_id="6d0c1f6e-2b7a-4f1e-9c3d-8e5a4b2c1d00",
        components={"site": 2, "channel": 1, "z_index": 1, "timepoint": 1, "well": "A01"},
        producer=PRODUCER,
        extra=extra or {},
        shape=array.shape,
        dtype=array.dtype.newbyteorder("<"),
    )
    header = frames.item_header(
        item, execution_id=EXECUTION, seq=seq, component_names=NAMES, received_at=1795822418.25
    )
    payload = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
    return {
        "direction": "relay_to_client",
        "frames_base64": [_b64(frames.encode_json(header)), _b64(payload)],
        "expected": {"header": header, "pixels": array.tolist(), "payload_hex": payload.hex()},
    }


def _preview_image(array: np.ndarray, seq: int) -> dict[str, Any]:
    """An image item in ``previews`` delivery: the full-resolution header, the preview's bytes."""
    full = _image(array, seq)
    header = json.loads(base64.b64decode(full["frames_base64"][0]))
    payload = array.astype(array.dtype.newbyteorder("<")).tobytes()
    preview = make_preview(header["shape"], header["dtype"], payload)
    assert preview is not None
    previewed = frames.preview_item(header, preview.metadata())
    return {
        "direction": "relay_to_client",
        "frames_base64": [_b64(frames.encode_json(previewed)), _b64(preview.pixels)],
        "expected": {"header": previewed, "payload_hex": preview.pixels.hex()},
    }


def _plane(array: np.ndarray, seq: int, encoding: str) -> dict[str, Any]:
    """A ``plane`` reply: its header, then the raw or Blosc-encoded bytes."""
    raw = array.astype(array.dtype.newbyteorder("<"))
    payload = raw.tobytes()
    if encoding == "blosc":
        codec = numcodecs.Blosc(cname="zstd", clevel=1, shuffle=numcodecs.Blosc.SHUFFLE)
        payload = codec.encode(raw)
    header = frames.plane(
        EXECUTION,
        5,
        seq,
        {
            "shape": list(array.shape),
            "dtype": array.dtype.name,
            "nbytes": array.nbytes,
            "encoding": encoding,
            "encoded_bytes": len(payload),
            "source": "spool",
        },
    )
    return {
        "direction": "relay_to_client",
        "frames_base64": [_b64(frames.encode_json(header)), _b64(payload)],
        "expected": {"header": header, "payload_hex": payload.hex(), "pixels": array.tolist()},
    }


def _control(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "direction": "relay_to_client",
        "frames_base64": [_b64(frames.encode_json(message))],
        "expected": {"header": message},
    }


def _client(
    message: Any, *, error: tuple[str, str | None] | None = None, frames_count: int = 1
) -> dict[str, Any]:
    raw = message if isinstance(message, bytes) else json.dumps(message).encode()
    case: dict[str, Any] = {
        "direction": "client_to_relay",
        "frames_base64": [_b64(raw)] * frames_count,
    }
    case["expected"] = (
        {"error": {"code": error[0], "field": error[1]}} if error else {"message": message}
    )
    return case


def build() -> dict[str, dict[str, Any]]:
    """Every vector file, by name."""
    shapes_item = IncomingItem(
        index=0,
        kind="shapes",
        data_type="rois",
        path="/data/plate_openhcs/rois/A01_s001.roi.zip",
        image_id="0f4e2d1c-3b5a-4968-8776-5a4b3c2d1e0f",
        components={"site": 1, "channel": 2, "z_index": 1, "timepoint": 1, "well": "A01"},
        producer=PRODUCER,
        shapes=[
            {
                "type": "polygon",
                "coordinates": [[1.5, 2.0], [1.5, 6.0], [4.0, 4.0]],
                "metadata": {"name": "cell-1"},
            }
        ],
        shape_source="imagej_roi",
    )
    shapes_header = frames.item_header(
        shapes_item, execution_id=EXECUTION, seq=3, component_names=NAMES, received_at=1795822418.5
    )
    routed = route_to_relay("pipeline_steps = []\n", None, host="127.0.0.1", port=5555)
    routed_streaming = route_to_relay(
        STREAMING_PIPELINE,
        NUM_WORKERS_CONFIG,
        host="127.0.0.1",
        port=6000,
    )
    return {
        "item-image-uint16.json": {
            "description": "an image item: JSON header, then little-endian C-order pixels",
            **_image(np.array([[0, 1, 258], [65535, 4096, 7]], dtype=np.uint16), seq=1),
        },
        "item-image-float32-planes.json": {
            "description": "a 2-plane float32 stack whose leading axis is the channel",
            **_image(
                np.array([[[0.5, -1.25]], [[3.0e3, 1.0e-3]]], dtype=np.float32),
                seq=2,
                extra={
                    "plane_axis": "runtime_slice",
                    "plane_component_values": {"channel": [1, 2]},
                },
            ),
        },
        "item-shapes.json": {
            "description": "ROIs as shapes: no payload frame",
            **_control(shapes_header),
        },
        "gap-evicted.json": {
            "description": "seqs 1..40 were evicted from the spool",
            **_control(frames.gap(EXECUTION, 1, 40, "evicted")),
        },
        "gap-lost.json": {
            "description": "seq 6 was numbered but never stored (relay crash)",
            **_control(frames.gap(EXECUTION, 6, 6, "lost")),
        },
        "end.json": {
            "description": "end of run",
            **_control(frames.end(EXECUTION, 12, "complete")),
        },
        "welcome.json": {
            "description": "reply to hello",
            **_control(
                frames.welcome(
                    incarnation="5a58898b-42d4-4fb4-9bef-f3d60debcf9e",
                    spool_id="c73d70c0-7bbb-4cfe-8813-98b33f9e4f6c",
                    runs=[
                        {
                            "execution_id": EXECUTION,
                            "first_seq": 1,
                            "last_seq": 12,
                            "ended": True,
                            "status": "complete",
                        }
                    ],
                    limits=RelayLimits(),
                    heartbeat_interval=1.0,
                    session_timeout=30.0,
                    relay_version="0.1.0",
                    viewer_port=5555,
                )
            ),
        },
        "heartbeat.json": {
            "description": "liveness",
            **_control(
                {
                    "type": "heartbeat",
                    "incarnation": "5a58898b-42d4-4fb4-9bef-f3d60debcf9e",
                    "time": 1795822419.0,
                }
            ),
        },
        "run-started.json": {"description": "a new run", **_control(frames.run_started(EXECUTION))},
        "error.json": {
            "description": "a refused client message",
            **_control(
                frames.error(
                    "ERR_FIELD",
                    "[ERR_FIELD] 0 is outside 1..9007199254740991 (field 'from_seq')",
                    "from_seq",
                )
            ),
        },
        "error-request.json": {
            "description": "a refused request: the error carries its request_id",
            **_control(
                frames.error(
                    "ERR_FILE_PATH",
                    "[ERR_FILE_PATH] '../x' leaves the run's directory (field 'path')",
                    "path",
                    request_id=4,
                )
            ),
        },
        "files.json": {
            "description": "reply to list_files: paths relative to the run's directory",
            **_control(
                frames.files(
                    EXECUTION,
                    2,
                    {
                        "root": "/data/plate_openhcs",
                        "files": [
                            {
                                "path": "results/A01_cell_counts_step2_details.csv",
                                "size": 24,
                                "mtime": 1795822418.5,
                            }
                        ],
                        "truncated": False,
                    },
                )
            ),
        },
        "file.json": {
            "description": "reply to fetch_file: a header, then the file's bytes",
            "direction": "relay_to_client",
            "frames_base64": [_b64(frames.encode_json(RUN_FILE_HEADER)), _b64(RUN_FILE)],
            "expected": {"header": RUN_FILE_HEADER, "payload_hex": RUN_FILE.hex()},
        },
        "client-messages.json": {
            "description": "client messages and how the relay judges them",
            "cases": [
                _client({"type": "hello", "protocol": 1, "client_name": "ts", "nonce": 1}),
                _client({"type": "subscribe", "execution_id": EXECUTION, "from_seq": 13}),
                _client({"type": "credit", "items": 16, "bytes": 67108864}),
                _client({"type": "ping", "nonce": 7}),
                _client({"type": "bye"}),
                _client(
                    {
                        "type": "list_files",
                        "execution_id": EXECUTION,
                        "request_id": 2,
                        "under": "results",
                    }
                ),
                _client(
                    {
                        "type": "fetch_file",
                        "execution_id": EXECUTION,
                        "request_id": 3,
                        "path": "results/A01_cell_counts_step2_details.csv",
                    }
                ),
                _client(
                    {"type": "fetch_file", "execution_id": EXECUTION, "request_id": 3},
                    error=("ERR_FIELD", "path"),
                ),
                _client(
                    {"type": "list_files", "execution_id": EXECUTION, "request_id": -1},
                    error=("ERR_FIELD", "request_id"),
                ),
                _client({"type": "hello", "protocol": 2}, error=("ERR_FIELD", "protocol")),
                _client(
                    {"type": "subscribe", "execution_id": EXECUTION, "from_seq": 0},
                    error=("ERR_FIELD", "from_seq"),
                ),
                _client({"type": "credit", "items": 1.5}, error=("ERR_FIELD", "items")),
                _client({"type": "teleport"}, error=("ERR_PROTOCOL", "type")),
                _client(b"[1, 2]", error=("ERR_PROTOCOL", "message")),
                _client({"type": "bye"}, error=("ERR_PROTOCOL", None), frames_count=2),
            ],
        },
        "routing.json": {
            "description": "route_to_relay: inputs and the exact code it returns",
            "cases": [
                {
                    "pipeline_code": "pipeline_steps = []\n",
                    "config_code": None,
                    "host": "127.0.0.1",
                    "port": 5555,
                    "expected_pipeline_code": routed.pipeline_code,
                    "expected_config_code": routed.config_code,
                },
                {
                    "pipeline_code": STREAMING_PIPELINE,
                    "config_code": NUM_WORKERS_CONFIG,
                    "host": "127.0.0.1",
                    "port": 6000,
                    "expected_pipeline_code": routed_streaming.pipeline_code,
                    "expected_config_code": routed_streaming.config_code,
                },
            ],
        },
    }


def build_previews() -> dict[str, dict[str, Any]]:
    """Every vector file of previews delivery and ``fetch_plane``, by name."""
    return {
        "item-image-preview.json": {
            "description": "an image item in previews delivery: nbytes is the full plane's size,"
            " the one frame its 8-bit preview",
            **_preview_image(np.arange(12 * 9, dtype=np.uint16).reshape(12, 9) * 300, seq=1),
        },
        "plane.json": {
            "description": "reply to fetch_plane (raw): a header, then the plane's bytes",
            **_plane(np.array([[0, 1, 258], [65535, 4096, 7]], dtype=np.uint16), 1, "raw"),
        },
        "plane-blosc.json": {
            "description": "reply to fetch_plane (blosc): one Blosc buffer, zstd level 1, shuffle",
            **_plane(np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000, 1, "blosc"),
        },
        "client-messages.json": {
            "description": "client messages of previews delivery and fetch_plane",
            "cases": [
                _client(
                    {
                        "type": "subscribe",
                        "execution_id": EXECUTION,
                        "from_seq": 1,
                        "delivery": "previews",
                    }
                ),
                _client(
                    {"type": "subscribe", "execution_id": EXECUTION, "delivery": "thumbnails"},
                    error=("ERR_FIELD", "delivery"),
                ),
                _client(
                    {
                        "type": "fetch_plane",
                        "execution_id": EXECUTION,
                        "request_id": 5,
                        "seq": 1,
                        "encoding": "blosc",
                    }
                ),
                _client(
                    {"type": "fetch_plane", "execution_id": EXECUTION, "request_id": 5, "seq": 0},
                    error=("ERR_FIELD", "seq"),
                ),
                _client(
                    {
                        "type": "fetch_plane",
                        "execution_id": EXECUTION,
                        "request_id": 5,
                        "seq": 1,
                        "encoding": "png",
                    },
                    error=("ERR_FIELD", "encoding"),
                ),
            ],
        },
    }


def write() -> None:
    """Write every vector file."""
    for directory, built in ((VECTOR_DIR, build()), (PREVIEWS_VECTOR_DIR, build_previews())):
        directory.mkdir(parents=True, exist_ok=True)
        for name, content in built.items():
            (directory / name).write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write()
