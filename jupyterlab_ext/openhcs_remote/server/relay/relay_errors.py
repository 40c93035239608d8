"""Errors of the result relay, each with a stable ``code``.

Two audiences read them: OpenHCS workers (the message of an error reply on the
viewer data socket) and remote clients (``error`` messages on the stream). Both
see the code first, then what was wrong and where.
"""

from __future__ import annotations

from openhcs_remote.errors import OpenHCSRemoteError


class RelayError(OpenHCSRemoteError):
    """Base of every relay failure.

    Parameters
    ----------
    message
        What went wrong, naming host, port, field or execution id.
    field
        Dotted path of the offending message field, when one is to blame.
    """

    code = "ERR_RELAY"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        text = super().__str__()
        where = f" (field {self.field!r})" if self.field else ""
        return f"[{self.code}] {text}{where}"


class BatchRejectedError(RelayError):
    """An OpenHCS batch message is malformed; nothing from it was stored."""

    code = "ERR_BATCH_INVALID"


class BatchTooLargeError(BatchRejectedError):
    """A batch exceeds a configured size limit (bytes, items, pixels)."""

    code = "ERR_BATCH_TOO_LARGE"


class SharedMemoryBlockError(BatchRejectedError):
    """A named shared-memory block is missing or does not fit its shape and dtype."""

    code = "ERR_SHM_BLOCK"


class ControlRequestError(RelayError):
    """A control request could not be decoded or is not supported."""

    code = "ERR_CONTROL"


class ClientMessageError(RelayError):
    """A message from a stream client is malformed."""

    code = "ERR_FIELD"


class ClientProtocolError(ClientMessageError):
    """A stream client message is not a JSON object with a known ``type``."""

    code = "ERR_PROTOCOL"


class NoSessionError(ClientMessageError):
    """A stream client sent a message before ``hello`` (or after a relay restart)."""

    code = "ERR_NO_SESSION"


class TooManyClientsError(ClientMessageError):
    """The relay already serves its maximum number of client sessions."""

    code = "ERR_TOO_MANY_CLIENTS"


class RunFilesUnknownError(ClientMessageError):
    """The relay does not know where the run wrote its files (yet), or that place is gone."""

    code = "ERR_RUN_FILES_UNKNOWN"


class FilePathError(ClientMessageError):
    """A requested path is absolute, leaves the run's directory, or passes a symlink."""

    code = "ERR_FILE_PATH"


class FileNotFoundInRunError(ClientMessageError):
    """The run's directory has no such file."""

    code = "ERR_FILE_NOT_FOUND"


class NotTheRunsFileError(ClientMessageError):
    """The file is in the run's directory but another run wrote it."""

    code = "ERR_FILE_NOT_THE_RUNS"


class FileTooLargeError(ClientMessageError):
    """The file is larger than the relay serves (``RelayLimits.max_file_bytes``)."""

    code = "ERR_FILE_TOO_LARGE"


class SpoolError(RelayError):
    """The on-disk spool is unusable (wrong format, unreadable directory)."""

    code = "ERR_SPOOL"


class PlaneUnknownError(ClientMessageError):
    """``fetch_plane`` names no run the relay has, a seq it never numbered, or no image."""

    code = "ERR_PLANE_UNKNOWN"


class PlaneGoneError(ClientMessageError):
    """The spool evicted the plane and OpenHCS's own file for it is missing or does not match."""

    code = "ERR_PLANE_GONE"


class PlaneTooLargeError(ClientMessageError):
    """The plane is larger than one payload frame may be (``limits.max_payload_bytes``)."""

    code = "ERR_PLANE_TOO_LARGE"
