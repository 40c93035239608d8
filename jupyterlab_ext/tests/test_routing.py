"""Routing (the TypeScript router, run in Node) is plain text work: what it appends, when, and
what it refuses; the routed code compiles as Python."""

from __future__ import annotations

import pytest
from stream_routing import route_to_relay

PIPELINE = "pipeline_steps = []\n"


def test_config_code_always_gets_the_relay_route_and_keeps_the_users_lines():
    routed = route_to_relay(PIPELINE, "config = make()\n", port=5555)
    assert routed.config_code.startswith("config = make()\n")
    assert 'host="127.0.0.1"' in routed.config_code and "port=5555" in routed.config_code
    compile(routed.config_code, "<config>", "exec")


def test_a_pipeline_that_never_mentions_streaming_is_left_untouched():
    assert route_to_relay(PIPELINE, None, port=5555).pipeline_code == PIPELINE


def test_a_pipeline_that_configures_streaming_gets_the_step_rewrite():
    code = "from openhcs.core.config import LazyNapariStreamingConfig\npipeline_steps = []\n"
    routed = route_to_relay(code, None, port=6123)
    assert routed.pipeline_code.startswith(code)
    assert '_ohr_route_streams(pipeline_steps, "127.0.0.1", 6123)' in routed.pipeline_code
    compile(routed.pipeline_code, "<pipeline>", "exec")


def test_no_config_code_means_openhcs_defaults():
    assert route_to_relay(PIPELINE, None, port=5555).config_code.startswith(
        "from openhcs.core.config import GlobalPipelineConfig\nconfig = GlobalPipelineConfig()\n"
    )


@pytest.mark.parametrize(
    ("host", "port"),
    [("127.0.0.1\nimport os", 5555), ('x"+y', 5555), ("127.0.0.1", 0), ("127.0.0.1", 65000)],
)
def test_hosts_and_ports_that_could_not_be_a_relay_are_refused(host, port):
    with pytest.raises(ValueError):
        route_to_relay(PIPELINE, None, host=host, port=port)
