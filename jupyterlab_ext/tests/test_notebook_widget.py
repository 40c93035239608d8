"""The widget's kernel side: state and previews over a recording comm, browser commands, pacing."""

from __future__ import annotations

import base64
import contextlib
import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import comm
import numpy as np
import pytest
from comm.base_comm import BaseComm
from conftest import make_plate
from test_notebook_run import openhcs_objects

from openhcs_remote import RemoteOrchestrator
from openhcs_remote.notebook.widget import OhrRunWidget, widget_class
from openhcs_remote.notebook.widget_feed import WidgetFeed


class RecordingComm(BaseComm):
    """A comm that keeps every message the kernel would publish, with the time it was sent."""

    sent: list[dict[str, Any]]

    def __init__(self, **kwargs: Any) -> None:
        self.sent = []
        super().__init__(**kwargs)

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        self.sent.append(
            {"type": msg_type, "data": data, "buffers": list(buffers or []), "at": time.monotonic()}
        )


def customs(channel: RecordingComm, kind: str) -> list[dict[str, Any]]:
    return [
        {**m["data"]["content"], "buffers": m["buffers"]}
        for m in channel.sent
        if m["type"] == "comm_msg"
        and m["data"].get("method") == "custom"
        and m["data"]["content"].get("kind") == kind
    ]


def states(channel: RecordingComm) -> list[dict[str, Any]]:
    opened = [m["data"]["state"] for m in channel.sent if m["type"] == "comm_open"]
    updates = [
        m["data"]["state"]
        for m in channel.sent
        if m["type"] == "comm_msg" and m["data"].get("method") == "update"
    ]
    return opened + updates


def browser_command(
    widget: Any, name: str, args: dict[str, Any] | None = None, command_id: str = "c1"
) -> None:
    content = {"kind": "ohr-command", "id": command_id, "name": name, "args": args or {}}
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def wait_for(predicate: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def recorded_run(server: Any, orchestrator_options: dict[str, Any], plate: Path) -> dict[str, Any]:
    """Run ``plate`` with its widget made at once, every message it sends recorded; wait for it."""
    comms: list[RecordingComm] = []
    saved = comm.create_comm
    comm.create_comm = lambda **kwargs: comms.append(RecordingComm(**kwargs)) or comms[-1]
    try:
        run = RemoteOrchestrator(**orchestrator_options).run_remote_pipeline(
            str(plate), *openhcs_objects(), viewer_port=server.relay["viewer_port"]
        )
        widget = run.widget
        started = time.monotonic()
        assert run.wait(120) and run.status == "complete"
        assert run.display.flush()  # send what the paced feed still holds
        channel = next(
            c for c in comms if c.target_name == "jupyter.widget" and c.comm_id == widget.model_id
        )
        return {
            "run": run,
            "widget": widget,
            "comm": channel,
            "seconds": time.monotonic() - started,
        }
    finally:
        comm.create_comm = saved


@pytest.fixture(scope="module")
def live(server, orchestrator_options, tmp_path_factory) -> dict[str, Any]:
    """A one-well run whose widget exists from the start, recorded message by message."""
    plate = make_plate(tmp_path_factory.mktemp("widget") / "plate", wells=("A01",))
    return recorded_run(server, orchestrator_options, plate)


def test_the_widget_model_is_the_labextensions_with_the_documented_identity():
    assert widget_class() is OhrRunWidget
    widget = OhrRunWidget()
    assert (widget._model_module, widget._model_name, widget._view_name) == (
        "openhcs-remote",
        "OhrRunModel",
        "OhrRunView",
    )


def test_the_widget_receives_the_runs_state_as_it_goes(live):
    seen = states(live["comm"])
    statuses = [s["status"] for s in seen if "status" in s]
    assert statuses[0] == "connecting" and statuses[-1] == "complete"
    # Traits are coalesced (widget_feed.py): on a loaded machine a short run can go from
    # compiling straight to complete, so any in-between status shows the state went along.
    assert {"compiling", "queued", "running"} & set(statuses[1:-1])
    final: dict[str, Any] = {}
    for state in seen:
        final.update(state)
    assert final["execution_id"] == live["run"].execution_id
    assert final["progress"]["fraction"] == 1.0 and final["progress"]["wells_done"] == 1
    assert final["wells"]["A01"]["state"] == "done"
    assert final["plate_layout"] == {"rows": 8, "columns": 12}
    assert [c["index"] for c in final["channels"]] == [1, 2]
    assert final["axes"]["sites"] == [1, 2] and final["axes"]["steps"] == ["normalize"]
    assert final["images_received"] == 4 and final["error"] is None
    assert all("progress" not in s or isinstance(s["progress"], dict) for s in seen)


def test_previews_travel_as_8_bit_binary_buffers_with_the_planes_percentiles(live):
    previews = customs(live["comm"], "ohr-preview")
    assert len(previews) == 4
    run = live["run"]
    for preview in previews:
        (pixels,) = preview["buffers"]
        assert isinstance(pixels, (bytes, bytearray, memoryview))
        assert (preview["width"], preview["height"]) == (64, 64) and len(pixels) == 64 * 64
        plane = run.image(well=preview["well"], site=preview["site"], channel=preview["channel"])
        assert preview["source_shape"] == [64, 64] and preview["dtype"] == plane.dtype.name
        low, high = np.percentile(plane, [0.1, 99.9])
        assert preview["value_min"] == pytest.approx(low) and preview["value_max"] == pytest.approx(
            high
        )
        expected = np.clip(np.round((plane.astype(float) - low) / (high - low) * 255), 0, 255)
        assert np.array_equal(
            np.frombuffer(pixels, np.uint8).reshape(64, 64), expected.astype(np.uint8)
        )


def test_state_messages_are_paced_well_under_the_iopub_limit(live):
    updates = [m for m in live["comm"].sent if m["type"] == "comm_msg"]
    rate = len(updates) / max(live["seconds"], 1.0)
    assert rate < 50, f"{len(updates)} messages in {live['seconds']:.1f} s"
    times = [
        m["at"]
        for m in live["comm"].sent
        if m["type"] == "comm_msg" and m["data"].get("method") == "update"
    ]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.2 for gap in gaps[:-1]), gaps  # the last one is the final flush


