"""``python -m openhcs_remote.server.relay``: one relay process (started by ``serve``).

Prints one JSON line on stdout when every socket is bound, then serves until
SIGTERM or SIGINT. Human-readable logs go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from types import FrameType

from openhcs_remote.server.relay.cli_options import add_spool_and_curve_options
from openhcs_remote.server.relay.config import RelayConfig
from openhcs_remote.server.relay.relay_errors import RelayError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m openhcs_remote.server.relay")
    parser.add_argument("--viewer-host", default="127.0.0.1")
    parser.add_argument(
        "--viewer-port", type=int, required=True, help="data port; control is +1000"
    )
    parser.add_argument("--stream-host", default="127.0.0.1")
    parser.add_argument("--stream-port", type=int, required=True, help="0 picks a free port")
    add_spool_and_curve_options(parser, spool_dir_required=True, spool_dir_help="the spool")
    parser.add_argument("--spool-fsync", action="store_true")
    parser.add_argument(
        "--execution-control",
        default=None,
        help="tcp://host:port of the execution server's control socket",
    )
    parser.add_argument("--heartbeat-interval", type=float, default=1.0)
    parser.add_argument("--session-timeout", type=float, default=30.0)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one relay until signalled; return the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="relay %(levelname)s %(message)s"
    )
    from openhcs_remote.server.ports import free_endpoint_port
    from openhcs_remote.server.relay.allocator import keep_freed_buffers
    from openhcs_remote.server.relay.relay import Relay  # imports openhcs: after argument errors

    keep_freed_buffers()  # before the relay's first plane

    viewer_port = args.viewer_port or free_endpoint_port(args.viewer_host)
    config = RelayConfig(
        viewer_host=args.viewer_host,
        viewer_port=viewer_port,
        stream_host=args.stream_host,
        stream_port=args.stream_port,
        spool_dir=args.spool_dir,
        spool_max_bytes=args.spool_max_bytes,
        spool_fsync=args.spool_fsync,
        execution_control=args.execution_control,
        curve_secret_key_file=args.curve_secret_key,
        curve_client_keys_dir=args.curve_client_keys,
        heartbeat_interval=args.heartbeat_interval,
        session_timeout=args.session_timeout,
    )
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        relay = Relay(config)
        relay.start()
    except (RelayError, OSError) as error:
        print(json.dumps({"event": "relay_failed", "message": str(error)}), flush=True)
        return 1
    print(json.dumps({"event": "relay_ready", **relay.describe()}), flush=True)
    try:
        stop.wait()
    finally:
        relay.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
