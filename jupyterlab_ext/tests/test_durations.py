"""The Python wording of durations against the table the TypeScript one is checked on."""

import json
from pathlib import Path

import pytest

from openhcs_remote.notebook.durations import format_duration
from openhcs_remote.notebook.run_state import RunProgress, RunState
from openhcs_remote.notebook.run_summary import run_summary
from openhcs_remote.notebook.transfer_progress import transfer_line

TABLE = Path(__file__).resolve().parents[2] / "test" / "vectors" / "durations" / "durations.json"
CASES = json.loads(TABLE.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize(("ms", "text"), CASES)
def test_format_duration_reads_as_the_typescript_one(ms, text):
    assert format_duration(ms) == text


def test_nan_and_infinity_read_as_unknown():
    assert [format_duration(float("nan")), format_duration(float("inf"))] == ["—", "—"]


def test_the_summary_and_the_transfer_line_say_durations_the_same_way():
    state = RunState("gpu:7777", palette=lambda: ())
    state.execution_id, state.status = "3f2a0000", "running"
    state.progress = RunProgress(wells_done=12, wells_total=96, eta_s=65.0)
    assert run_summary(state) == "<RemoteRun 3f2a…: running, 12/96 wells, ETA 1 min 05 s>"
    line = transfer_line("planes", 1, 4, 2**20, 100 * 2**20, 1.0)
    assert line.endswith("ETA 1 min 39 s")
