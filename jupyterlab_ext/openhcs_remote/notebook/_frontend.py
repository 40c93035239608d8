"""Name and version of the browser module that renders the run widget (one place each).

The labextension is the npm package ``openhcs-remote``; its version is the Python package's,
both taken from ``package.json`` (a test checks they agree).
"""

from __future__ import annotations

from .._version import __version__

MODULE_NAME = "openhcs-remote"
MODULE_VERSION = f"^{__version__}"
