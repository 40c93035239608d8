"""Validate messages that stream clients send to the relay.

Clients send one JSON frame per message (a DEALER socket adds nothing else).
Every field is checked; errors name the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from openhcs_remote.server.relay.config import DELIVERIES, ENCODINGS, PROTOCOL_VERSION
from openhcs_remote.server.relay.relay_errors import ClientMessageError, ClientProtocolError
from openhcs_remote.server.relay.wire_checks import (
    require_int,
    require_json,
    require_mapping,
    require_str,
)

_E = ClientMessageError
MAX_SEQ = 2**53 - 1  # the largest integer JavaScript represents exactly
MAX_CREDIT = 2**53 - 1


@dataclass(frozen=True)
class ClientMessage:
    """One validated client message: its ``type`` and its checked fields."""

    type: str
    fields: dict[str, Any]


def parse_client_message(frames: list[bytes]) -> ClientMessage:
    """Decode and validate one client message (the frames after the routing id).

    Raises
    ------
    ClientProtocolError
        Not a single JSON object with a known ``type``.
    ClientMessageError
        A field is missing or out of range; ``field`` names it.
    """
    if len(frames) != 1:
        raise ClientProtocolError(f"expected 1 frame, got {len(frames)}")
    try:
        body = json.loads(frames[0])
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ClientProtocolError(f"not UTF-8 JSON: {error}") from error
    message = require_mapping(body, "message", ClientProtocolError, max_keys=16)
    kind = message.get("type")
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        raise ClientProtocolError(f"unknown message type {kind!r}", field="type")
    return ClientMessage(kind, parser(message))


def _hello(message: dict[str, Any]) -> dict[str, Any]:
    version = require_int(message.get("protocol"), "protocol", _E, low=0, high=1 << 31)
    if version != PROTOCOL_VERSION:
        raise ClientMessageError(
            f"protocol {version} is not supported; this relay speaks {PROTOCOL_VERSION}",
            field="protocol",
        )
    name = message.get("client_name", "")
    return {
        "client_name": require_str(name, "client_name", _E, max_len=200),
        "nonce": require_json(message.get("nonce"), "nonce", _E, depth=0),
    }


def _execution_id(message: dict[str, Any]) -> str:
    return require_str(message.get("execution_id"), "execution_id", _E, max_len=200, min_len=1)


def _one_of(message: dict[str, Any], name: str, choices: tuple[str, ...]) -> str:
    value = message.get(name, choices[0])
    if not isinstance(value, str) or value not in choices:
        raise ClientMessageError(f"{name} must be one of {', '.join(choices)}", field=name)
    return value


def _subscribe(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "execution_id": _execution_id(message),
        "from_seq": require_int(message.get("from_seq", 1), "from_seq", _E, low=1, high=MAX_SEQ),
        "delivery": _one_of(message, "delivery", DELIVERIES),
        "preview_encoding": _one_of(message, "preview_encoding", ENCODINGS),
    }


def _unsubscribe(message: dict[str, Any]) -> dict[str, Any]:
    return {"execution_id": _execution_id(message)}


def _credit(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "items": require_int(message.get("items", 0), "items", _E, low=0, high=MAX_CREDIT),
        "bytes": require_int(message.get("bytes", 0), "bytes", _E, low=0, high=MAX_CREDIT),
    }


def _ping(message: dict[str, Any]) -> dict[str, Any]:
    return {"nonce": require_json(message.get("nonce"), "nonce", _E, depth=1)}


def _bye(message: dict[str, Any]) -> dict[str, Any]:
    return {}


def _request_id(message: dict[str, Any]) -> int:
    return require_int(message.get("request_id"), "request_id", _E, low=0, high=MAX_SEQ)


def _list_files(message: dict[str, Any]) -> dict[str, Any]:
    under = message.get("under")
    return {
        "execution_id": _execution_id(message),
        "request_id": _request_id(message),
        "under": None if under is None else require_str(under, "under", _E, max_len=1000),
    }


def _fetch_file(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "execution_id": _execution_id(message),
        "request_id": _request_id(message),
        "path": require_str(message.get("path"), "path", _E, max_len=1000, min_len=1),
    }


def _fetch_plane(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "execution_id": _execution_id(message),
        "request_id": _request_id(message),
        "seq": require_int(message.get("seq"), "seq", _E, low=1, high=MAX_SEQ),
        "encoding": _one_of(message, "encoding", ENCODINGS),
    }


def request_id_of(frames: list[bytes]) -> int | None:
    """Return a refused message's ``request_id``, when usable (for the error reply)."""
    try:
        body = json.loads(frames[0]) if len(frames) == 1 else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    value = body.get("request_id") if isinstance(body, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SEQ:
        return value
    return None


_PARSERS = {
    "hello": _hello,
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
    "credit": _credit,
    "ping": _ping,
    "bye": _bye,
    "list_files": _list_files,
    "fetch_file": _fetch_file,
    "fetch_plane": _fetch_plane,
}
