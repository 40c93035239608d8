"""The shared vector files equal what the Python sender makes, and decode to their meaning."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from relay_client import RelayItem, decode_message
from relay_vectors import VECTOR_DIR, build

from openhcs_remote.server.relay.client_messages import parse_client_message
from openhcs_remote.server.relay.relay_errors import ClientMessageError

BUILT = build()


@pytest.mark.parametrize("name", sorted(BUILT))
def test_the_vector_file_is_what_the_python_sender_makes(name):
    assert json.loads((VECTOR_DIR / name).read_text()) == json.loads(json.dumps(BUILT[name]))


@pytest.mark.parametrize("name", sorted(n for n in BUILT if "frames_base64" in BUILT[n]))
def test_relay_frames_decode_to_their_stated_meaning(name):
    vector = json.loads((VECTOR_DIR / name).read_text())
    message = decode_message([base64.b64decode(f) for f in vector["frames_base64"]])
    expected = vector["expected"]
    if isinstance(message, RelayItem):
        assert message.header == expected["header"]
        if "pixels" in expected:
            np.testing.assert_array_equal(
                message.array, np.array(expected["pixels"], dtype=message.array.dtype)
            )
    elif "payload_hex" in expected:
        assert message["header"] == expected["header"]
        assert message["payload"].hex() == expected["payload_hex"]
    else:
        assert message == expected["header"]


def test_client_messages_are_judged_as_the_vectors_say():
    for case in json.loads((VECTOR_DIR / "client-messages.json").read_text())["cases"]:
        frames = [base64.b64decode(f) for f in case["frames_base64"]]
        if "error" in case["expected"]:
            with pytest.raises(ClientMessageError) as refused:
                parse_client_message(frames)
            assert refused.value.code == case["expected"]["error"]["code"]
            assert refused.value.field == case["expected"]["error"]["field"]
        else:
            assert parse_client_message(frames).type == case["expected"]["message"]["type"]


def test_the_vector_files_stay_small():
    assert sum(path.stat().st_size for path in VECTOR_DIR.glob("*.json")) < 100_000
