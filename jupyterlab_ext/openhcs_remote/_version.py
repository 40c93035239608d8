"""The package version: one source, ``package.json``, which the wheel build copies in.

``hatch-nodejs-version`` sets the distribution's version from the repository's ``package.json``
when the wheel is built; the installed metadata is then the single answer at run time.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("openhcs-remote")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0.0.0"
