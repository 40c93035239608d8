"""A run's own files (tables, ROI zips) through the relay: only its own, only inside its folder."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
import zmq
from conftest import make_plate
from stream_routing import route_to_relay

COUNT = """\
from openhcs.core.steps.function_step import FunctionStep
from openhcs.core.config import PipelineConfig
from openhcs.processing.backends.analysis.cell_counting_cpu import count_cells_single_channel
pipeline_config = PipelineConfig()
pipeline_steps = [FunctionStep(func=(count_cells_single_channel,
    {'min_cell_area': 10, 'max_cell_area': 2000}), name='count')]
"""
CONFIG = """\
from openhcs.core.config import GlobalPipelineConfig
config = GlobalPipelineConfig(num_workers=1)
"""


class FileClient:
    """A bare DEALER session: hello, then one request at a time (the protocol, nothing else)."""

    def __init__(self, address: str) -> None:
        self.socket = zmq.Context.instance().socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.connect(address)
        self.next_id = 0
        self.send({"type": "hello", "protocol": 1, "nonce": 1})
        self.welcome = self.wait(lambda header: header["type"] == "welcome")[0]

    def send(self, message: dict[str, Any]) -> None:
        self.socket.send(json.dumps(message).encode())

    def wait(self, accept, timeout: float = 20.0) -> tuple[dict[str, Any], list[bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.socket.poll(100):
                continue
            frames = self.socket.recv_multipart()
            header = json.loads(frames[0])
            if accept(header):
                return header, frames[1:]
        raise TimeoutError("no answer from the relay")

    def request(self, message: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        self.next_id += 1
        self.send({**message, "request_id": self.next_id})
        return self.wait(lambda header: header.get("request_id") == self.next_id)

    def listing(self, execution_id: str, **fields: Any) -> dict[str, Any]:
        return self.request({"type": "list_files", "execution_id": execution_id, **fields})[0]

    def fetch(self, execution_id: str, path: str) -> tuple[dict[str, Any], bytes]:
        header, rest = self.request(
            {"type": "fetch_file", "execution_id": execution_id, "path": path}
        )
        return header, (rest[0] if rest else b"")

    def close(self) -> None:
        self.socket.close(linger=0)


def counted_run(server, directory: Path, wells: tuple[str, ...]) -> tuple[str, Path]:
    plate = make_plate(directory, wells=wells)
    routed = route_to_relay(COUNT, CONFIG, port=server.relay["viewer_port"])
    execution_id = server.execute(plate, routed.pipeline_code, routed.config_code)
    record = server.wait_finished(execution_id)
    assert record["status"] == "complete", record.get("error")
    return execution_id, plate.parent / f"{plate.name}_openhcs"


@pytest.fixture(scope="module")
def run(server, tmp_path_factory) -> tuple[str, Path]:
    return counted_run(server, tmp_path_factory.mktemp("counted") / "plate", ("A01", "B02"))


@pytest.fixture
def files(server):
    client = FileClient(server.stream_address)
    yield client
    client.close()


def test_the_tables_and_rois_the_run_wrote_are_listed_and_arrive_byte_for_byte(run, files):
    execution_id, root = run
    listing = files.listing(execution_id, under="results")
    assert listing["type"] == "files" and listing["truncated"] is False
    assert Path(listing["root"]) == root
    on_disk = sorted(p.relative_to(root).as_posix() for p in (root / "results").iterdir())
    listed = [entry["path"] for entry in listing["files"]]
    assert listed == on_disk
    assert any(name.endswith("_details.csv") for name in listed)
    assert any(name.endswith(".roi.zip") for name in listed)
    for entry in listing["files"]:
        header, data = files.fetch(execution_id, entry["path"])
        assert header["type"] == "file" and header["size"] == entry["size"] == len(data)
        assert data == (root / entry["path"]).read_bytes()
    # The whole folder: OpenHCS's own image files and its metadata too, nothing from elsewhere.
    everything = [entry["path"] for entry in files.listing(execution_id)["files"]]
    assert "openhcs_metadata.json" in everything
    assert all(not name.startswith(("/", "..")) for name in everything)


@pytest.mark.parametrize(
    "path",
    [
        "../plate/A01_s001_w1_z001_t001.tif",
        "results/../../plate",
        "/etc/passwd",
        "results/./../../x",
        "~root/.bashrc",
        "results\\..\\..\\x",
    ],
)
def test_a_path_that_leaves_the_runs_folder_is_refused_and_the_relay_keeps_serving(
    run, files, path
):
    execution_id, _ = run
    header, _ = files.fetch(execution_id, path)
    assert header["type"] == "error" and header["code"] == "ERR_FILE_PATH", header
    assert header["field"] == "path"
    assert files.listing(execution_id, under="results")["type"] == "files"


def test_symlinks_out_of_the_runs_folder_are_never_followed(run, files, tmp_path):
    execution_id, root = run
    secret = tmp_path / "secret.csv"
    secret.write_text("password\n")
    link = root / "results" / "zz_link.csv"
    folder_link = root / "results_link"
    link.symlink_to(secret)
    folder_link.symlink_to(tmp_path, target_is_directory=True)
    try:
        for path in ("results/zz_link.csv", "results_link/secret.csv"):
            header, data = files.fetch(execution_id, path)
            assert header["code"] == "ERR_FILE_PATH" and b"password" not in data, header
            assert "symlink" in header["message"]
        listed = [entry["path"] for entry in files.listing(execution_id)["files"]]
        assert "results/zz_link.csv" not in listed and "results_link/secret.csv" not in listed
    finally:
        link.unlink()
        folder_link.unlink()


def test_another_runs_files_and_files_from_before_the_run_are_refused(server, run, files, tmp_path):
    execution_id, root = run
    other_id, other_root = counted_run(server, tmp_path / "other" / "plate", ("A01",))
    # The other run's folder is not reachable from this run, nor this run's from it.
    header, _ = files.fetch(execution_id, f"../{other_root.name}/openhcs_metadata.json")
    assert header["code"] == "ERR_FILE_PATH"
    # A file in this run's folder that the run did not write (older than the run).
    stale = root / "results" / "zz_stale.csv"
    stale.write_text("a,b\n1,2\n")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    try:
        header, _ = files.fetch(execution_id, "results/zz_stale.csv")
        assert header["code"] == "ERR_FILE_NOT_THE_RUNS", header
        listed = [entry["path"] for entry in files.listing(execution_id)["files"]]
        assert "results/zz_stale.csv" not in listed
    finally:
        stale.unlink()
    assert files.listing(other_id)["root"] == str(other_root)


def test_a_file_past_the_size_cap_gets_a_named_error(run, files):
    execution_id, root = run
    big = root / "results" / "zz_huge.csv"
    with big.open("wb") as handle:  # sparse: costs no disk
        handle.truncate(300 * 1024 * 1024)
    started = json.loads(json.dumps(files.listing(execution_id)))  # the run's window holds it
    inside = min(entry["mtime"] for entry in started["files"])
    os.utime(big, (inside, inside))
    try:
        header, data = files.fetch(execution_id, "results/zz_huge.csv")
        assert header["code"] == "ERR_FILE_TOO_LARGE", header
        assert "zz_huge.csv" in header["message"] and str(300 * 1024 * 1024) in header["message"]
        assert data == b""
    finally:
        big.unlink()


def test_files_of_an_unknown_run_or_a_missing_file_get_named_errors(run, files):
    execution_id, _ = run
    header = files.listing("no-such-run")
    assert header["code"] == "ERR_RUN_FILES_UNKNOWN" and header["field"] == "execution_id"
    header, _ = files.fetch(execution_id, "results/nothing.csv")
    assert header["code"] == "ERR_FILE_NOT_FOUND" and "results/nothing.csv" in header["message"]
    header, _ = files.request({"type": "fetch_file", "execution_id": execution_id})
    assert header["code"] == "ERR_FIELD" and header["field"] == "path"
