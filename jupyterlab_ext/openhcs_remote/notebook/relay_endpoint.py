"""Where a run's result images come from: the relay's stream endpoint, from a user's shorthand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_RELAY_PORT = 5600
_CURVE_KEY_CHARS = 40  # a Z85 CURVE public key


@dataclass(frozen=True)
class RelayEndpoint:
    """The relay's stream socket (docs/relay-stream-protocol.md §1) and its CURVE key."""

    host: str
    port: int
    curve_public_key: str | None = None

    @property
    def address(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"

    def wire(self) -> dict[str, Any]:
        """Spell the endpoint as the sidecar protocol does."""
        return {"host": self.host, "port": self.port, "curve_public_key": self.curve_public_key}


def relay_endpoint(value: Any, server_host: str) -> RelayEndpoint | None:
    """Read the ``relay=`` option of :class:`RemoteOrchestrator`.

    ``None`` → the relay next to the server (``server_host:5600``); ``False`` → no relay;
    a port; ``"host:port"``; ``(host, port)``; a dict with ``host``, ``port`` and optionally
    ``curve_public_key``; or a :class:`RelayEndpoint`.

    Raises
    ------
    ValueError
        A port out of range, a malformed address, or a CURVE key that is not 40 Z85 characters.
    """
    if value is False:
        return None
    if value is None:
        endpoint = RelayEndpoint(server_host, DEFAULT_RELAY_PORT)
    elif isinstance(value, RelayEndpoint):
        endpoint = value
    elif isinstance(value, int) and not isinstance(value, bool):
        endpoint = RelayEndpoint(server_host, value)
    elif isinstance(value, str):
        host, sep, port = value.rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError(f"relay must be 'host:port', got {value!r}")
        endpoint = RelayEndpoint(host or server_host, int(port))
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        endpoint = RelayEndpoint(str(value[0]), int(value[1]))
    elif isinstance(value, dict):
        endpoint = RelayEndpoint(
            str(value.get("host") or server_host),
            int(value.get("port", DEFAULT_RELAY_PORT)),
            value.get("curve_public_key"),
        )
    else:
        raise ValueError(f"relay: cannot read {type(value).__name__} {value!r}")
    if not 1 <= endpoint.port <= 65535:
        raise ValueError(f"relay port {endpoint.port} is out of range")
    key = endpoint.curve_public_key
    if key is not None and len(key) != _CURVE_KEY_CHARS:
        raise ValueError(f"relay curve_public_key must be {_CURVE_KEY_CHARS} Z85 characters")
    return endpoint
