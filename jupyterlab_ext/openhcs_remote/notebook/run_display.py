"""How a run shows itself: the live widget and, beside it, the static contact sheet output.

The widget is created on first display and fed through a :class:`WidgetFeed` (paced, one
thread); its commands (replay previews, cancel, fetch a full plane, re-run what failed) are
answered here. The previews come from the run's :class:`PreviewCache`; the sheet is updated by
display id when the run ends, so a notebook saved afterwards shows it where the widget cannot
render. Once the run's unfinished wells are re-run, the display follows the re-run: its wells,
previews and planes show in this grid (:func:`merged_traits`).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from .contact_sheet import SHEET_COLORS, contact_sheet
from .images import ImageKey
from .measurement_summary import summary as measurement_summary
from .measurement_summary import well_rows
from .measurements import NO_OUTPUTS
from .page_previews import PagePreviews
from .plate_heatmap import heatmap_panel
from .preview_cache import PreviewCache
from .rerun import merged_traits
from .run_state import RunState
from .run_summary import run_summary
from .sheet_output import sheet_bundle
from .widget import widget_class
from .widget_feed import WidgetFeed

log = logging.getLogger("openhcs_remote.widget")


class DisplayedRun(Protocol):
    """What the display needs of its run (``RemoteRun`` is one)."""

    state: RunState

    def done(self) -> bool:
        """Whether the run has ended."""
        ...

    def cancel(self) -> str:
        """Ask the server to cancel the run; return its message."""
        ...

    def _read(self, key: ImageKey) -> np.ndarray: ...

    def measurements(self, table: str | None = None) -> Any:
        """One of the run's tables (a pandas DataFrame)."""
        ...

    def tables(self) -> list[str]:
        """Return the run's table names."""
        ...

    def rois(self, **filters: Any) -> list[Any]:
        """Return the run's ROIs matching the filters."""
        ...

    def rerun_failed(self) -> Any:
        """Start a run of the unfinished wells (returns it, or ``None``: nothing to do)."""
        ...


class FollowedRun(DisplayedRun, Protocol):
    """A re-run, as the display of the run it re-ran follows it."""

    display: RunDisplay
    execution_id: str | None


