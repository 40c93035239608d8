"""The sidecar's lifetime: one per kernel, gone with it; a new one picks runs up from the spool."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import tifffile
from conftest import make_plate
from test_notebook_run import output_tiffs
from test_relay_pipeline import NORMALIZE

from openhcs_remote import RemoteOrchestrator
from openhcs_remote.notebook.shim_errors import SidecarError, UnknownRunError
from openhcs_remote.notebook.sidecar import SidecarProcess
from openhcs_remote.notebook.sidecar_frames import encode_frame

KERNEL_LIKE = """\
import json, os, sys, time
from openhcs_remote.notebook.sidecar import shared_sidecar
started = time.perf_counter()
sidecar = shared_sidecar()
ready = sidecar.ready.result(20)
ready_s = time.perf_counter() - started
report = {"sidecar_pid": sidecar.pid, "ready_s": ready_s, "store": sidecar.store_root}
print(json.dumps(report), flush=True)
time.sleep(600)
"""


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is gone for our purpose once it is not running.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_killing_the_kernel_process_with_sigkill_leaves_no_sidecar_behind(sidecar_bundle):
    kernel = subprocess.Popen(
        [sys.executable, "-c", KERNEL_LIKE], stdout=subprocess.PIPE, text=True
    )
    assert kernel.stdout is not None
    info = json.loads(kernel.stdout.readline())
    sidecar_pid = info["sidecar_pid"]
    assert pid_alive(sidecar_pid)
    assert info["ready_s"] < 5
    kernel.send_signal(signal.SIGKILL)
    kernel.wait()
    deadline = time.monotonic() + 5
    while pid_alive(sidecar_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pid_alive(sidecar_pid), "the sidecar outlived its kernel"
    assert not Path(info["store"]).exists(), "the sidecar left its temporary store behind"


def test_the_sidecar_survives_the_kernel_being_interrupted(sidecar_bundle):
    sidecar = SidecarProcess()
    try:
        sidecar.ready.result(20)
        # The ready event hands over the TypeScript colour tables (src/protocol/*-colors.ts).
        assert sidecar.channel_colors()[:2] == ("#0000FF", "#00FF00")
        assert sidecar.heatmap_colors()[::8] == ("#440154", "#FDE725")
        os.kill(sidecar.pid, signal.SIGINT)  # what "interrupt kernel" sends the process group
        time.sleep(0.3)
        assert sidecar.alive
        with pytest.raises(UnknownRunError, match="does not follow run"):
            sidecar.call("list_images", execution_id="no-such-run")
    finally:
        sidecar.close()
    assert sidecar.process.returncode == 0
    assert not Path(sidecar.store_root).exists(), "the sidecar left its temporary store behind"


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are Linux's")
def test_the_sidecars_event_pipe_holds_a_wells_previews_while_the_shim_is_busy(sidecar_bundle):
    # The sidecar waits for each event to be in the pipe before its next result: a pipe of
    # Linux's default 64 KiB makes every 64 KiB preview wait for the shim's reader thread.
    sidecar = SidecarProcess()
    try:
        sidecar.ready.result(20)
        assert sidecar.process.stdout is not None
        held = fcntl.fcntl(sidecar.process.stdout.fileno(), fcntl.F_GETPIPE_SZ)
        assert held >= 8 * (256 * 256 + 4096), f"the event pipe holds {held} bytes"
    finally:
        sidecar.close()


def test_a_malformed_frame_ends_the_link_and_every_pending_request_fails(sidecar_bundle):
    sidecar = SidecarProcess()
    sidecar.ready.result(20)
    assert sidecar.process.stdin is not None
    sidecar.process.stdin.write(encode_frame({"type": "request"})[:8] + b"\x00" * 3 + b"{not json")
    sidecar.process.stdin.write(b"\x00" * 64)
    sidecar.process.stdin.close()
    assert sidecar.process.wait(10) != 0 or not sidecar.alive
    with pytest.raises(SidecarError):
        sidecar.call("list_images", execution_id="x")


def test_attach_from_a_new_shim_and_sidecar_gets_every_image_from_the_relays_spool(
    server, orchestrator_options, tmp_path
):
    plate = make_plate(tmp_path / "plate")
    submit = textwrap.dedent(
        f"""
        from openhcs_remote import RemoteOrchestrator
        orch = RemoteOrchestrator(**{orchestrator_options!r})
        code = {NORMALIZE!r}
        print(orch.execute_remote({str(plate)!r}, code, viewer_port={server.relay["viewer_port"]}))
        """
    )
    # The first shim submits and exits at once: its sidecar goes with it, mid-run.
    first = subprocess.run(
        [sys.executable, "-c", submit], capture_output=True, text=True, timeout=60, check=True
    )
    execution_id = first.stdout.strip().splitlines()[-1]
    run = RemoteOrchestrator(**orchestrator_options).attach(execution_id)
    assert run.wait(120), run.status
    assert run.status == "complete"
    assert run.state.traits()["gaps"] == []
    images = run.images()
    tiffs = output_tiffs(plate)
    assert len(images) == len(tiffs) == 12
    for key, array in images.items():
        on_disk = tifffile.imread(tiffs[(key.well, key.site, key.channel, key.z, key.timepoint)])
        assert (array == on_disk).all()
    assert run.progress.wells_done == 3


def test_attach_to_a_run_the_server_never_had_fails_with_the_servers_answer(
    orchestrator_options,
):
    from openhcs_remote import ServerError

    run = RemoteOrchestrator(**orchestrator_options).attach("no-such-execution")
    assert run.wait(30)
    assert run.status == "error"
    with pytest.raises(ServerError, match="no-such-execution"):
        run.result()