def test_browser_commands_fetch_a_full_plane_and_replay_previews(live):
    run = live["run"]
    widget = run.widget
    channel = live["comm"]
    before = len(channel.sent)
    browser_command(
        widget,
        "fetch_plane",
        {"well": "A01", "site": 2, "channel": 1, "z": 1, "timepoint": 1, "step": "normalize"},
    )
    browser_command(widget, "replay_previews", command_id="c2")
    browser_command(widget, "frobnicate", command_id="c3")
    wait_for(
        lambda: (
            len(customs(channel, "ohr-reply")) >= 3 and len(customs(channel, "ohr-preview")) >= 8
        )
    )
    replies = {r["id"]: r for r in customs(channel, "ohr-reply")}
    plane = run.image(well="A01", site=2, channel=1)
    fetched = replies["c1"]
    assert fetched["ok"] and fetched["result"] == {
        "shape": [64, 64],
        "dtype": plane.dtype.name,
        "byte_order": "little",
    }
    assert bytes(fetched["buffers"][0]) == plane.astype(plane.dtype.newbyteorder("<")).tobytes()
    assert replies["c2"]["ok"] and replies["c2"]["result"]["count"] == 4
    assert not replies["c3"]["ok"] and replies["c3"]["error"]["code"] == "ERR_UNKNOWN_COMMAND"
    assert len(channel.sent) > before


def test_replay_previews_of_one_well_sends_only_that_wells_and_refuses_a_bad_well(live):
    widget = live["run"].widget
    channel = live["comm"]
    previews_before = len(customs(channel, "ohr-preview"))
    browser_command(widget, "replay_previews", {"well": "B07"}, command_id="w1")
    browser_command(widget, "replay_previews", {"well": "A01"}, command_id="w2")
    browser_command(widget, "replay_previews", {"well": 7}, command_id="w3")
    wait_for(lambda: {"w1", "w2", "w3"} <= {r["id"] for r in customs(channel, "ohr-reply")})
    live["run"].display.flush()
    replies = {r["id"]: r for r in customs(channel, "ohr-reply")}
    assert replies["w1"]["ok"] and replies["w1"]["result"]["count"] == 0
    assert replies["w2"]["ok"] and replies["w2"]["result"]["count"] == 4
    refused = replies["w3"]
    assert not refused["ok"] and refused["error"]["code"] == "ERR_BAD_REQUEST"
    message = refused["error"]["message"]
    assert "'well'" in message and "got 7" in message
    assert live["run"].execution_id in message
    wait_for(lambda: len(customs(channel, "ohr-preview")) >= previews_before + 4)
    replayed = customs(channel, "ohr-preview")[previews_before:]
    assert len(replayed) == 4 and {p["well"] for p in replayed} == {"A01"}


