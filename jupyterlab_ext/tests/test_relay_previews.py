"""The relay's previews are the sidecar's, byte for byte (the same vectors pass in TypeScript)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO_ROOT
from preview_vectors import VECTOR_DIR, build, generate

from openhcs_remote.server.relay.previews import make_preview

BUILT = build()


@pytest.mark.parametrize("name", sorted(BUILT))
def test_the_vector_file_is_what_previews_py_makes(name):
    vector = json.loads((VECTOR_DIR / name).read_text())
    assert vector == json.loads(json.dumps(BUILT[name]))
    if "data_base64" in vector:
        data = base64.b64decode(vector["data_base64"])
    else:
        plane = generate(vector["shape"], vector["dtype"], vector["generator"])
        data = plane.tobytes()
    preview = make_preview(vector["shape"], vector["dtype"], data)
    if vector["expected"] is None:
        assert preview is None
    else:
        assert preview.pixels.hex() == vector["expected"]["pixels_hex"]
        assert len(preview.pixels) == preview.width * preview.height


def test_a_2048_square_uint16_plane_becomes_a_256_square_preview():
    plane = np.arange(2048 * 2048, dtype=np.uint32).reshape(2048, 2048).astype(np.uint16)
    preview = make_preview([2048, 2048], "uint16", plane.tobytes())
    assert (preview.width, preview.height, preview.source_shape) == (256, 256, (2048, 2048))
    block = plane[:8, :8].astype(np.float64).mean()
    low, high = preview.value_min, preview.value_max
    assert preview.pixels[0] == int(np.floor((block - low) / (high - low) * 255 + 0.5))


#: Previews of 512² planes between ingest-like copies, as in the relay: the planes bench's.
CHURN = REPO_ROOT / "bench" / "python" / "relay_planes_bench.py"


@pytest.mark.skipif(sys.platform != "linux", reason="the allocator settings are glibc's")
def test_the_relay_reuses_the_buffers_a_preview_frees_instead_of_faulting_them_back_in():
    # As it comes, glibc unmaps each freed MiB-sized buffer and the next preview faults it back
    # in (~1 000 page faults, 4 of its 6 ms of CPU): bench/planes.ts measures the cost. The
    # script exits non-zero if the C library refuses the settings.
    out = subprocess.run(
        [sys.executable, str(CHURN), "churn", "kept", "10"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.splitlines()
    assert json.loads(out[-1])["faults"] < 50
