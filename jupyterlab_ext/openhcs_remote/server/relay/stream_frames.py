"""Our relay → client stream format: JSON headers, raw pixel frames.

Every message is multipart: frame 0 is a UTF-8 JSON object (no NaN or
Infinity), and an ``item`` of kind ``image`` adds one frame of raw pixels,
little-endian, C order. ``docs/relay-stream-protocol.md`` is the specification;
``test/vectors/relay-stream/`` holds frames encoded here, decoded in TypeScript.
"""

from __future__ import annotations

import json
import time
from typing import Any

from openhcs_remote.server.relay.batch import IncomingItem
from openhcs_remote.server.relay.config import (
    DELIVERIES,
    ENCODINGS,
    PROTOCOL_VERSION,
    RelayLimits,
)


def encode_json(message: dict[str, Any]) -> bytes:
    """Encode a header: compact UTF-8 JSON; NaN and Infinity are refused."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def item_header(
    item: IncomingItem,
    *,
    execution_id: str,
    seq: int,
    component_names: dict[str, dict[str, str]],
    received_at: float | None = None,
) -> dict[str, Any]:
    """Build the header of one ``item`` message (as stored and as forwarded)."""
    header: dict[str, Any] = {
        "type": "item",
        "execution_id": execution_id,
        "seq": seq,
        "kind": item.kind,
        "data_type": item.data_type,
        "image_id": item.image_id,
        "path": item.path,
        "components": item.components,
        "component_names": {
            component: component_names[component][str(value)]
            for component, value in item.components.items()
            if str(value) in component_names.get(component, {})
        },
        "producer": item.producer,
        "received_at": time.time() if received_at is None else received_at,
    }
    if item.kind == "image":
        assert item.dtype is not None
        header.update(
            shape=list(item.shape),
            dtype=item.dtype.name,
            nbytes=item.nbytes,
            order="C",
            byte_order="little",
        )
        header.update(item.extra)
    else:
        header.update(shapes=item.shapes, shape_source=item.shape_source)
    return header


def welcome(
    *,
    incarnation: str,
    spool_id: str,
    runs: list[dict[str, Any]],
    limits: RelayLimits,
    heartbeat_interval: float,
    session_timeout: float,
    relay_version: str,
    viewer_port: int,
    nonce: Any = None,
) -> dict[str, Any]:
    """Build the ``welcome`` reply to ``hello``."""
    return {
        "type": "welcome",
        "protocol": PROTOCOL_VERSION,
        "incarnation": incarnation,
        "spool_id": spool_id,
        "relay_version": relay_version,
        # Where OpenHCS workers reach this relay on the server host: a client routes runs there.
        "viewer_port": viewer_port,
        "limits": {
            "max_header_bytes": limits.max_header_bytes,
            "max_payload_bytes": limits.max_image_bytes,
            "max_client_message_bytes": limits.max_client_message_bytes,
            "max_credit_items": limits.max_credit_items,
            "max_credit_bytes": limits.max_credit_bytes,
            "heartbeat_interval_ms": round(heartbeat_interval * 1000),
            "session_timeout_ms": round(session_timeout * 1000),
            "max_file_bytes": limits.max_file_bytes,
        },
        "runs": runs,
        "deliveries": list(DELIVERIES),
        "encodings": list(ENCODINGS),
        "nonce": nonce,
    }


def gap(execution_id: str, from_seq: int, to_seq: int, reason: str) -> dict[str, Any]:
    """Build ``gap``: items ``from_seq..to_seq`` (inclusive) are ``evicted`` or ``lost``."""
    return {
        "type": "gap",
        "execution_id": execution_id,
        "from_seq": from_seq,
        "to_seq": to_seq,
        "reason": reason,
    }


def end(execution_id: str, last_seq: int, status: str) -> dict[str, Any]:
    """Build ``end``: every seq up to ``last_seq`` was sent as an item or a gap."""
    return {"type": "end", "execution_id": execution_id, "last_seq": last_seq, "status": status}


def run_started(execution_id: str) -> dict[str, Any]:
    """Build the ``run_started`` notice (sent to every session)."""
    return {"type": "run_started", "execution_id": execution_id}


def heartbeat(incarnation: str) -> dict[str, Any]:
    """Build a ``heartbeat`` for a session that heard nothing for an interval."""
    return {"type": "heartbeat", "incarnation": incarnation, "time": time.time()}


def pong(nonce: Any) -> dict[str, Any]:
    """Build the ``pong`` reply to ``ping``."""
    return {"type": "pong", "nonce": nonce}


def error(
    code: str, message: str, field: str | None = None, request_id: int | None = None
) -> dict[str, Any]:
    """Build an ``error`` reply to a refused client message (with its ``request_id``, if any)."""
    reply: dict[str, Any] = {"type": "error", "code": code, "message": message, "field": field}
    if request_id is not None:
        reply["request_id"] = request_id
    return reply


def files(execution_id: str, request_id: int, listing: dict[str, Any]) -> dict[str, Any]:
    """Build ``files``: the reply to ``list_files`` (``root``, ``files``, ``truncated``)."""
    return {"type": "files", "execution_id": execution_id, "request_id": request_id, **listing}


def file(execution_id: str, request_id: int, described: dict[str, Any]) -> dict[str, Any]:
    """Build the header of ``file``, the reply to ``fetch_file``; the bytes are frame 1."""
    return {"type": "file", "execution_id": execution_id, "request_id": request_id, **described}


def preview_item(header: dict[str, Any], preview: dict[str, Any] | None) -> dict[str, Any]:
    """Build the header of an image ``item`` in ``previews`` delivery (§4.2).

    ``header`` is the stored item header (``nbytes`` stays the full-resolution size); the one
    payload frame is then the preview's ``width × height`` bytes (Blosc-encoded when its
    ``encoding`` says ``"blosc"``), or absent when ``preview`` is None (no 2-D plane).
    """
    return {**header, "payload": "preview", "preview": preview}


def plane(
    execution_id: str, request_id: int, seq: int, described: dict[str, Any]
) -> dict[str, Any]:
    """Build the header of ``plane``, the reply to ``fetch_plane``; the bytes are frame 1.

    ``described`` holds ``shape``, ``dtype``, ``nbytes``, ``encoding``, ``encoded_bytes`` and
    ``source`` (``plane_fetch.py``).
    """
    return {
        "type": "plane",
        "execution_id": execution_id,
        "request_id": request_id,
        "seq": seq,
        **described,
    }
