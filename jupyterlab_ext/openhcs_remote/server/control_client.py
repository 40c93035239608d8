"""A minimal control-channel client for endpoints this host started itself.

OpenHCS's control channel is pickled dicts over REQ/REP. Replies are read with an
unpickler that refuses every class, so a stranger on the port cannot run code here.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import zmq


class _PlainUnpickler(pickle.Unpickler):
    """Build only plain values: any class or callable in the stream is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to build {module}.{name}")


def loads_plain(data: bytes) -> Any:
    """Unpickle ``data``, refusing any object that is not a plain value.

    Parameters
    ----------
    data
        A pickle stream, any protocol.

    Returns
    -------
    The decoded dict, list, tuple, str, bytes, int, float, bool or None.
    """
    return _PlainUnpickler(io.BytesIO(data)).load()


def control_request(
    address: str, message: dict[str, Any], *, timeout: float = 2.0
) -> dict[str, Any]:
    """Send one pickled request on a fresh REQ socket and return the reply.

    Parameters
    ----------
    address
        ZeroMQ address of the control socket, e.g. ``tcp://127.0.0.1:8777``.
    message
        The request, a dict with a ``type`` key.
    timeout
        Seconds to wait for the reply.

    Raises
    ------
    TimeoutError
        No reply within ``timeout``.
    """
    context = zmq.Context.instance()
    socket = context.socket(zmq.REQ)
    socket.setsockopt(zmq.LINGER, 0)
    socket.setsockopt(zmq.RCVTIMEO, int(timeout * 1000))
    socket.setsockopt(zmq.SNDTIMEO, int(timeout * 1000))
    try:
        socket.connect(address)
        socket.send(pickle.dumps(message, protocol=4))
        try:
            reply = loads_plain(socket.recv())
        except zmq.Again as error:
            raise TimeoutError(f"no reply from {address} within {timeout:g}s") from error
    finally:
        socket.close()
    if not isinstance(reply, dict):
        raise ValueError(f"reply from {address} is a {type(reply).__name__}, not a dict")
    return reply
