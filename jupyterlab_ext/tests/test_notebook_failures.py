"""Runs that fail: the server's traceback reaches the notebook; an absent server is named."""

from __future__ import annotations

import time

import pytest
from conftest import make_plate

from openhcs_remote import RemoteExecutionError, RemoteOrchestrator, ServerUnreachableError

PIPELINE_WITH_STEP_ERROR = """\
from openhcs.core.config import PipelineConfig
from openhcs.core.steps.function_step import FunctionStep
from openhcs.processing.backends.processors.numpy_processor import stack_percentile_normalize
pipeline_config = PipelineConfig()
pipeline_steps = [FunctionStep(func=(stack_percentile_normalize,
    {"low_percentile": 1.0, "high_percentile": "not a number"}), name="normalize_badly")]
"""
PIPELINE_WITH_NAME_ERROR = """\
from openhcs.core.config import PipelineConfig
pipeline_config = PipelineConfig()
pipeline_steps = [undefined_step_factory()]
"""
CONFIG = (
    "from openhcs.core.config import GlobalPipelineConfig\n"
    "config = GlobalPipelineConfig(num_workers=1)\n"
)


def test_a_pipeline_that_fails_on_the_server_raises_remote_execution_error_with_its_traceback(
    server, orchestrator_options, tmp_path
):
    plate = make_plate(tmp_path / "plate", wells=("A01",))
    orch = RemoteOrchestrator(**orchestrator_options)
    run = orch.run_remote_pipeline(
        str(plate), PIPELINE_WITH_NAME_ERROR, CONFIG, viewer_port=server.relay["viewer_port"]
    )
    assert run.wait(120)
    assert run.status == "failed"
    with pytest.raises(RemoteExecutionError) as caught:
        run.result()
    error = caught.value
    assert error.code == "ERR_RUN_FAILED"
    assert error.execution_id == run.execution_id
    assert "undefined_step_factory" in error.server_traceback
    assert "Traceback" in error.server_traceback
    rendered = error._render_traceback_()
    assert rendered[0].startswith(f"[{orch.address} run {run.execution_id}] RemoteExecutionError")
    assert any("NameError" in line for line in rendered[1:])
    assert run.state.traits()["error"]["traceback"] == error.server_traceback
    assert "failed" in repr(run)


def test_a_step_that_fails_in_a_worker_fails_the_run_and_keeps_the_remote_story(
    server, orchestrator_options, tmp_path
):
    plate = make_plate(tmp_path / "plate", wells=("A01",))
    run = RemoteOrchestrator(**orchestrator_options).run_remote_pipeline(
        str(plate), PIPELINE_WITH_STEP_ERROR, CONFIG, viewer_port=server.relay["viewer_port"]
    )
    assert run.wait(120)
    error = run.exception()
    assert isinstance(error, RemoteExecutionError)
    assert run.status == "failed"
    assert error.server_traceback or "not a number" in error.message


def test_an_unreachable_server_fails_the_run_with_its_address_and_the_cell_still_returns_at_once(
    sidecar_bundle,
):
    orch = RemoteOrchestrator("127.0.0.1", 7911, relay=False, timeout=0.5, retries=0)
    started = time.perf_counter()
    run = orch.run_remote_pipeline("/nowhere", "pipeline_steps = []\n")
    assert time.perf_counter() - started < 0.5
    assert run.wait(10)
    assert run.status == "error"
    with pytest.raises(ServerUnreachableError, match=r"127\.0\.0\.1:8911"):
        run.result()
    assert run.state.traits()["error"]["code"] == "ERR_SERVER_UNREACHABLE"
    with pytest.raises(ServerUnreachableError):
        orch.connect()
