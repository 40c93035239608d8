"""Run OpenHCS pipelines on a remote server and watch the results stream back inline.

>>> from openhcs_remote import RemoteOrchestrator
>>> orch = RemoteOrchestrator("gpu-server.lab", 7777)
>>> run = orch.run_remote_pipeline(plate_id="/data/plate", pipeline=steps, config=cfg)
>>> run  # a live widget; the kernel stays free

The notebook names are imported lazily, so the server side (``openhcs-remote-server``, the
relay) never imports ipywidgets.
"""

from __future__ import annotations

from typing import Any

from ._public import NOTEBOOK_NAMES
from ._version import __version__

__all__ = [*NOTEBOOK_NAMES, "__version__"]


def __getattr__(name: str) -> Any:
    if name in NOTEBOOK_NAMES:
        from . import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module 'openhcs_remote' has no attribute {name!r}")
