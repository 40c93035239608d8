"""The relay's absence as the shim keeps it: ``relay_link`` events folded into the run's state.

The sidecar says ``reconnecting`` when the relay goes quiet and ``connected`` when it answers;
``run.relay_link``, the run's repr and the widget's ``relay_link`` trait show it meanwhile, the
silence counting on, and forget it once the relay is back or the run is over.
"""

from __future__ import annotations

import time

from openhcs_remote.notebook.run_state import RunState
from openhcs_remote.notebook.run_summary import run_summary
from openhcs_remote.notebook.widget import OhrRunWidget

RELAY = "10.200.0.1:7779"


def _running() -> RunState:
    state = RunState("10.200.0.1:7777", palette=lambda: ("#0000FF",))
    state.apply({"event": "accepted", "execution_id": "3f2a9c1e-77", "store_dir": "/tmp/x"})
    state.apply({"event": "progress", "snapshot": {"phase": "running", "wells": []}})
    return state


def _event(state: str, silent_ms: int = 0, reason: str | None = "silent") -> dict[str, object]:
    return {
        "event": "relay_link",
        "state": state,
        "address": RELAY,
        "silent_ms": silent_ms,
        "reason": reason,
    }


def test_reconnecting_shows_in_the_trait_and_the_repr_and_counts_on_until_the_relay_is_back():
    state = _running()
    assert state.relay_link is None and state.traits()["relay_link"] is None
    state.apply(_event("reconnecting", silent_ms=3100))
    link = state.traits()["relay_link"]
    assert link["state"] == "reconnecting" and link["address"] == RELAY
    assert 3100 <= link["silent_ms"] < 3600
    assert run_summary(state).endswith(f"reconnecting to relay {RELAY}… (3 s)>")
    assert state.status == "running"  # the run goes on on the server meanwhile
    time.sleep(0.6)
    assert state.relay_link is not None and state.relay_link["silent_ms"] >= 3700
    state.apply(_event("connected", reason=None))
    assert state.relay_link is None and state.traits()["relay_link"] is None
    assert "relay" not in run_summary(state)


def test_a_relay_given_up_stays_said_and_the_run_end_clears_it():
    state = _running()
    state.apply(_event("reconnecting", silent_ms=3000))
    state.apply(_event("lost", silent_ms=60_000))
    assert state.relay_link == {"state": "lost", "address": RELAY, "silent_ms": 60_000}
    assert f"lost the relay {RELAY}; no more images will arrive" in run_summary(state)
    state.apply({"event": "done", "record": {"status": "complete"}})
    assert state.status == "complete" and state.relay_link is None


def test_the_widget_carries_relay_link_as_a_synced_trait():
    widget = OhrRunWidget()
    assert widget.relay_link is None
    assert widget.trait_metadata("relay_link", "sync") is True
    state = _running()
    state.apply(_event("reconnecting", silent_ms=12_000))
    widget.relay_link = state.traits()["relay_link"]
    assert widget.relay_link["address"] == RELAY
