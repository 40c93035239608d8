"""The result relay: an OpenHCS viewer on the server host that forwards images to clients.

OpenHCS workers put result pixels in POSIX shared memory and tell viewers only
the block's name. The relay answers as a persistent external viewer, copies each
block into a bounded on-disk spool before it replies, and serves the spool to
remote clients over the stream protocol of ``docs/relay-stream-protocol.md``.
"""

from openhcs_remote.server.relay.config import PROTOCOL_VERSION, RelayConfig, RelayLimits

__all__ = ["PROTOCOL_VERSION", "RelayConfig", "RelayLimits"]
