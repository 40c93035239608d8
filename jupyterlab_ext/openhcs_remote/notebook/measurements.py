"""A run's measurements in the kernel: its tables as pandas DataFrames, its ROIs as polygons.

The files are what the run's steps wrote in OpenHCS's output folder on the server (CSV tables,
ImageJ ROI zips), fetched through the sidecar and the relay and named by the sidecar from their
file names (``src/orchestrator/measurements/run-outputs.ts``). What was fetched is kept (by path,
size and time) so that asking again, or for another well, costs only the new files.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .shim_errors import MeasurementTableError, NoSuchTableError, RunFilesUnknownError

if TYPE_CHECKING:
    import pandas as pd

    from .sidecar import SidecarProcess

#: The columns every table starts with: where each row comes from.
PLACE_COLUMNS = ("well", "site", "step", "step_index")
#: polystore's side file in an ROI zip: per-ROI label, area, centroid, bbox.
POLYSTORE_ROI_METADATA = "__polystore_roi_metadata__.json"
#: At most this many fetches wait on the sidecar at once (it pipelines them to the relay).
FETCHES_IN_FLIGHT = 32

#: Error codes that mean "this run has no tables to read" (no relay, or no image of it seen yet).
NO_OUTPUTS = ("ERR_NO_RELAY", "ERR_RUN_FILES_UNKNOWN")


@dataclass(frozen=True)
class RunOutput:
    """One file the run wrote, as the sidecar names it."""

    path: str
    size: int
    mtime: float
    kind: str  # "table", "rois", "json" or "text"
    table: str
    well: str | None
    step_index: int | None
    step: str | None
    site: int | None
    channel: int | None
    z: int | None
    timepoint: int | None

    @classmethod
    def of(cls, entry: dict[str, Any]) -> RunOutput:
        """Build one from a ``run_outputs`` entry."""
        return cls(**{name: entry.get(name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Roi:
    """One region of interest: its plane and its outline, ``[y, x]`` rows in pixels."""

    well: str | None
    site: int | None
    channel: int | None
    z: int | None
    timepoint: int | None
    step: str | None
    step_index: int | None
    name: str | None
    type: str
    polygon: np.ndarray
    #: What polystore wrote of the object beside the ROI (label, area, centroid, bbox, …).
    metadata: dict[str, Any]


def _matches(value: Any, wanted: Any) -> bool:
    if wanted is None:
        return True
    if isinstance(wanted, list | tuple | set | frozenset | range):
        return value in wanted
    return value == wanted


def _step_matches(output: RunOutput, wanted: Any) -> bool:
    """Match a step filter: names (as ``run.images(step=…)`` takes) or 0-based positions."""
    if wanted is None:
        return True
    values = wanted if isinstance(wanted, list | tuple | set | frozenset | range) else [wanted]
    return any(
        value == output.step_index if isinstance(value, int) else value == output.step
        for value in values
    )


def read_table(output: RunOutput, data: bytes) -> pd.DataFrame:
    """Parse one CSV (numbers as numbers) and lead it with its place columns."""
    import pandas as pd

    try:
        frame = pd.read_csv(io.BytesIO(data), encoding="utf-8", encoding_errors="strict")
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise MeasurementTableError(f"{output.path}: not a readable CSV table: {error}") from error
    place = {
        "well": frame.get("well", output.well),
        "site": frame.get("site", output.site),
        "step": output.step,
        "step_index": output.step_index,
    }
    own = frame.drop(columns=[c for c in PLACE_COLUMNS if c in frame.columns])
    return pd.concat([pd.DataFrame(place, index=frame.index), own], axis=1)


def read_rois(output: RunOutput, data: bytes) -> list[Roi]:
    """Decode one ImageJ ROI zip (roifile, the library OpenHCS writes them with)."""
    from roifile import ImagejRoi

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".roi")]
            rois = [(name, ImagejRoi.frombytes(archive.read(name))) for name in names]
            # Beside the .roi entries polystore keeps the objects' measurements in a JSON file.
            extra = (
                json.loads(archive.read(POLYSTORE_ROI_METADATA))
                if POLYSTORE_ROI_METADATA in archive.namelist()
                else {}
            )
    except (zipfile.BadZipFile, ValueError, KeyError) as error:
        raise MeasurementTableError(f"{output.path}: not an ImageJ ROI zip: {error}") from error
    result = []
    for entry, roi in rois:
        xy = roi.coordinates()
        polygon = np.zeros((0, 2)) if xy is None else np.asarray(xy, dtype=float)[:, ::-1]
        result.append(
            Roi(
                well=output.well,
                site=output.site,
                channel=output.channel,
                z=output.z,
                timepoint=output.timepoint,
                step=output.step,
                step_index=output.step_index,
                name=roi.name or None,
                type=roi.roitype.name.lower(),
                polygon=polygon,
                metadata=dict(extra.get(entry) or {}) if isinstance(extra, dict) else {},
            )
        )
    return result


class RunOutputsReader:
    """Lists, fetches and reads one run's outputs; the fetched bytes are kept.

    Parameters
    ----------
    sidecar
        Where requests go.
    execution_id
        Called for the run's id (it may not be known yet when the reader is made).
    finished
        Whether the run is over: until then, a run that has written nothing yet has no tables
        (rather than an error).
    """

    def __init__(
        self,
        sidecar: SidecarProcess,
        execution_id: Callable[[], str],
        finished: Callable[[], bool],
    ) -> None:
        self._sidecar, self._execution_id, self._finished = sidecar, execution_id, finished
        self._fetched: dict[tuple[str, int, float], bytes] = {}
        #: Tables parsed once: a live heatmap re-reads the run's table at every finished well.
        self._parsed: dict[tuple[str, int, float], pd.DataFrame] = {}
        self._lock = threading.Lock()

    def listing(self) -> tuple[list[RunOutput], list[str], str | None]:
        """Return the run's output files so far, its table names, and its only per-well table."""
        try:
            result, _ = self._sidecar.call("run_outputs", execution_id=self._execution_id())
        except RunFilesUnknownError:
            if self._finished():
                raise
            return [], [], None  # nothing streamed yet: the relay has not seen its folder
        files = [RunOutput.of(entry) for entry in result["files"]]
        return files, list(result["tables"]), result.get("default_table")

    def fetch_all(self, outputs: Iterable[RunOutput]) -> list[bytes]:
        """Return the bytes of each output, in order (new ones fetched a few at a time)."""
        return [data for _, data in self.iter_fetched(outputs)]

    def iter_fetched(self, outputs: Iterable[RunOutput]) -> Iterator[tuple[RunOutput, bytes]]:
        """Yield each output with its bytes, in order, while the next ones are on their way.

        At most :data:`FETCHES_IN_FLIGHT` wait on the sidecar: the caller parses one table
        while the relay sends the next, and memory holds only that window beyond the cache.
        """
        window: deque[tuple[RunOutput, Future[Any] | None]] = deque()
        pending = iter(list(outputs))

        def refill() -> None:
            while len(window) < FETCHES_IN_FLIGHT:
                output = next(pending, None)
                if output is None:
                    return
                key = (output.path, output.size, output.mtime)
                with self._lock:
                    cached = key in self._fetched
                future = None
                if not cached:
                    future = self._sidecar.request(
                        "fetch_run_output", execution_id=self._execution_id(), path=output.path
                    )
                window.append((output, future))

        refill()
        while window:
            output, future = window.popleft()
            key = (output.path, output.size, output.mtime)
            if future is not None:
                _, payload = future.result(120)
                with self._lock:
                    self._fetched[key] = bytes(payload or b"")
            refill()
            with self._lock:
                data = self._fetched[key]
            yield output, data

    def table_name(
        self,
        table: str | None,
        listed: tuple[list[RunOutput], list[str], str | None] | None = None,
    ) -> tuple[str, list[RunOutput]]:
        """Return the table meant (named, or the only per-well one) and the run's files."""
        files, tables, default = listed or self.listing()
        if table is None:
            if default is None:
                have = ", ".join(tables) or "none yet"
                raise NoSuchTableError(
                    f"run {self._execution_id()} has {len(tables)} tables ({have}): name one, "
                    "run.measurements('<table>')",
                    execution_id=self._execution_id(),
                )
            return default, files
        if table not in tables:
            raise NoSuchTableError(
                f"run {self._execution_id()} has no table {table!r} "
                f"(its tables: {', '.join(tables) or 'none yet'})",
                execution_id=self._execution_id(),
            )
        return table, files

    def measurements(
        self, table: str | None = None, *, well: Any = None, step: Any = None
    ) -> pd.DataFrame:
        """One table, every matching well's rows so far, led by well, site, step, step_index."""
        import pandas as pd

        files, tables, default = self.listing()
        if not tables and not self._finished():
            return pd.DataFrame(columns=list(PLACE_COLUMNS))  # no well has written one yet
        name, files = self.table_name(table, (files, tables, default))
        chosen = sorted(
            (
                f
                for f in files
                if f.kind == "table"
                and f.table == name
                and (f.well is None or _matches(f.well, well))
                and _step_matches(f, step)
            ),
            key=lambda f: f.path,
        )
        frames = []
        for output, data in self.iter_fetched(chosen):
            key = (output.path, output.size, output.mtime)
            frame = self._parsed.get(key)
            if frame is None:
                frame = self._parsed[key] = read_table(output, data)
            frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=list(PLACE_COLUMNS))
        combined = pd.concat(frames, ignore_index=True)
        combined.attrs["table"] = name
        return combined

    def rois(self, **filters: Any) -> list[Roi]:
        """Return the ROIs matching the filters (well, site, channel, z, timepoint, step)."""
        step = filters.pop("step", None)
        unknown = set(filters) - {"well", "site", "channel", "z", "timepoint"}
        if unknown:
            raise TypeError(f"unknown ROI filter(s) {sorted(unknown)}")
        files, _, _ = self.listing()
        chosen = sorted(
            (
                f
                for f in files
                if f.kind == "rois"
                and all(_matches(getattr(f, name), value) for name, value in filters.items())
                and _step_matches(f, step)
            ),
            key=lambda f: f.path,
        )
        data = self.fetch_all(chosen)
        return [roi for f, blob in zip(chosen, data, strict=True) for roi in read_rois(f, blob)]

    def save(self, directory: Path) -> dict[str, Any]:
        """Write every table as ``measurements/<table>.csv`` and the ROI zips in ``rois/``."""
        files, tables, _ = self.listing()
        written: dict[str, Any] = {"tables": {}, "rois": 0}
        for name in (t for t in tables if any(f.table == t and f.kind == "table" for f in files)):
            frame = self.measurements(name)
            target = directory / "measurements" / f"{name}.csv"
            target.parent.mkdir(parents=True, exist_ok=True)
            frame.to_csv(target, index=False)
            written["tables"][name] = len(frame)
        zips = [f for f in files if f.kind == "rois"]
        for output, blob in zip(zips, self.fetch_all(zips), strict=True):
            target = directory / "rois" / Path(output.path).name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob)
            written["rois"] += 1
        return written
