"""Baseline for ``npm run bench -- control``: OpenHCS's own Python client, timed call by call.

Reads one command per line on stdin (``ping`` or ``submit``) and answers each with one JSON
line: the call's wall time in milliseconds, measured here around OpenHCS's own client calls, so
the TypeScript side can interleave its calls with ours under the same server load.
"""

from __future__ import annotations

import json
import sys
import time

from openhcs.runtime.zmq_execution_client import ZMQExecutionClient
from zmqruntime.config import TransportMode

SUBMIT_REQUEST = {
    "type": "execute",
    "plate_id": sys.argv[3] if len(sys.argv) > 3 else "/nonexistent-plate",
    "pipeline_code": "pipeline_steps = []\n",
    "config_code": "config = None\n",
}


def main() -> None:
    """Serve timing requests until stdin closes."""
    host, port = sys.argv[1], int(sys.argv[2])
    client = ZMQExecutionClient(port=port, host=host, transport_mode=TransportMode.TCP)
    client.connect(timeout=30)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = line.strip()
        started = time.perf_counter()
        if command == "ping":
            ok = client.get_server_info_snapshot().ready
        elif command == "submit":
            # The request submit_pipeline sends once its code is rendered, through the same call.
            reply = client._send_control_request(dict(SUBMIT_REQUEST), timeout_ms=30000)
            ok = reply.get("status") == "accepted"
        else:
            break
        elapsed_ms = (time.perf_counter() - started) * 1000
        print(json.dumps({"ms": elapsed_ms, "ok": bool(ok)}), flush=True)


if __name__ == "__main__":
    main()
