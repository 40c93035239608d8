"""A batch's images are numbered plane by plane: a well's thumbnail plane crosses first."""

from __future__ import annotations

import json

import numpy as np
from fake_producer import batch, blocks, item, send_raw
from relay_client import RelayClient, RelayItem

from openhcs_remote.server.relay.batch import IncomingItem
from openhcs_remote.server.relay.plane_order import plane_order


def _incoming(index: int, kind: str = "image", step: str = "fake", **components) -> IncomingItem:
    return IncomingItem(
        index=index,
        kind=kind,
        data_type=kind,
        path=f"/out/{index}.tif",
        image_id=str(index),
        components={"well": "A01", "site": 1, "channel": 1, **components},
        producer={"step_name": step},
    )


def test_a_relay_numbers_a_channel_by_channel_batch_site_by_site_and_keeps_every_pixel(
    standalone_relay,
):
    # OpenHCS's order: channel 1 of sites 1-3, then channel 2 of sites 1-3.
    sent = [(channel, site) for channel in (1, 2) for site in (1, 2, 3)]
    rng = np.random.default_rng(7)
    arrays = [rng.integers(0, 65535, (64, 64), dtype=np.uint16) for _ in sent]
    port = standalone_relay.description["viewer_port"]
    with blocks(arrays) as names:
        items = [
            item(name, array, site=site, channel=channel)
            for name, array, (channel, site) in zip(names, arrays, sent, strict=True)
        ]
        assert send_raw(port, json.dumps(batch(items)).encode())["status"] == "success"
    address = f"tcp://127.0.0.1:{standalone_relay.description['stream_port']}"
    received: list[RelayItem] = []
    with RelayClient(address) as client:
        client.subscribe("unattributed")
        while len(received) < len(sent):
            event = client.receive(20)
            assert event is not None, f"only {len(received)} items arrived"
            if isinstance(event, RelayItem):
                received.append(event)
    assert [event.seq for event in received] == list(range(1, 7))
    order = [(event.components["site"], event.components["channel"]) for event in received]
    assert order == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2)]
    for event in received:
        original = arrays[sent.index((event.components["channel"], event.components["site"]))]
        assert event.array is not None and np.array_equal(event.array, original)


def test_plane_order_keeps_steps_and_wells_apart_and_shapes_in_their_places():
    items = [
        _incoming(0, site=2, channel=1),
        _incoming(1, kind="shapes", site=2),
        _incoming(2, site=1, channel=1),
        _incoming(3, site=1, channel=2, step="later"),
        _incoming(4, site=2, channel=2),
        _incoming(5, site=1, channel=2),
        _incoming(6, well="B01", site=1, channel=1),
        _incoming(7, site=1, channel=1, step="later"),
    ]
    ordered = [entry.index for entry in plane_order(items)]
    # A01's first step (site 1 then 2; channels as sent), the shapes item where it was, then
    # the later step of A01 (its site 1's channels as sent), then B01: groups by first
    # appearance, never interleaved.
    assert ordered == [2, 1, 5, 0, 4, 3, 7, 6]


def test_plane_order_sorts_numbers_given_as_text_by_value_and_missing_ones_first():
    items = [
        _incoming(0, site="10"),
        _incoming(1, site="9"),
        _incoming(2, site=None),
        _incoming(3, site="b"),
        _incoming(4, site="a"),
    ]
    assert [entry.index for entry in plane_order(items)] == [2, 1, 0, 4, 3]
