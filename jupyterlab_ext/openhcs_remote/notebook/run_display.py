"""How a run shows itself: the live widget, the static contact sheet, and its one-line text.

The widget is created on first display and fed through a :class:`WidgetFeed` (paced, one
thread). Previews are kept here, bounded by bytes, to replay to a new view and to draw the
contact sheet at the end. The contact sheet is a separate output next to the widget (an
``<img class="ohr-contact-sheet">`` and an ``image/png``), updated by display id when the run
ends, so a notebook saved afterwards shows it where the widget cannot render.
"""

from __future__ import annotations

import base64
import collections
import html
import logging
import threading
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np

from .contact_sheet import contact_sheet
from .images import COORDINATES, ImageKey
from .widget import widget_class
from .widget_feed import WidgetFeed

if TYPE_CHECKING:
    from .run import RemoteRun

log = logging.getLogger("openhcs_remote.widget")

PREVIEW_CACHE_BYTES = 256 * 1024 * 1024
PREVIEW_FIELDS = (
    "seq",
    *COORDINATES,
    "width",
    "height",
    "source_shape",
    "dtype",
    "value_min",
    "value_max",
)
SHEET_CLASS = "ohr-contact-sheet"


def format_eta(seconds: float) -> str:
    """``250`` → ``"4 min"``, for the one-line summary."""
    if seconds < 60:
        return f"{round(seconds)} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{int(seconds // 3600)} h {round(seconds % 3600 / 60)} min"


