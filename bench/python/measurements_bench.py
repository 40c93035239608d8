"""The measurements benchmark's Python half: a 384-well per-object table, relay → DataFrame.

Starts the real server and relay, runs a one-well counting pipeline (so the relay knows a real
run and its output folder), then writes 384 per-object tables into that run's results folder,
named and dated as OpenHCS writes them. Times ``run.measurements()`` in a fresh kernel-side
orchestrator (sidecar → relay → pandas) against pandas reading the same files from local disk,
interleaved, and prints one JSON line. Usage: measurements_bench.py REPEATS ROWS_PER_WELL
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from openhcs_remote import RemoteOrchestrator
from openhcs_remote.server.control_client import control_request
from openhcs_remote.server.synthetic_plate import SyntheticPlateSpec, write_synthetic_plate

ROOT = Path(__file__).resolve().parents[2]
COUNT = (ROOT / "examples" / "pipelines" / "normalize_project_count.py").read_text()
CONFIG = (ROOT / "examples" / "pipelines" / "cpu_config.py").read_text()
ROWS = "ABCDEFGHIJKLMNOP"
SERVER = str(Path(sys.executable).with_name("openhcs-remote-server"))


def start_server(log_dir: Path) -> tuple[subprocess.Popen[str], dict]:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("openhcs-remote-server")),
            "--port",
            "0",
            "--json",
            "--log-dir",
            str(log_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert server.stdout is not None
    for line in server.stdout:
        event = json.loads(line)
        if event.get("event") == "ready":
            return server, event
    raise RuntimeError("openhcs-remote-server did not start")


def plant_tables(results: Path, rows_per_well: int, stamp: float) -> list[Path]:
    """Write 384 per-object tables named as OpenHCS would (``<well>_channel-1_objects_step2_…``)."""
    generator = np.random.default_rng(7)
    files = []
    for r in range(16):
        for c in range(24):
            well = f"{ROWS[r]}{c + 1:02d}"
            frame = pd.DataFrame(
                {
                    "label": np.arange(1, rows_per_well + 1),
                    "site": generator.integers(1, 10, rows_per_well),
                    "area": generator.gamma(4.0, 30.0, rows_per_well).round(2),
                    "mean_intensity": generator.normal(1200.0, 150.0, rows_per_well).round(3),
                    "centroid_y": generator.uniform(0, 2048, rows_per_well).round(1),
                    "centroid_x": generator.uniform(0, 2048, rows_per_well).round(1),
                    "well": well,
                }
            )
            path = results / f"{well}_channel-1_objects_step2_details.csv"
            frame.to_csv(path, index=False)
            os.utime(path, (stamp, stamp))
            files.append(path)
    return files


def main() -> None:
    repeats, rows_per_well = int(sys.argv[1]), int(sys.argv[2])
    work = Path(tempfile.mkdtemp(prefix="ohr-bench-measurements-"))
    server, ready = start_server(work / "logs")
    try:
        plate = write_synthetic_plate(
            work / "plate",
            SyntheticPlateSpec(wells=("A01",), sites=1, channels=1, z_planes=1, tile_size=(64, 64)),
        )
        relay = ("127.0.0.1", ready["relay"]["stream_port"])
        options = dict(server_host="127.0.0.1", server_port=ready["execution"]["port"])
        first = RemoteOrchestrator(**options, relay=relay)
        run = first.run_remote_pipeline(str(plate), COUNT, CONFIG)
        run.wait(300)
        assert run.status == "complete", run.exception(0)
        record = control_request(
            ready["execution"]["control_address"],
            {"type": "status", "execution_id": run.execution_id},
            timeout=10,
        )["execution"]
        results = plate.parent / f"{plate.name}_openhcs" / "results"
        # Dated inside the run's window: the relay serves only files the run wrote.
        files = plant_tables(
            results, rows_per_well, (record["start_time"] + record["end_time"]) / 2
        )
        raw_bytes = sum(path.stat().st_size for path in files)

        ours, local = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            theirs = pd.concat([pd.read_csv(path) for path in files], ignore_index=True)
            local.append(time.perf_counter() - started)
            fresh = RemoteOrchestrator(**options, relay=relay)  # nothing cached: all crosses
            attached = fresh.attach(run.execution_id)
            attached.wait(60)
            started = time.perf_counter()
            frame = attached.measurements("objects")
            ours.append(time.perf_counter() - started)
            assert len(frame) == len(theirs) == 384 * rows_per_well
            assert np.array_equal(frame["area"].to_numpy(), theirs["area"].to_numpy())
            started = time.perf_counter()
            attached.measurements("objects")
            warm = time.perf_counter() - started
        print(
            json.dumps(
                {
                    "rows": len(theirs),
                    "files": len(files),
                    "bytes": raw_bytes,
                    "ours_s": ours,
                    "local_s": local,
                    "warm_s": warm,
                }
            ),
            flush=True,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
