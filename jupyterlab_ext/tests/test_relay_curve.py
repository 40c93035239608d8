"""With CURVE on, a client that knows the relay's public key is served; others are not."""

from __future__ import annotations

import pytest
from relay_client import RelayClient

from openhcs_remote.server.relay.curve import create_key_pair
from openhcs_remote.server.relay.process import RelayLaunch, RelayProcess


def test_only_clients_that_know_the_public_key_get_a_welcome(tmp_path):
    _public, secret = create_key_pair(tmp_path / "keys")
    relay = RelayProcess(
        RelayLaunch(
            viewer_port=0, stream_port=0, spool_dir=tmp_path / "spool", curve_secret_key=secret
        ),
        log_path=tmp_path / "relay.log",
    )
    description = relay.start()
    try:
        address = f"tcp://127.0.0.1:{description['stream_port']}"
        with RelayClient(address, curve_server_key=description["curve_public_key"]) as client:
            assert client.welcome["incarnation"] == description["incarnation"]
        plain = RelayClient(address)
        with pytest.raises(TimeoutError):
            plain.connect(timeout=2)
        plain._socket.close(linger=0)
    finally:
        relay.stop()
