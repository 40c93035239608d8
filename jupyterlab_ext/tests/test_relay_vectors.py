"""The shared vector files equal what the Python sender makes, and decode to their meaning."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from relay_client import RelayItem, decode_message
from relay_vectors import PREVIEWS_VECTOR_DIR, VECTOR_DIR, build, build_previews

from openhcs_remote.server.relay.client_messages import parse_client_message
from openhcs_remote.server.relay.relay_errors import ClientMessageError

BUILT = {
    **{(VECTOR_DIR, name): content for name, content in build().items()},
    **{(PREVIEWS_VECTOR_DIR, name): content for name, content in build_previews().items()},
}
NAMES = sorted(BUILT, key=str)


@pytest.mark.parametrize("where", NAMES, ids=lambda w: f"{w[0].name}/{w[1]}")
def test_the_vector_file_is_what_the_python_sender_makes(where):
    directory, name = where
    assert json.loads((directory / name).read_text()) == json.loads(json.dumps(BUILT[where]))


@pytest.mark.parametrize(
    "where",
    [w for w in NAMES if "frames_base64" in BUILT[w]],
    ids=lambda w: f"{w[0].name}/{w[1]}",
)
def test_relay_frames_decode_to_their_stated_meaning(where):
    directory, name = where
    vector = json.loads((directory / name).read_text())
    message = decode_message([base64.b64decode(f) for f in vector["frames_base64"]])
    expected = vector["expected"]
    if isinstance(message, RelayItem) and message.header.get("payload") == "preview":
        assert message.header == expected["header"]
        assert message.array.tobytes().hex() == expected["payload_hex"]
    elif isinstance(message, RelayItem):
        assert message.header == expected["header"]
        if "pixels" in expected:
            np.testing.assert_array_equal(
                message.array, np.array(expected["pixels"], dtype=message.array.dtype)
            )
    elif "payload_hex" in expected:
        assert message["header"] == expected["header"]
        assert message["payload"].hex() == expected["payload_hex"]
        if "pixels" in expected:  # a plane: its (decoded) values
            assert message["array"].tolist() == expected["pixels"]
    else:
        assert message == expected["header"]


@pytest.mark.parametrize("directory", [VECTOR_DIR, PREVIEWS_VECTOR_DIR], ids=lambda d: d.name)
def test_client_messages_are_judged_as_the_vectors_say(directory):
    for case in json.loads((directory / "client-messages.json").read_text())["cases"]:
        frames = [base64.b64decode(f) for f in case["frames_base64"]]
        if "error" in case["expected"]:
            with pytest.raises(ClientMessageError) as refused:
                parse_client_message(frames)
            assert refused.value.code == case["expected"]["error"]["code"]
            assert refused.value.field == case["expected"]["error"]["field"]
        else:
            assert parse_client_message(frames).type == case["expected"]["message"]["type"]


@pytest.mark.parametrize("directory", [VECTOR_DIR, PREVIEWS_VECTOR_DIR], ids=lambda d: d.name)
def test_the_vector_files_stay_small(directory):
    assert sum(path.stat().st_size for path in directory.glob("*.json")) < 100_000