class RunDisplay:
    """The widget, the cached previews and the contact sheet of one run."""

    def __init__(
        self, run: DisplayedRun, heatmap_colors: Callable[[], tuple[str, ...]] = lambda: ()
    ) -> None:
        self._run = run
        self._heatmap_colors = heatmap_colors
        #: The measurements summary the saved sheet's heatmap shows (fetched once the run ended).
        self._sheet_summary: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._widget: Any = None
        self._feed: WidgetFeed | None = None
        self.previews = PreviewCache()
        #: Which of them the page is sent (what it keeps: thumbnails and the wells it shows).
        self._page = PagePreviews()
        self._sheet_id: str | None = None
        self._rerun: FollowedRun | None = None
        self._rerun_wells: frozenset[str] = frozenset()
        #: Displays of the runs this run re-ran: they show what this one shows, too.
        self._followers: list[RunDisplay] = []

    @property
    def widget(self) -> Any:
        """The live widget, created (and fed the previews so far) on first use."""
        with self._lock:
            if self._widget is not None:
                return self._widget
            widget = widget_class()()
            widget.attach_commands(self._command)
            feed = self._feed = WidgetFeed(widget, traits=self.traits, previews=self.previews.get)
            self._widget = widget
        for key in self._page.for_page(self.previews.keys_of()):
            feed.send_preview(key)
        feed.mark_dirty()
        return widget

    def preview(self, event: dict[str, Any], pixels: bytes) -> None:
        """Keep a preview from the sidecar and pass it on to the widget."""
        key, header = self.previews.put(event, pixels)
        wanted = self._page.arrived(key, int(header.get("seq") or 0))
        feed = self._feed
        if feed is not None and wanted:
            feed.send_preview(key)
        for follower in list(self._followers):
            follower.preview(header, pixels)

    def changed(self) -> None:
        """Note a state change: the widget gets it at its next paced update."""
        if self._feed is not None:
            self._feed.mark_dirty()
        for follower in list(self._followers):
            follower.changed()

    def traits(self) -> dict[str, Any]:
        """Return the widget's state: the run's own, with its re-run's wells folded in."""
        own = self._run.state.traits()
        rerun = self._rerun
        if rerun is None:
            return own
        return merged_traits(own, rerun.display.traits(), sorted(self._rerun_wells))

    def follow(self, rerun: FollowedRun, wells: list[str]) -> None:
        """Show ``rerun`` (a run of ``wells`` of this run) in this display from now on."""
        with self._lock:
            self._rerun, self._rerun_wells = rerun, frozenset(wells)
        rerun.display._followers.append(self)  # first: no preview falls between the two
        for header, pixels in rerun.display.previews.values():
            self.preview(header, pixels)
        self.changed()

    def finished(self) -> None:
        """Flush the widget and draw the contact sheet: the run (or its re-run) ended."""
        for follower in list(self._followers):
            follower.finished()
        self.changed()
        if self._sheet_id is not None:
            self._update_sheet()
            if self._latest().done():
                # The tables come through the relay: fetch them off the caller's thread (the
                # sidecar's reader), then draw the sheet again with its heatmap.
                fetch = threading.Thread(target=self._add_sheet_heatmap, name="ohr-sheet-heatmap")
                fetch.daemon = True
                fetch.start()

    def _update_sheet(self) -> None:
        try:
            from IPython.display import update_display

            update_display(self.sheet_bundle(), raw=True, display_id=self._sheet_id)
        except Exception:
            log.exception("could not update the contact sheet")

    def _add_sheet_heatmap(self) -> None:
        summary = self.heatmap_summary()
        if summary is not None:
            self._sheet_summary = summary
            self._update_sheet()

    def heatmap_summary(self) -> dict[str, Any] | None:
        """Summarise the run's default table per well; ``None`` when it has none (or failed)."""
        try:
            return self._summary(None)
        except Exception as error:
            if getattr(error, "code", None) in (*NO_OUTPUTS, "ERR_NO_SUCH_TABLE"):
                log.debug("no heatmap in the contact sheet: %s", error)
            else:
                log.warning("no heatmap in the contact sheet: %s", error)
            return None

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
        """Return the contact sheet output (see :mod:`.sheet_output`)."""
        done = self._latest().done()
        png = self.contact_sheet_png(self._sheet_summary) if done else None
        return sheet_bundle(self.text(), png, done=done)

    def contact_sheet_png(self, summary: dict[str, Any] | None = None) -> bytes | None:
        """Draw the contact sheet from the previews held now; ``None`` before any preview.

        With ``summary`` (a ``measurements`` summary), its plate heatmap is drawn below.
        """
        traits = self.traits()
        layout = traits["plate_layout"]
        stops = self._heatmap_colors()

        def below(width: int) -> np.ndarray | None:
            if summary is None:
                return None
            return heatmap_panel(summary, stops, layout, width, SHEET_COLORS)

        return contact_sheet(self.previews, traits["channels"], layout, below)

    def text(self) -> str:
        """``<RemoteRun 3f2a…: running, 12/96 wells, ETA 4 min>``."""
        summary = run_summary(self._run.state)
        rerun = self._rerun
        if rerun is None:
            return summary
        return f"{summary}\n  re-run of {len(self._rerun_wells)} wells: {rerun.display.text()}"

    def flush(self, timeout: float = 10.0) -> bool:
        """Send the widget everything queued now; ``True`` once it is out (or no widget)."""
        return self._feed is None or self._feed.flush(timeout)

    # --- commands from the browser (kernel main thread) -----------------------------------

    def _command(self, name: str, args: dict[str, Any], reply: Any) -> None:
        feed = self._feed
        assert feed is not None
        if name == "replay_previews":
            well = args.get("well")
            if well is not None and not (isinstance(well, str) and 0 < len(well) <= 64):
                run = self._run.state.traits().get("execution_id")
                message = (
                    f"replay_previews (execution {run}): 'well' must be a well name "
                    f"(1-64 chars), got {well!r:.80}"
                )
                reply(error={"code": "ERR_BAD_REQUEST", "message": message})
                return
            # With `well`, the browser asks for one well it is about to show (it keeps no others):
            # from now on it is sent all of that well's. Without, a new page asks for what it keeps.
            if well is not None:
                self._page.ask(well)
                cached = self.previews.keys_of(well)
            else:
                cached = self._page.for_page(self.previews.keys_of())
            dropped = self.previews.dropped
            feed.call(lambda: reply({"count": len(cached), "dropped": dropped}))
            for key in cached:
                feed.send_preview(key)
        elif name == "cancel":
            self._in_background(lambda: {"message": self._latest().cancel()}, reply)
        elif name == "rerun_failed":
            self._in_background(self._start_rerun, reply)
        elif name == "measurements":
            table = args.get("table")
            self._in_background(
                lambda: self._summary(table if isinstance(table, str) else None), reply
            )
        elif name == "well_rows":
            table, well, limit = args.get("table"), str(args.get("well", "")), args.get("limit")
            rows = min(int(limit), 10_000) if isinstance(limit, int) else 1000
            self._in_background(
                lambda: well_rows(self._latest().measurements(table), well, rows),
                reply,
            )
        elif name == "rois":
            self._in_background(lambda: self._rois(args), reply)
        elif name == "fetch_plane":
            key = ImageKey.of(args)
            self._in_background(lambda: self._plane_reply(key), reply)
        else:
            reply(error={"code": "ERR_UNKNOWN_COMMAND", "message": f"unknown command {name!r}"})

    def _summary(self, table: str | None) -> dict[str, Any]:
        latest = self._latest()
        frame = latest.measurements(table)
        name = frame.attrs.get("table", table)
        return measurement_summary(frame, name, latest.tables())

    def _rois(self, args: dict[str, Any]) -> dict[str, Any]:
        filters: dict[str, Any] = {"well": str(args.get("well", ""))}
        if isinstance(args.get("site"), int):
            filters["site"] = args["site"]
        channels = args.get("channels")
        if isinstance(channels, list) and all(isinstance(c, int) for c in channels):
            filters["channel"] = channels
        rois = self._owner(filters["well"]).rois(**filters)
        return {
            "rois": [
                {"channel": r.channel, "site": r.site, "polygon": r.polygon.tolist()} for r in rois
            ]
        }

    def _plane_reply(self, key: ImageKey) -> tuple[dict[str, Any], list[bytes]]:
        array = self._owner(key.well)._read(key)
        result = {"shape": list(array.shape), "dtype": array.dtype.name, "byte_order": "little"}
        little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        return result, [memoryview(little).cast("B")]

    def _start_rerun(self) -> dict[str, Any]:
        rerun = self._latest().rerun_failed()
        if rerun is None:
            return {"execution_id": None, "wells": []}
        rerun._require_id()  # the reply names it: wait until the server took it
        return {"execution_id": rerun.execution_id, "wells": list(rerun.rerun_wells)}

    def _latest(self) -> DisplayedRun:
        """Return the newest run shown here: its tables hold every run's rows."""
        rerun = self._rerun
        return self._run if rerun is None else rerun.display._latest()

    def _owner(self, well: str) -> DisplayedRun:
        """Return the run whose images and ROIs of ``well`` this display shows."""
        rerun = self._rerun
        if rerun is not None and well in self._rerun_wells:
            return rerun.display._owner(well)
        return self._run

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
