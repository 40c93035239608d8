"""Settings of one relay: where it listens, where it spools, and every size limit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024
GIB = 1024 * MIB
# The spool's disk budget unless told otherwise (both command lines and RelayConfig read it).
DEFAULT_SPOOL_MAX_BYTES = 4 * GIB

#: Our stream protocol version, sent in ``hello`` and ``welcome``.
PROTOCOL_VERSION = 1
#: How a subscription receives images: every full-resolution plane, or 8-bit previews only.
DELIVERIES = ("full", "previews")
#: How ``fetch_plane`` may encode a plane's bytes (``plane_fetch.py``).
ENCODINGS = ("raw", "blosc")


@dataclass(frozen=True)
class RelayLimits:
    """Bounds on what the relay accepts and keeps in memory.

    Parameters
    ----------
    max_batch_json_bytes
        Largest OpenHCS batch message answered with a reply. Larger ones (up to
        ``viewer_socket_max_bytes``) get an error reply naming the size.
    viewer_socket_max_bytes
        ``ZMQ_MAXMSGSIZE`` of the viewer data socket: beyond this libzmq drops
        the sender's connection and no reply can be sent.
    max_batch_items
        Items per OpenHCS batch.
    max_image_bytes
        Pixel bytes of one image.
    max_batch_pixel_bytes
        Pixel bytes of all images of one batch.
    max_inline_elements
        Elements of an inline (JSON list) image.
    max_shapes_per_item
        Shapes (or ImageJ ROIs) in one item.
    max_ndim
        Dimensions of one image.
    max_client_message_bytes
        ``ZMQ_MAXMSGSIZE`` of the client stream socket (clients send small JSON).
    max_header_bytes
        Largest JSON header the relay sends (shapes make headers large).
    max_credit_items, max_credit_bytes
        Most outstanding credit a client may hold; more is clipped. This bounds
        what sits in ZeroMQ's queue for one client.
    max_clients
        Client sessions served at once.
    max_file_bytes
        Largest run file (a table, an ROI zip) sent in one ``file`` reply.
    """

    max_batch_json_bytes: int = 64 * MIB
    viewer_socket_max_bytes: int = 256 * MIB
    max_batch_items: int = 10_000
    max_image_bytes: int = 2 * GIB
    max_batch_pixel_bytes: int = 8 * GIB
    max_inline_elements: int = 4 * 1024 * 1024
    max_shapes_per_item: int = 100_000
    max_ndim: int = 8
    max_client_message_bytes: int = 64 * 1024
    max_header_bytes: int = 16 * MIB
    max_credit_items: int = 256
    max_credit_bytes: int = 256 * MIB
    max_clients: int = 32
    max_file_bytes: int = 256 * MIB


@dataclass(frozen=True)
class RelayConfig:
    """Everything one relay process needs.

    Parameters
    ----------
    viewer_host
        Interface of the OpenHCS-facing viewer sockets. OpenHCS workers run on
        this host, so loopback is right unless they do not.
    viewer_port
        Viewer data port (REP); control is ``viewer_port + 1000`` as OpenHCS derives it.
    stream_host, stream_port
        Where remote clients connect (ROUTER).
    spool_dir
        Directory of the on-disk spool (kept across restarts).
    spool_max_bytes
        Disk budget of the spool; the oldest segments are evicted beyond it.
    execution_control
        ZeroMQ address of the OpenHCS execution server's control socket, asked
        which execution is running; ``None`` attributes every batch to ``unattributed``.
    curve_secret_key_file
        ZeroMQ certificate file holding the relay's CURVE secret key; ``None``
        serves the stream without encryption.
    curve_client_keys_dir
        Directory of client public-key certificates allowed to connect (CURVE
        only); ``None`` accepts any client that knows the relay's public key.
    heartbeat_interval
        Seconds between heartbeats to an idle client.
    session_timeout
        Seconds of client silence after which its session is dropped.
    spool_fsync
        ``fsync`` every batch before replying (survives power loss, slower).
    """

    viewer_port: int
    stream_port: int
    spool_dir: Path
    viewer_host: str = "127.0.0.1"
    stream_host: str = "127.0.0.1"
    spool_max_bytes: int = DEFAULT_SPOOL_MAX_BYTES
    execution_control: str | None = None
    curve_secret_key_file: Path | None = None
    curve_client_keys_dir: Path | None = None
    heartbeat_interval: float = 1.0
    session_timeout: float = 30.0
    spool_fsync: bool = False
    limits: RelayLimits = RelayLimits()
