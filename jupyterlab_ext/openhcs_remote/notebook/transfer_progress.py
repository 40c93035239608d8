"""A progress line for long transfers in the kernel (``run.save`` fetching planes).

A bar, the planes and bytes done, the rate and an ETA, updated in place in the cell's output (or
on stderr outside IPython), at most a few times a second.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from IPython import get_ipython
from IPython.display import display

from .durations import format_duration

_BAR_WIDTH = 20
_MIN_INTERVAL_S = 0.25


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def transfer_line(
    what: str, done: int, total: int, bytes_done: int, bytes_total: int, seconds: float
) -> str:
    """``[########------------]  40%  12/30 planes · 96.0 of 240.0 MiB · 11.4 MiB/s · ETA 13 s``."""
    fraction = bytes_done / bytes_total if bytes_total else (done / total if total else 1.0)
    filled = round(fraction * _BAR_WIDTH)
    line = (
        f"[{'#' * filled}{'-' * (_BAR_WIDTH - filled)}] {fraction:4.0%}  {done}/{total} {what}"
        f" · {_mib(bytes_done)} of {_mib(bytes_total)}"
    )
    if seconds >= 0.5 and bytes_done > 0:
        rate = bytes_done / seconds
        line += f" · {rate / 2**20:.1f} MiB/s"
        if bytes_done < bytes_total:
            line += f" · ETA {format_duration((bytes_total - bytes_done) / rate * 1000)}"
    return line


class TransferProgress:
    """Shows a transfer's ``request_progress`` events; :meth:`__call__` is the callback."""

    def __init__(self, title: str, what: str = "planes") -> None:
        self.title = title
        self.what = what
        self.lines: list[str] = []
        self._started = time.monotonic()
        self._shown_at = 0.0
        self._lock = threading.Lock()
        self._handle: Any = None

    def __call__(self, event: dict[str, Any]) -> None:
        """Take one ``request_progress`` event; show it unless the last line was just drawn."""
        done, total = int(event.get("planes_done", 0)), int(event.get("planes_total", 0))
        if total == 0:
            return  # nothing to fetch: no bar
        line = f"{self.title}: " + transfer_line(
            self.what,
            done,
            total,
            int(event.get("bytes_done", 0)),
            int(event.get("bytes_total", 0)),
            time.monotonic() - self._started,
        )
        now = time.monotonic()
        with self._lock:
            if done < total and now - self._shown_at < _MIN_INTERVAL_S:
                return
            self._shown_at = now
            self.lines.append(line)
            self._show(line, final=done >= total)

    def _show(self, line: str, *, final: bool) -> None:
        if get_ipython() is not None:
            if self._handle is None:
                self._handle = display({"text/plain": line}, raw=True, display_id=True)
            else:
                self._handle.update({"text/plain": line}, raw=True)
            return
        sys.stderr.write(f"\r{line}" + ("\n" if final else ""))
        sys.stderr.flush()
