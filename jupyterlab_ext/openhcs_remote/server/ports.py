"""Choosing ports on this host.

OpenHCS derives each control port from its data port (+1000), so a free endpoint
means both ports are free.
"""

from __future__ import annotations

import socket
from pathlib import Path

CONTROL_PORT_OFFSET = 1000


def ipc_socket_path(port: int) -> Path:
    """Where OpenHCS's IPC mode puts the socket named by ``port`` (its OPENHCS_ZMQ_CONFIG).

    Written out rather than imported so the launcher starts without importing OpenHCS;
    tests/test_server_ipc.py checks it against the installed ``zmqruntime``.
    """
    return Path.home() / ".openhcs" / "ipc" / f"openhcs-zmq-{port}.sock"


def port_is_free(host: str, port: int) -> bool:
    """Return whether ``host:port`` can be bound right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_endpoint_port(host: str, *, avoid: set[int] | None = None) -> int:
    """Return a data port whose control port (+1000) is free too.

    Parameters
    ----------
    host
        Interface to check, e.g. ``127.0.0.1``.
    avoid
        Ports (data or control) already handed out by this process.
    """
    avoid = avoid or set()
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        if port + CONTROL_PORT_OFFSET > 65535:
            continue
        taken = {port, port + CONTROL_PORT_OFFSET} & avoid
        if not taken and port_is_free(host, port + CONTROL_PORT_OFFSET):
            return port
    raise OSError(f"no free port pair (port, port+{CONTROL_PORT_OFFSET}) on {host}")
