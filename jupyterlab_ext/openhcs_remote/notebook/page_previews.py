"""Which previews the kernel sends the page: what the page keeps, not the whole plate.

The browser keeps every well's thumbnail plane (reduced to its grid cell) and full previews of
the few wells its viewer showed last (``src/widget/imaging/preview-cache.ts``); every other
preview it would receive only to drop it. A 384-well, 9-site, 4-channel plate is 13 824 such
messages of up to 64 KiB through jupyter_server, the websocket (across the internet, from a
Binder pod) and the page's one thread, for the 1 536 it keeps; on a laptop's busy core they
held the thumbnails up behind them. So the page is sent:

- every preview of a well it holds in full: the first :data:`HELD_WELLS` wells to have
  previews (the page takes those without asking, and the kernel may be too busy running a cell
  to hear it ask), and each well whose previews the page asked for since (its viewer shows it);
- of every other well, the previews of its thumbnail plane only: the newest step's lowest site,
  z and timepoint, every channel — the rule of ``src/widget/imaging/thumbnail-store.ts``.

The rest stay in the kernel's cache: ``replay_previews {well}`` sends them when the viewer asks.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass

from .images import ImageKey

#: Wells whose full previews the page keeps: twin of ``HELD_WELLS`` in ``preview-cache.ts``.
HELD_WELLS = 2
#: Wells asked for that keep getting every preview: two pages (browser tabs) may hold their own.
ASKED_WELLS = 2 * HELD_WELLS

Rank = tuple[int, int, int]


def _rank(key: ImageKey) -> Rank:
    """Where a plane comes in its well's order for the thumbnail (absent coordinates first)."""
    return (
        -1 if key.site is None else key.site,
        -1 if key.z is None else key.z,
        -1 if key.timepoint is None else key.timepoint,
    )


@dataclass
class _Thumbnail:
    """A well's thumbnail plane as the page chooses it: its step and rank, the newest seq seen."""

    step: str | None
    rank: Rank
    newest: int


class PagePreviews:
    """Follow a run's previews as they arrive and say which of them the page is sent.

    Thread-safe: previews arrive on the sidecar's reader thread, the page's requests on the
    kernel's main thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first: list[str] = []
        self._asked: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._thumbnails: dict[str, _Thumbnail] = {}

    def arrived(self, key: ImageKey, seq: int) -> bool:
        """Note a preview that arrived; return whether the page is sent it."""
        with self._lock:
            if key.well not in self._first and len(self._first) < HELD_WELLS:
                self._first.append(key.well)
            in_thumbnail = self._take_into_thumbnail(key, seq)
            return in_thumbnail or self._held(key.well)

    def ask(self, well: str) -> None:
        """Send all of ``well``'s previews from now on: the page asked for them (it shows it)."""
        with self._lock:
            self._asked.pop(well, None)
            self._asked[well] = None
            while len(self._asked) > ASKED_WELLS:
                self._asked.popitem(last=False)

    def for_page(self, keys: list[ImageKey]) -> list[ImageKey]:
        """Of ``keys`` (the cache's, oldest first), those a page that has none is sent.

        The held wells' come first, the most recently asked for first: a new page keeps the
        first wells it gets, so it keeps these.
        """
        with self._lock:
            held = [*reversed(self._asked), *(w for w in self._first if w not in self._asked)]
            order = {well: i for i, well in enumerate(held)}
            chosen = [key for key in keys if key.well in order or self._in_thumbnail(key)]
        return sorted(chosen, key=lambda key: order.get(key.well, len(order)))

    def _held(self, well: str) -> bool:
        return well in self._first or well in self._asked

    def _in_thumbnail(self, key: ImageKey) -> bool:
        thumbnail = self._thumbnails.get(key.well)
        return thumbnail is not None and key.step == thumbnail.step and _rank(key) == thumbnail.rank

    def _take_into_thumbnail(self, key: ImageKey, seq: int) -> bool:
        """Update the well's thumbnail plane as the page does; whether ``key`` is part of it."""
        thumbnail = self._thumbnails.get(key.well)
        if thumbnail is None or (seq > thumbnail.newest and key.step != thumbnail.step):
            self._thumbnails[key.well] = _Thumbnail(key.step, _rank(key), seq)
            return True
        thumbnail.newest = max(thumbnail.newest, seq)
        if key.step != thumbnail.step or _rank(key) > thumbnail.rank:
            return False
        thumbnail.rank = _rank(key)
        return True
