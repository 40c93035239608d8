"""``RemoteRun``: the handle a submitted run returns at once, ipyparallel ``AsyncResult`` style.

Events from the sidecar arrive on its reader thread and are folded into a :class:`RunState`;
the kernel is never blocked. ``wait()``, ``result()`` and ``await run`` block only the caller.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Generator
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .images import ImageKey, StoredImage, check_filters, plane_array, sort_keys
from .measurements import NO_OUTPUTS, RunOutputsReader
from .rerun import Submission, combined, unfinished_wells
from .run_display import RunDisplay
from .run_events import RUN_ENDS
from .run_state import RunProgress, RunState
from .shim_errors import (
    ImageNotFoundError,
    OpenHCSRemoteError,
    error_from_wire,
)
from .transfer_progress import TransferProgress

if TYPE_CHECKING:
    from .sidecar import SidecarProcess

log = logging.getLogger("openhcs_remote.run")

ImageCallback = Callable[[StoredImage], None]
#: A run without a relay, or whose relay never saw its output folder, has no tables to save.


class RemoteRun:
    """A run on the remote server: live status, progress, images; displays itself as a widget.

    Not created directly: :meth:`RemoteOrchestrator.run_remote_pipeline` and
    :meth:`RemoteOrchestrator.attach` return one.
    """

    def __init__(self, sidecar: SidecarProcess, run_key: str, server: str) -> None:
        self._sidecar = sidecar
        self.run_key = run_key
        self.state = RunState(server, palette=sidecar.channel_colors)
        self._future: Future[dict[str, Any]] = Future()
        self._accepted = threading.Event()
        self._callbacks: list[ImageCallback] = []
        self._callback_queue: queue.SimpleQueue[StoredImage | None] | None = None
        self._cancel_requested = False
        self.display = RunDisplay(self, heatmap_colors=sidecar.heatmap_colors)
        self._outputs = RunOutputsReader(sidecar, self._require_id, self.done)
        #: How it was submitted (None for a run attached to): what ``rerun_failed`` sends again.
        self.submission: Submission | None = None
        #: The run this one re-ran wells of, and those wells.
        self.rerun_of: RemoteRun | None = None
        self.rerun_wells: list[str] = []
        self._unlisten = sidecar.listen(run_key, self._on_event)

    # --- what users read -------------------------------------------------------------------

    @property
    def execution_id(self) -> str | None:
        """The server's id for the run, ``None`` until the server accepted it."""
        return self.state.execution_id or None

    @property
    def status(self) -> str:
        """Where the run is (the widget's ``status``).

        One of ``connecting``, ``queued``, ``compiling``, ``running``, ``complete``, ``failed``,
        ``cancelled``, ``lost`` or ``error``.
        """
        return self.state.status

    @property
    def relay_link(self) -> dict[str, Any] | None:
        """The link to the relay while it is not well, else ``None`` (the relay answers).

        ``{"state": "reconnecting", "address": "host:port", "silent_ms": 12040}`` while the
        sidecar waits for a relay that went quiet (a partition, a restart): nothing is lost, the
        relay keeps the images meanwhile. ``state`` is ``"lost"`` once it gave up (60 s).
        """
        return self.state.relay_link

    @property
    def progress(self) -> RunProgress:
        """Overall fraction, wells done / failed / total, ETA, per-well state."""
        return self.state.progress

    def done(self) -> bool:
        """Whether the run has ended (in any way)."""
        return self._future.done()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the run to end; ``True`` if it did within ``timeout`` seconds."""
        try:
            self._future.exception(timeout)
        except TimeoutError:
            return False
        return True

    def result(self, timeout: float | None = None) -> dict[str, Any]:
        """Return the server's record of the completed run.

        Raises
        ------
        RemoteExecutionError
            The run failed; carries the server's traceback (shown by IPython).
        RunCancelledError, RunLostError
            It was cancelled, or the server went away.
        TimeoutError
            It did not end within ``timeout`` seconds.
        """
        return self._future.result(timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """Return the error the run ended with, or ``None`` if it completed."""
        return self._future.exception(timeout)

    def __await__(self) -> Generator[Any, None, dict[str, Any]]:
        return asyncio.wrap_future(self._future).__await__()

    def cancel(self) -> str:
        """Ask the server to cancel the run (it stops at the next well or step boundary)."""
        if self.done():
            return f"run already {self.status}"
        if not self._accepted.is_set():
            self._cancel_requested = True  # sent as soon as the server names the run
            return "cancel requested"
        result, _ = self._sidecar.call("cancel", execution_id=self.execution_id, timeout=60)
        return str(result.get("message", "cancelled"))

    def on_image(self, callback: ImageCallback) -> ImageCallback:
        """Call ``callback(image)`` for every stored image (on a background thread).

        Usable as a decorator. ``image.read()`` fetches the full-resolution plane.
        """
        self._callbacks.append(callback)
        return callback

    def image_keys(self, **filters: Any) -> list[ImageKey]:
        """Coordinates of the stored planes matching the filters, in plate order."""
        wanted = check_filters(filters)
        result, _ = self._sidecar.call("list_images", execution_id=self._require_id())
        keys = (ImageKey.of(entry) for entry in result["images"])
        return sort_keys(key for key in keys if key.matches(wanted))

    def images(
        self,
        *,
        well: Any = None,
        channel: Any = None,
        site: Any = None,
        z: Any = None,
        timepoint: Any = None,
        step: Any = None,
    ) -> dict[ImageKey, np.ndarray]:
        """Full-resolution planes as NumPy arrays, keyed by their coordinates.

        Each filter is a value or a collection of values; ``None`` means any.
        """
        filters = {"well": well, "channel": channel, "site": site, "z": z}
        filters |= {"timepoint": timepoint, "step": step}
        return {key: self._read(key) for key in self.image_keys(**filters)}

    def image(self, **filters: Any) -> np.ndarray:
        """Return the one plane matching the filters (raises if none or several match)."""
        keys = self.image_keys(**filters)
        if len(keys) != 1:
            found = ", ".join(map(str, keys[:5])) + (" …" if len(keys) > 5 else "")
            raise ImageNotFoundError(
                f"{len(keys)} planes match {filters} in run {self.execution_id}"
                + (f": {found}" if keys else ""),
                execution_id=self.execution_id,
            )
        return self._read(keys[0])

    def save(self, path: str | Path) -> Path:
        """Write the run at ``path`` (which must not exist).

        Its images as OME-Zarr plates, one per step; its tables as
        ``measurements/<table>.csv``; OpenHCS's ROI zips in ``rois/`` (ImageJ ROI sets: Fiji's
        ROI Manager and roifile open them).
        """
        target = Path(path).expanduser().resolve()
        self._sidecar.call(
            "save",
            execution_id=self._require_id(),
            path=str(target),
            timeout=None,
            on_progress=TransferProgress(f"saving run {self.execution_id} to {target}"),
        )
        try:
            self._outputs.save(target)
        except OpenHCSRemoteError as error:
            if error.code not in NO_OUTPUTS:
                raise
            log.warning("run %s: no tables or ROIs saved: %s", self.execution_id, error)
        return target

    # --- measurements: what the steps wrote besides images -------------------------------

    def tables(self) -> list[str]:
        """Names of the run's measurement tables so far (per-well tables first)."""
        return self._outputs.listing()[1]

    def measurements(self, table: str | None = None, *, well: Any = None, step: Any = None) -> Any:
        """One of the run's tables as a pandas DataFrame: every matching well's rows so far.

        Columns ``well``, ``site``, ``step`` (name), ``step_index``, then the table's own,
        numbers as numbers. ``table`` defaults to the run's only per-well table
        (:meth:`tables` lists them); ``well`` and ``step`` take a value or a collection.
        Works while the run goes on (the wells so far) and after ``orch.attach(id)``.
        """
        frame = self._outputs.measurements(table, well=well, step=step)
        if self.rerun_of is None:
            return frame
        earlier = self.rerun_of.measurements(table, well=well, step=step)
        return combined(earlier, frame, self.rerun_wells)

    def unfinished_wells(self) -> list[str]:
        """Wells the run did not finish: failed, cancelled, or never done (the server died)."""
        return unfinished_wells(self.progress.wells)

    def rerun_failed(self) -> RemoteRun | None:
        """Run the same pipeline and config again on exactly the wells this run did not finish.

        Returns the new run (``None`` when every well finished). Its ``measurements()`` hold
        this run's rows for the wells it did finish and the new run's for the others; this
        run's widget shows the new run's wells in its grid as they go.
        """
        if self.submission is None:
            raise OpenHCSRemoteError(
                f"run {self.execution_id} was not submitted from this kernel: its pipeline is "
                "not known here; submit it again with config_params={'well_filter': [...]}",
                execution_id=self.execution_id,
            )
        if not self.done():
            raise OpenHCSRemoteError(
                f"run {self.execution_id} is still going: wait() or cancel() it first",
                execution_id=self.execution_id,
            )
        wells = self.unfinished_wells()
        if not wells:
            return None
        rerun = self.submission.on_wells(wells)
        rerun.rerun_of, rerun.rerun_wells = self, wells
        self.display.follow(rerun, wells)  # this run's widget shows the re-run's wells
        return rerun

    def rois(self, **filters: Any) -> list[Any]:
        """Return the run's ROIs, each with its plane and its outline as ``[y, x]`` pixel rows.

        Filters: ``well``, ``site``, ``channel``, ``z``, ``timepoint``, ``step``.
        """
        return self._outputs.rois(**filters)

    def contact_sheet(self, path: str | Path | None = None) -> bytes | None:
        """Return the plate's contact sheet as PNG bytes, and write it to ``path`` if given.

        One thumbnail per well, channels blended in their colours, and below them the plate
        heatmap of the run's table (when it has one); ``None`` before the first image arrived.
        """
        png = self.display.contact_sheet_png(self.display.heatmap_summary())
        if png is not None and path is not None:
            Path(path).expanduser().write_bytes(png)
        return png

    @property
    def widget(self) -> Any:
        """The live widget (created on first use)."""
        return self.display.widget

    def __repr__(self) -> str:
        return self.display.text()

    def _ipython_display_(self) -> None:
        self.display.show()

    # --- sidecar events (reader thread) ----------------------------------------------------

    def _on_event(self, header: dict[str, Any], payload: bytearray | None) -> None:
        kind = header.get("event")
        if kind == "preview":
            self.display.preview(header, bytes(payload or b""))
            return
        if kind in ("warning", "log"):
            log.warning("run %s: %s", self.execution_id or self.run_key, header.get("message"))
            return
        self.state.apply(header)
        if kind == "accepted":
            self._accepted.set()
            if self._cancel_requested:
                threading.Thread(target=self.cancel, daemon=True).start()
        elif kind == "image_stored" and self._callbacks and header.get("kind") == "image":
            self._queue_callback(header)
        self.display.changed()
        if kind in RUN_ENDS:
            self._finish(str(kind), header)

    def _fail_to_start(self, error: BaseException) -> None:
        wire = {"code": getattr(error, "code", "ERR_OPENHCS_REMOTE"), "message": str(error)}
        self.state.fail({**wire, "traceback": None})
        self._accepted.set()
        self.display.changed()
        if not self._future.done():
            self._future.set_exception(error)
        self.display.finished()
        self._unlisten()

    def _finish(self, kind: str, header: dict[str, Any]) -> None:
        end = RUN_ENDS[kind].error
        if end is None:
            self._future.set_result(dict(header.get("record") or {}))
        else:
            error = error_from_wire(
                header.get("error") or {"code": end.code, "message": kind},
                execution_id=self.execution_id,
                address=self.state.server,
            )
            self._future.set_exception(error)
        self._accepted.set()
        self.display.finished()
        self._unlisten()
        if self._callback_queue is not None:
            self._callback_queue.put(None)

    def _queue_callback(self, header: dict[str, Any]) -> None:
        image = StoredImage(
            key=ImageKey.of(header),
            seq=int(header.get("seq", 0)),
            shape=tuple(header.get("shape") or ()),
            dtype=str(header.get("dtype", "")),
            component_names=dict(header.get("component_names") or {}),
            _reader=self._read,
        )
        if self._callback_queue is None:
            self._callback_queue = queue.SimpleQueue()
            threading.Thread(target=self._run_callbacks, name="ohr-on-image", daemon=True).start()
        self._callback_queue.put(image)

    def _run_callbacks(self) -> None:
        assert self._callback_queue is not None
        while (image := self._callback_queue.get()) is not None:
            for callback in list(self._callbacks):
                try:
                    callback(image)
                except Exception:
                    log.exception("on_image callback %r failed on %s", callback, image.key)

    # --- helpers ---------------------------------------------------------------------------

    def _require_id(self) -> str:
        if not self._accepted.wait(60) or self.execution_id is None:
            error = self._future.exception() if self._future.done() else None
            raise OpenHCSRemoteError(f"the run has no execution id ({error or 'not accepted yet'})")
        return self.execution_id

    def _read(self, key: ImageKey) -> np.ndarray:
        result, payload = self._sidecar.call(
            "fetch_plane", execution_id=self._require_id(), **key.as_dict()
        )
        return plane_array(result, payload)
