"""The root of every openhcs-remote error in Python: the shim's, the relay's and the launcher's.

Each subclass carries a stable, machine-readable ``code`` (the same codes as the TypeScript
errors), so a caller can catch ``OpenHCSRemoteError`` for anything of ours and tell them apart by
class or by code. ``tests/test_error_root.py`` fails on an error class that does not derive from it.
"""

from __future__ import annotations


class OpenHCSRemoteError(Exception):
    """Base of every openhcs-remote error; ``code`` is stable and machine-readable."""

    code = "ERR_OPENHCS_REMOTE"

    def __init__(self, message: str, *, execution_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.execution_id = execution_id
