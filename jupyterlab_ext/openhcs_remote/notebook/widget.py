"""The run widget's kernel side: an ipywidgets model with the traits of docs/widget-protocol.md.

Two classes share the traits. :class:`OhrRunWidget` is rendered by the ``openhcs-remote``
labextension (JupyterLab, Notebook 7). :class:`OhrRunAnyWidget` carries the same front end as
its ``_esm`` for hosts that load anywidget but not our labextension (VS Code, Colab); it is
picked automatically there, or with ``OPENHCS_REMOTE_WIDGET=anywidget``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets
from traitlets import Dict, HasTraits, Int, List, Unicode

from ._frontend import MODULE_NAME, MODULE_VERSION

log = logging.getLogger("openhcs_remote.widget")

CommandHandler = Callable[[str, dict[str, Any], Callable[..., None]], None]

# The anywidget front end: shipped in the wheel, or built in a clone (scripts/build-widget.mjs).
BUNDLE_DIRS = (
    Path(__file__).resolve().parent.parent / "static",
    Path(__file__).resolve().parents[3] / "lib" / "widget-bundle",
)
BUNDLE_NAME = "openhcs-remote-widget"


class _RunTraits(HasTraits):
    """The synced state; all read-only for the browser except ``selected_well`` and ``view``."""

    execution_id = Unicode("").tag(sync=True)
    server = Unicode("").tag(sync=True)
    status = Unicode("connecting").tag(sync=True)
    progress = Dict().tag(sync=True)
    wells = Dict().tag(sync=True)
    plate_layout = Dict(allow_none=True, default_value=None).tag(sync=True)
    channels = List().tag(sync=True)
    axes = Dict().tag(sync=True)
    images_received = Int(0).tag(sync=True)
    gaps = List().tag(sync=True)
    error = Dict(allow_none=True, default_value=None).tag(sync=True)
    relay_link = Dict(allow_none=True, default_value=None).tag(sync=True)
    rerun = Dict(allow_none=True, default_value=None).tag(sync=True)
    selected_well = Unicode("").tag(sync=True)
    view = Dict({"site": None, "z": None, "timepoint": None, "step": None}).tag(sync=True)

    def attach_commands(self, handler: CommandHandler) -> None:
        """Answer the browser's ``ohr-command`` messages with ``handler(name, args, reply)``."""

        def on_msg(_widget: Any, content: Any, buffers: list[Any]) -> None:
            if not isinstance(content, dict) or content.get("kind") != "ohr-command":
                return
            command_id = str(content.get("id", ""))[:128]
            name = str(content.get("name", ""))
            args = content.get("args") if isinstance(content.get("args"), dict) else {}

            def reply(
                result: dict[str, Any] | None = None,
                *,
                error: dict[str, Any] | None = None,
                buffers: list[bytes] | None = None,
            ) -> None:
                message: dict[str, Any] = {
                    "kind": "ohr-reply",
                    "id": command_id,
                    "ok": error is None,
                }
                message.update({"error": error} if error is not None else {"result": result or {}})
                self.send(message, buffers or [])  # type: ignore[attr-defined]

            try:
                handler(name, args, reply)
            except Exception as error:
                log.exception("command %s failed", name)
                reply(error={"code": getattr(error, "code", "ERR_COMMAND"), "message": str(error)})

        self.on_msg(on_msg)  # type: ignore[attr-defined]


class OhrRunWidget(_RunTraits, ipywidgets.DOMWidget):
    """The run widget, rendered by the ``openhcs-remote`` labextension."""

    _model_name = Unicode("OhrRunModel").tag(sync=True)
    _view_name = Unicode("OhrRunView").tag(sync=True)
    _model_module = Unicode(MODULE_NAME).tag(sync=True)
    _view_module = Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    _view_module_version = Unicode(MODULE_VERSION).tag(sync=True)


def _load_bundle() -> tuple[str, str] | None:
    """Read the bundled module and its styles (anywidget's ``_esm`` and ``_css``)."""
    for directory in BUNDLE_DIRS:
        esm = directory / f"{BUNDLE_NAME}.js"
        if esm.is_file():
            css = directory / f"{BUNDLE_NAME}.css"
            styles = css.read_text(encoding="utf-8") if css.is_file() else ""
            return esm.read_text(encoding="utf-8"), styles
    return None


def widget_class() -> type[ipywidgets.DOMWidget]:
    """Pick the widget class for this kernel's front end.

    ``OPENHCS_REMOTE_WIDGET`` = ``ipywidgets`` or ``anywidget`` decides; otherwise anywidget is
    used in VS Code and Colab (which do not load our labextension) when it is installed and the
    bundled front end exists.
    """
    choice = os.environ.get("OPENHCS_REMOTE_WIDGET", "").strip().lower()
    if choice == "ipywidgets":
        return OhrRunWidget
    hosted = "google.colab" in sys.modules or "VSCODE_PID" in os.environ
    if choice != "anywidget" and not hosted:
        return OhrRunWidget
    anywidget_class = _anywidget_class()
    if anywidget_class is None:
        log.warning("anywidget or the bundled widget module is missing; using the labextension")
        return OhrRunWidget
    return anywidget_class


_ANYWIDGET: type[ipywidgets.DOMWidget] | None = None


def _anywidget_class() -> type[ipywidgets.DOMWidget] | None:
    global _ANYWIDGET  # built once: anywidget keys its front-end CSS by the class
    if _ANYWIDGET is not None:
        return _ANYWIDGET
    try:
        import anywidget
    except ImportError:
        return None
    bundle = _load_bundle()
    if bundle is None:
        return None

    class OhrRunAnyWidget(_RunTraits, anywidget.AnyWidget):
        """The run widget through anywidget: the same front end as its ``_esm``."""

        _esm, _css = bundle

    _ANYWIDGET = OhrRunAnyWidget
    return _ANYWIDGET