class RunDisplay:
    """The widget, the cached previews and the contact sheet of one run."""

    def __init__(self, run: RemoteRun) -> None:
        self._run = run
        self._lock = threading.Lock()
        self._widget: Any = None
        self._feed: WidgetFeed | None = None
        self.previews: collections.OrderedDict[ImageKey, tuple[dict[str, Any], bytes]] = (
            collections.OrderedDict()
        )
        self.preview_bytes = 0
        self.previews_dropped = 0
        self._sheet_id: str | None = None

    @property
    def widget(self) -> Any:
        """The live widget, created (and fed the previews so far) on first use."""
        with self._lock:
            if self._widget is None:
                widget = widget_class()()
                widget.attach_commands(self._command)
                self._feed = WidgetFeed(widget, traits=self._run.state.traits)
                self._widget = widget
                cached = list(self.previews.items())
            else:
                return self._widget
        for key, (header, pixels) in cached:
            self._feed.send_preview(key, header, pixels)
        self._feed.mark_dirty()
        return widget

    def preview(self, event: dict[str, Any], pixels: bytes) -> None:
        """Keep a preview from the sidecar and pass it on to the widget."""
        header = {"kind": "ohr-preview", **{name: event.get(name) for name in PREVIEW_FIELDS}}
        key = ImageKey.of(header)
        with self._lock:
            old = self.previews.pop(key, None)
            self.preview_bytes += len(pixels) - (len(old[1]) if old else 0)
            self.previews[key] = (header, pixels)
            while self.preview_bytes > PREVIEW_CACHE_BYTES and len(self.previews) > 1:
                _, (_, dropped) = self.previews.popitem(last=False)
                self.preview_bytes -= len(dropped)
                self.previews_dropped += 1
            feed = self._feed
        if feed is not None:
            feed.send_preview(key, header, pixels)

    def changed(self) -> None:
        """Note a state change: the widget gets it at its next paced update."""
        if self._feed is not None:
            self._feed.mark_dirty()

    def finished(self) -> None:
        """Flush the widget and draw the contact sheet: the run ended."""
        self.changed()
        if self._sheet_id is not None:
            try:
                from IPython.display import update_display

                update_display(self.sheet_bundle(), raw=True, display_id=self._sheet_id)
            except Exception:
                log.exception("could not update the contact sheet")

    def show(self) -> None:
        """Display the widget and, next to it, the contact sheet output."""
        from IPython.display import display

        display(self.widget)
        first = self._sheet_id is None
        self._sheet_id = self._sheet_id or f"ohr-sheet-{uuid.uuid4().hex}"
        display(self.sheet_bundle(), raw=True, display_id=self._sheet_id)
        if first and self._run.done():
            self.finished()

    def sheet_bundle(self) -> dict[str, Any]:
        """Return the contact sheet output: a PNG once the run ended, a caption before.

        JupyterLab renders a widget output whose model is gone as "Error displaying widget"
        even when the same bundle holds an image, so the sheet is an output of its own. Its
        HTML carries the classes the labextension's CSS hides while the live widget renders
        (``style/base.css``); ``image/png`` and ``text/plain`` serve other front ends.
        """
        caption = html.escape(f"{self.text()} (contact sheet)")
        if not self._run.done():
            return {
                "text/html": f'<div class="{SHEET_CLASS}-caption">{caption}</div>',
                "text/plain": caption,
            }
        png = self.contact_sheet_png()
        if png is None:
            return {"text/plain": caption}
        encoded = base64.b64encode(png).decode("ascii")
        image = (
            f'<img class="{SHEET_CLASS}" alt="{caption}" src="data:image/png;base64,{encoded}"/>'
        )
        return {
            "text/html": f'{image}<div class="{SHEET_CLASS}-caption">{caption}</div>',
            "image/png": png,
            "text/plain": caption,
        }

    def contact_sheet_png(self) -> bytes | None:
        """Draw the contact sheet from the previews held now; ``None`` before any."""
        with self._lock:
            previews = dict(self.previews)
        traits = self._run.state.traits()
        return contact_sheet(previews, traits["channels"], traits["plate_layout"])

    def text(self) -> str:
        """``<RemoteRun 3f2a…: running, 12/96 wells, ETA 4 min>``."""
        state = self._run.state
        ident = f"{state.execution_id[:4]}…" if state.execution_id else "(not accepted yet)"
        parts = [state.status]
        progress = state.progress
        if progress.wells_total:
            parts.append(f"{progress.wells_done}/{progress.wells_total} wells")
        if state.status in ("running", "compiling") and progress.eta_s is not None:
            parts.append(f"ETA {format_eta(progress.eta_s)}")
        if state.error:
            parts.append(str(state.error.get("message", "")).splitlines()[0][:120])
        return f"<RemoteRun {ident}: {', '.join(parts)}>"

    def flush(self, timeout: float = 10.0) -> bool:
        """Send the widget everything queued now; ``True`` once it is out (or no widget)."""
        return self._feed is None or self._feed.flush(timeout)

    # --- commands from the browser (kernel main thread) -----------------------------------

    def _command(self, name: str, args: dict[str, Any], reply: Any) -> None:
        feed = self._feed
        assert feed is not None
        if name == "replay_previews":
            with self._lock:
                cached = list(self.previews.items())
            feed.call(lambda: reply({"count": len(cached), "dropped": self.previews_dropped}))
            for key, (header, pixels) in cached:
                feed.send_preview(key, header, pixels)
        elif name == "cancel":
            self._in_background(lambda: {"message": self._run.cancel()}, reply)
        elif name == "fetch_plane":
            key = ImageKey.of(args)
            self._in_background(lambda: self._plane_reply(key), reply)
        else:
            reply(error={"code": "ERR_UNKNOWN_COMMAND", "message": f"unknown command {name!r}"})

    def _plane_reply(self, key: ImageKey) -> tuple[dict[str, Any], list[bytes]]:
        array = self._run._read(key)
        result = {"shape": list(array.shape), "dtype": array.dtype.name, "byte_order": "little"}
        little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        return result, [memoryview(little).cast("B")]

    def _in_background(self, work: Any, reply: Any) -> None:
        """Run ``work`` off the kernel's main thread and reply from the feed thread."""
        feed = self._feed
        assert feed is not None

        def run() -> None:
            try:
                outcome = work()
            except Exception as error:
                wire = {"code": getattr(error, "code", "ERR_COMMAND"), "message": str(error)}
                feed.call(lambda: reply(error=wire))
                return
            result, buffers = outcome if isinstance(outcome, tuple) else (outcome, None)
            feed.call(lambda: reply(result, buffers=buffers))

        threading.Thread(target=run, name="ohr-command", daemon=True).start()
