"""The notebook API's public names, in one place: ``openhcs_remote`` re-exports them lazily."""

NOTEBOOK_NAMES = (
    "BadRequestError",
    "CodeGenerationError",
    "ImageKey",
    "ImageNotFoundError",
    "IncompatibleServerError",
    "NodeNotFoundError",
    "OpenHCSRemoteError",
    "RelayEndpoint",
    "RemoteExecutionError",
    "RemoteOrchestrator",
    "RemoteRun",
    "RequestTimeoutError",
    "RunCancelledError",
    "RunLostError",
    "RunProgress",
    "ServerError",
    "ServerUnreachableError",
    "SidecarError",
    "StoredImage",
    "UnknownRunError",
)
