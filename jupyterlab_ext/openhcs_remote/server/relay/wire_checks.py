"""Small field checks shared by the batch and client-message validators.

Each check names the dotted field path in its error, so a reply says exactly
which value was wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from openhcs_remote.server.relay.relay_errors import RelayError

Scalar = str | int | float | bool | None


def require_mapping(
    value: Any, field: str, error: type[RelayError], *, max_keys: int = 256
) -> Mapping[str, Any]:
    """Return ``value`` if it is a JSON object with string keys, at most ``max_keys``."""
    if not isinstance(value, Mapping):
        raise error(f"must be an object, not {type(value).__name__}", field=field)
    if len(value) > max_keys:
        raise error(f"has {len(value)} keys, more than {max_keys}", field=field)
    for key in value:
        if not isinstance(key, str):
            raise error(f"has a non-string key {key!r}", field=field)
    return value


def require_list(value: Any, field: str, error: type[RelayError], *, max_len: int) -> list[Any]:
    """Return ``value`` if it is a JSON array of at most ``max_len`` entries."""
    if not isinstance(value, list):
        raise error(f"must be an array, not {type(value).__name__}", field=field)
    if len(value) > max_len:
        raise error(f"has {len(value)} entries, more than {max_len}", field=field)
    return value


def require_str(
    value: Any, field: str, error: type[RelayError], *, max_len: int = 4096, min_len: int = 0
) -> str:
    """Return ``value`` if it is a string of bounded length."""
    if not isinstance(value, str):
        raise error(f"must be a string, not {type(value).__name__}", field=field)
    if not min_len <= len(value) <= max_len:
        raise error(f"length {len(value)} is outside {min_len}..{max_len}", field=field)
    return value


def require_int(value: Any, field: str, error: type[RelayError], *, low: int, high: int) -> int:
    """Return ``value`` if it is an integer (not a bool) within ``low..high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(f"must be an integer, not {type(value).__name__}", field=field)
    if not low <= value <= high:
        raise error(f"{value} is outside {low}..{high}", field=field)
    return value


def require_scalar(value: Any, field: str, error: type[RelayError]) -> Scalar:
    """Return a JSON scalar; floats must be finite (JavaScript cannot parse NaN)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise error(f"non-finite number {value!r}", field=field)
        return value
    if isinstance(value, str):
        return require_str(value, field, error, max_len=1024)
    raise error(f"must be a string, number, bool or null, not {type(value).__name__}", field=field)


def scalar_mapping(
    value: Any, field: str, error: type[RelayError], *, max_keys: int = 64
) -> dict[str, Scalar]:
    """Return a flat ``{str: scalar}`` object, validated entry by entry."""
    mapping = require_mapping(value, field, error, max_keys=max_keys)
    return {
        require_str(key, field, error, max_len=200): require_scalar(item, f"{field}.{key}", error)
        for key, item in mapping.items()
    }


def require_json(value: Any, field: str, error: type[RelayError], *, depth: int = 8) -> Any:
    """Return ``value`` if it is plain JSON (finite numbers) nested at most ``depth`` deep."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return require_scalar(value, field, error)
    if depth <= 0:
        raise error("is nested too deeply", field=field)
    if isinstance(value, list):
        return [
            require_json(item, f"{field}[{index}]", error, depth=depth - 1)
            for index, item in enumerate(require_list(value, field, error, max_len=100_000))
        ]
    mapping = require_mapping(value, field, error, max_keys=1024)
    return {
        key: require_json(item, f"{field}.{key}", error, depth=depth - 1)
        for key, item in mapping.items()
    }
