"""The OMERO example, script and notebook, run as a user runs them against the real server."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import zarr
from nbclient import NotebookClient

from openhcs_remote.server.synthetic_plate import SyntheticPlateSpec, write_synthetic_plate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPT = EXAMPLES / "omero_remote_execution.py"
NOTEBOOK = EXAMPLES / "omero_remote_execution.ipynb"
WELLS = ("A01", "B02")


@pytest.fixture
def zstack_plate(tmp_path: Path) -> Path:
    """Two wells with a z-stack, so the example's z-projection has something to flatten."""
    spec = SyntheticPlateSpec(wells=WELLS, sites=1, channels=2, z_planes=2, tile_size=(64, 64))
    return write_synthetic_plate(tmp_path / "plate", spec)


def server_arguments(server) -> list[str]:
    return [
        "--server",
        f"127.0.0.1:{server.ready['execution']['port']}",
        "--relay",
        f"127.0.0.1:{server.relay['stream_port']}",
        "--viewer-port",
        str(server.relay["viewer_port"]),
    ]


def plates_in_store(store: Path) -> dict[str, list[str]]:
    """Each step's OME-Zarr plate in a saved run, with the wells it holds."""
    plates = {}
    for path in sorted(store.glob("*.ome.zarr")):
        plate = zarr.open_group(str(path), mode="r").attrs["ome"]["plate"]
        plates[path.name] = sorted(well["path"] for well in plate["wells"])
    return plates


# NGFF names wells by row and column: A01 is "A/1".
EVERY_STEP = {
    f"{step}.ome.zarr": ["A/1", "B/2"] for step in ("count_cells", "normalize", "z_projection")
}


def test_the_script_runs_a_plate_path_without_omero_and_saves_the_results(
    server, sidecar_bundle, zstack_plate, tmp_path
):
    out = tmp_path / "out"
    command = [sys.executable, str(SCRIPT), *server_arguments(server)]
    command += ["--plate", str(zstack_plate), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "connected to 127.0.0.1" in done.stdout
    assert "complete: 100.0 %, 2/2 wells" in done.stdout
    stores = list(out.glob("run-*"))
    assert len(stores) == 1 and f"results: {stores[0]}" in done.stdout
    assert plates_in_store(stores[0]) == EVERY_STEP
    assert (out / "contact-sheet.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_asking_for_omero_without_omero_py_says_what_to_install(server, tmp_path):
    if importlib.util.find_spec("omero") is not None:
        pytest.skip("omero-py is installed here; this checks the message shown without it")
    command = [sys.executable, str(SCRIPT), *server_arguments(server)]
    command += ["--omero-host", "omero.lab", "--plate", "2201", "--out", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "`omero-py` is not installed" in done.stderr
    assert "pip install omero-py" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_notebook_version_runs_top_to_bottom(
    server, sidecar_bundle, zstack_plate, tmp_path, monkeypatch
):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel inherits this environment: the notebook reads its settings from it.
    monkeypatch.setenv("OPENHCS_REMOTE_PORT", str(server.ready["execution"]["port"]))
    monkeypatch.setenv("OPENHCS_REMOTE_RELAY", f"127.0.0.1:{server.relay['stream_port']}")
    monkeypatch.setenv("OPENHCS_REMOTE_VIEWER_PORT", str(server.relay["viewer_port"]))
    monkeypatch.setenv("OPENHCS_REMOTE_PLATE", str(zstack_plate))
    monkeypatch.setenv("OPENHCS_REMOTE_DEMO_OUT", str(tmp_path / "out"))
    monkeypatch.delenv("OMERO_HOST", raising=False)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    ).execute()
    text = "".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )
    assert f"no OMERO: the server reads the plate at {zstack_plate}" in text
    stores = list((tmp_path / "out").glob("run-*"))
    assert len(stores) == 1 and plates_in_store(stores[0]) == EVERY_STEP
    assert "A01" in text and "z_projection" in text
