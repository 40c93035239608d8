"""Optional ZeroMQ CURVE on the client stream socket.

The relay's key pair lives in a ZeroMQ certificate file (as written by
``zmq.auth.create_certificates`` or ``openhcs-remote-server curve-keygen``).
Clients need the relay's *public* key: it is printed in the ``ready`` event and
in the ``.key`` file next to the secret one. Without an allowlist any client
that knows the public key may connect (the stream is encrypted and the relay
authenticated); with ``curve_client_keys_dir`` only the listed clients may.
"""

from __future__ import annotations

from pathlib import Path

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator

from openhcs_remote.server.relay.config import RelayConfig
from openhcs_remote.server.relay.relay_errors import RelayError


class CurveKeyError(RelayError):
    """A CURVE key file is missing or holds no secret key."""

    code = "ERR_CURVE_KEY"


def load_server_keys(path: Path) -> tuple[bytes, bytes]:
    """Return ``(public, secret)`` Z85 keys from a certificate file.

    Raises
    ------
    CurveKeyError
        The file is missing, unreadable, or has no secret key.
    """
    try:
        public, secret = zmq.auth.load_certificate(str(path))
    except (OSError, ValueError) as error:
        raise CurveKeyError(f"cannot read CURVE certificate {path}: {error}") from error
    if not secret:
        raise CurveKeyError(f"{path} holds no secret key (use the .key_secret file)")
    return public, secret


def apply_curve(
    socket: zmq.Socket, context: zmq.Context, config: RelayConfig
) -> ThreadAuthenticator | None:
    """Make ``socket`` a CURVE server if configured; return the authenticator to stop later."""
    if config.curve_secret_key_file is None:
        return None
    public, secret = load_server_keys(config.curve_secret_key_file)
    authenticator = None
    if config.curve_client_keys_dir is not None:
        authenticator = ThreadAuthenticator(context)
        authenticator.start()
        authenticator.configure_curve(domain="*", location=str(config.curve_client_keys_dir))
    socket.curve_secretkey = secret
    socket.curve_publickey = public
    socket.curve_server = True
    return authenticator


def create_key_pair(directory: Path, name: str = "relay") -> tuple[Path, Path]:
    """Write ``<name>.key`` (public) and ``<name>.key_secret`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    public_file, secret_file = zmq.auth.create_certificates(str(directory), name)
    Path(secret_file).chmod(0o600)
    return Path(public_file), Path(secret_file)