def test_the_contact_sheet_is_a_png_of_the_plate_once_the_run_ended(live):
    from io import BytesIO

    from PIL import Image

    bundle = live["run"].display.sheet_bundle()
    image = Image.open(BytesIO(bundle["image/png"]))
    assert image.size[0] > 3 * 16 and image.mode == "RGB"
    pixels = np.asarray(image)
    assert pixels.max() > 100, "the A01 thumbnail is dark"
    assert "contact sheet" in bundle["text/plain"]
    # The HTML form carries the class the labextension hides while the live widget renders.
    assert bundle["text/html"].startswith('<img class="ohr-contact-sheet"')
    assert (
        base64.b64decode(bundle["text/html"].split("base64,")[1].split('"')[0])
        == bundle["image/png"]
    )


class FakeWidget:
    def __init__(self) -> None:
        self.sent: list[float] = []
        self.applied: list[float] = []
        self.value = 0

    @contextlib.contextmanager
    def hold_sync(self) -> Iterator[None]:
        yield
        self.applied.append(time.monotonic())

    def send(self, content: dict[str, Any], buffers: list[bytes]) -> None:
        self.sent.append(time.monotonic())


def test_the_feed_paces_a_flood_of_previews_and_coalesces_state_updates():
    widget = FakeWidget()
    counter = {"n": 0}
    previews: dict[tuple, tuple[dict, bytes]] = {}
    feed = WidgetFeed(
        widget,
        traits=lambda: {"value": counter["n"]},
        previews=previews.get,
        max_previews_per_s=200,
    )
    started = time.monotonic()
    for i in range(500):
        key = ("A01", 1, 1, 1, 1, f"s{i}")
        previews[key] = ({"kind": "ohr-preview"}, b"\x00" * 64)
        feed.send_preview(key)
        counter["n"] += 1
        feed.mark_dirty()
    for i in range(100):  # newer previews of a queued plane replace it (the last: still queued)
        key = ("A01", 1, 1, 1, 1, "s499")
        previews[key] = ({"kind": "ohr-preview", "i": i}, b"\x00")
        feed.send_preview(key)
    feed.send_preview(("A01", 1, 1, 1, 1, "gone"))  # dropped from the cache: skipped
    feed.close(timeout=10)
    elapsed = time.monotonic() - started
    assert len(widget.sent) == 500
    per_second = max(
        sum(1 for t in widget.sent if start <= t < start + 1.0) for start in widget.sent
    )
    assert per_second <= 250, per_second  # the rate plus a quarter-second burst
    assert elapsed >= 2.0
    assert len(widget.applied) <= elapsed / 0.25 + 2


def test_a_preview_goes_out_before_a_state_update_due_at_the_same_time():
    widget = FakeWidget()
    key = ("A01", 1, 1, 1, 1, "s")
    feed = WidgetFeed(
        widget,
        traits=lambda: {"value": 1},
        previews={key: ({"kind": "ohr-preview"}, b"\x00" * 64)}.get,
    )
    release = threading.Event()
    feed.call(release.wait)  # hold the feed thread while both are queued
    feed.mark_dirty()
    feed.send_preview(key)
    release.set()
    assert feed.flush(timeout=10)
    feed.close()
    assert len(widget.sent) == 1 and len(widget.applied) == 1
    assert widget.sent[0] <= widget.applied[0]


def test_commands_are_answered_from_a_thread_while_the_caller_returns_at_once(live):
    run = live["run"]
    done = threading.Event()
    original = run.display._feed.call

    def traced(function: Any) -> None:
        original(function)
        done.set()

    run.display._feed.call = traced
    try:
        started = time.perf_counter()
        browser_command(run.widget, "cancel", command_id="c9")
        assert time.perf_counter() - started < 0.05
        assert done.wait(10)
    finally:
        run.display._feed.call = original
