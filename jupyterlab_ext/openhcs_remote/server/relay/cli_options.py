"""The relay's spool and CURVE options, defined once for both command lines that take them.

``openhcs-remote-server`` passes them on to the relay it starts, and that relay process
(``python -m openhcs_remote.server.relay``, started by ``serve``, not a user command) reads them:
same flags, same parsing, one default each (``config.py``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from openhcs_remote.server.relay.config import DEFAULT_SPOOL_MAX_BYTES

_UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def byte_size(text: str) -> int:
    """Parse ``4G``, ``512M``, ``100K`` or a plain byte count."""
    text = text.strip().upper().removesuffix("B")
    try:
        if text and text[-1] in _UNITS:
            return int(float(text[:-1]) * _UNITS[text[-1]])
        return int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}") from error


def format_size(nbytes: int) -> str:
    """``4294967296`` → ``"4G"``: the form :func:`byte_size` reads."""
    for unit, size in sorted(_UNITS.items(), key=lambda item: -item[1]):
        if nbytes % size == 0:
            return f"{nbytes // size}{unit}"
    return str(nbytes)


def add_spool_and_curve_options(
    group: argparse._ActionsContainer, *, spool_dir_required: bool, spool_dir_help: str
) -> None:
    """Add ``--spool-dir``, ``--spool-max-bytes`` and the two CURVE options to ``group``."""
    group.add_argument(
        "--spool-dir",
        type=Path,
        required=spool_dir_required,
        default=None,
        help=spool_dir_help,
    )
    group.add_argument(
        "--spool-max-bytes",
        type=byte_size,
        default=DEFAULT_SPOOL_MAX_BYTES,
        help="disk budget of the spool, e.g. 512M "
        f"(default: {format_size(DEFAULT_SPOOL_MAX_BYTES)})",
    )
    group.add_argument(
        "--curve-secret-key",
        type=Path,
        default=None,
        help="serve the relay stream with ZeroMQ CURVE, using this .key_secret file",
    )
    group.add_argument(
        "--curve-client-keys",
        type=Path,
        default=None,
        help="with CURVE, accept only clients whose .key files are in this directory",
    )
