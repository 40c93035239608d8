"""The notebook API: submit runs, watch them in a widget, read their images.

Internals live in ``_private``-style modules of this package; the public names are re-exported
from :mod:`openhcs_remote`.
"""

from .._public import NOTEBOOK_NAMES
from .images import ImageKey, StoredImage
from .orchestrator import RemoteOrchestrator
from .relay_endpoint import RelayEndpoint
from .run import RemoteRun
from .run_state import RunProgress
from .shim_errors import (
    BadRequestError,
    CodeGenerationError,
    ImageNotFoundError,
    IncompatibleServerError,
    NodeNotFoundError,
    OpenHCSRemoteError,
    RemoteExecutionError,
    RequestTimeoutError,
    RunCancelledError,
    RunLostError,
    ServerError,
    ServerUnreachableError,
    SidecarError,
    UnknownRunError,
)

__all__ = list(NOTEBOOK_NAMES)
