"""Pace what the shim sends the browser, so a fast run stays well under Jupyter's limits.

jupyter_server drops iopub messages beyond 1000 per second (averaged over 3 s), comm messages
included. A run can produce thousands of progress events and images a second, so:

- trait updates are coalesced: the state is read when due, at most one state message every
  ``trait_interval`` seconds, holding only the traits that changed (equal values are skipped);
- previews are queued per plane, as keys: each is read from the run's preview cache when its
  turn comes (so a newer preview of a plane replaces a queued older one, and a queue of
  thousands costs no pixels in memory), and sent within a budget of ``max_previews_per_s``
  messages and ``max_preview_bytes_per_s`` bytes (a token bucket; bursts of at most a quarter
  second);
- replies to the browser's commands go out at once: they are rare and someone waits for them;
- previews go before a due state update: a thumbnail is what the user is waiting to see.

All widget traffic leaves from the feed's one thread, so the widget's state is never touched
by two threads at once.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("openhcs_remote.widget")

PreviewKey = tuple[Any, ...]
Preview = tuple[dict[str, Any], bytes]


class WidgetFeed:
    """One thread that applies trait updates and sends previews to one widget."""

    def __init__(
        self,
        widget: Any,
        *,
        traits: Callable[[], dict[str, Any]],
        previews: Callable[[PreviewKey], Preview | None],
        trait_interval: float = 0.25,
        max_previews_per_s: int = 100,
        max_preview_bytes_per_s: int = 16 * 1024 * 1024,
    ) -> None:
        self.widget = widget
        self.traits = traits
        self.previews = previews
        self.trait_interval = trait_interval
        self.max_previews_per_s = max_previews_per_s
        self.max_preview_bytes_per_s = max_preview_bytes_per_s
        self.sent_messages = 0
        self._dirty = False
        self._previews: collections.OrderedDict[PreviewKey, None] = collections.OrderedDict()
        self._calls: collections.deque[Callable[[], None]] = collections.deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._flushing = False
        self._flushed = threading.Event()
        self._last_traits = 0.0
        self._thread = threading.Thread(target=self._run, name="ohr-widget-feed", daemon=True)
        self._thread.start()

    def mark_dirty(self) -> None:
        """Note a state change; ``traits()`` is read and applied at the next paced update."""
        with self._cond:
            self._dirty = True
            self._cond.notify()

    def send_preview(self, key: PreviewKey) -> None:
        """Queue one plane's ``ohr-preview`` message (its preview as it is when it goes out)."""
        with self._cond:
            self._previews.pop(key, None)
            self._previews[key] = None
            self._cond.notify()

    def call(self, function: Callable[[], None]) -> None:
        """Run ``function`` on the feed thread, ahead of queued previews (replies, commands)."""
        with self._cond:
            self._calls.append(function)
            self._cond.notify()

    def flush(self, timeout: float = 5.0) -> bool:
        """Send everything queued now (ignoring the trait pacing); ``True`` once it is out."""
        with self._cond:
            self._flushed.clear()
            self._flushing = True
            self._cond.notify()
        return self._flushed.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Send what is queued, then stop the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        # A token bucket: refilled at the allowed rate, holding at most a quarter second's worth,
        # so no one-second span (sliding, as the server measures) sees more than 1.25 × the rate.
        burst = 0.25
        messages, volume, refilled = 1.0, 0.0, time.monotonic()
        while True:
            with self._cond:
                while not (
                    self._calls or self._dirty or self._previews or self._stopping or self._flushing
                ):
                    self._cond.wait()
                stopping, urgent = self._stopping, self._stopping or self._flushing
            self._drain_calls()
            now = time.monotonic()
            elapsed, refilled = now - refilled, now
            messages = min(
                burst * self.max_previews_per_s, messages + elapsed * self.max_previews_per_s
            )
            volume = min(
                burst * self.max_preview_bytes_per_s,
                volume + elapsed * self.max_preview_bytes_per_s,
            )
            while messages >= 1 and volume > 0 and (item := self._pop_preview()) is not None:
                self._send(item[0], [item[1]])
                messages, volume = messages - 1, volume - len(item[1])
            # Previews first: someone watches for them; the state is coalesced and can wait.
            if self._dirty and (urgent or now - self._last_traits >= self.trait_interval):
                self._apply_traits()
            if urgent and not (self._previews or self._dirty or self._calls):
                if stopping:
                    self._flushed.set()
                    return
                with self._cond:
                    self._flushing = False
                self._flushed.set()
            # Sleep until the next trait slot or refill, unless new work arrives first. Previews
            # queued while this thread was sending were signalled to nobody: with budget left
            # they go now, not after a sleep (a well's last preview arrives that way).
            with self._cond:
                if self._calls:
                    continue
                wait = 0.05
                if self._previews:
                    wait = max(
                        (1 - messages) / self.max_previews_per_s,
                        -volume / self.max_preview_bytes_per_s,
                        0.0,
                    )
                if wait > 0:
                    self._cond.wait(min(wait, 0.05))

    def _drain_calls(self) -> None:
        while True:
            with self._cond:
                if not self._calls:
                    return
                function = self._calls.popleft()
            try:
                function()
            except Exception:
                log.exception("widget feed call failed")

    def _apply_traits(self) -> None:
        with self._cond:
            self._dirty = False
        self._last_traits = time.monotonic()
        try:
            traits = self.traits()
            with self.widget.hold_sync():
                for name, value in traits.items():
                    setattr(self.widget, name, value)
            self.sent_messages += 1
        except Exception:
            log.exception("widget state update failed")

    def _pop_preview(self) -> Preview | None:
        """Return the next queued preview still held (one dropped meanwhile is skipped)."""
        while True:
            with self._cond:
                if not self._previews:
                    return None
                key = self._previews.popitem(last=False)[0]
            preview = self.previews(key)
            if preview is not None:
                return preview

    def _send(self, content: dict[str, Any], buffers: list[bytes]) -> None:
        try:
            self.widget.send(content, buffers)
            self.sent_messages += 1
        except Exception:
            log.exception("widget message %s failed", content.get("kind"))
