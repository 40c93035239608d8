"""Print when the relay received each item of some runs: its ``received_at`` stamps, as JSON.

Usage: ``relay_received_at.py tcp://127.0.0.1:5600 EXECUTION_ID [EXECUTION_ID ...]``

The relay stamps ``received_at`` (the relay host's ``time.time()``, seconds) into an item's
header when OpenHCS hands it the batch, and keeps the header in its spool; replaying a finished
run from seq 1 gives the original stamps. Output: ``{execution_id: {seq: received_at}}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# The Python relay client is a test tool (the product's client is the TypeScript one).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "jupyterlab_ext" / "tests"))
from relay_client import RelayClient, RelayItem


def main() -> None:
    """Read every listed run from the relay's spool and print the stamps."""
    address, *executions = sys.argv[1:]
    stamps: dict[str, dict[int, float]] = {}
    with RelayClient(address) as client:
        for execution_id in executions:
            client.subscribe(execution_id, from_seq=1)
            run = stamps.setdefault(execution_id, {})
            for event in client.events(execution_id, timeout=30):
                if isinstance(event, RelayItem) and "received_at" in event.header:
                    run[event.seq] = float(event.header["received_at"])
    json.dump(stamps, sys.stdout)


if __name__ == "__main__":
    main()
