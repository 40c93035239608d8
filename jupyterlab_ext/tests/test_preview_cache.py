"""The kernel's preview cache: on disk, bounded, and its memory flat whatever the plate size."""

from __future__ import annotations

import os
import sys
import threading
import tracemalloc

from openhcs_remote.notebook import preview_cache
from openhcs_remote.notebook.images import ImageKey
from openhcs_remote.notebook.preview_cache import PreviewCache

PREVIEW = 256 * 256  # the largest preview: longest edge 256 px, 8 bits


def event(well: str, site: int, seq: int) -> dict:
    return {
        "event": "preview",
        "seq": seq,
        "well": well,
        "site": site,
        "channel": 1,
        "z": 1,
        "timepoint": 1,
        "step": "normalize",
        "width": 256,
        "height": 256,
        "source_shape": [1, 2048, 2048],
        "dtype": "uint16",
        "value_min": 12.0,
        "value_max": 4095.5,
        "ignored": "not a widget field",
    }


def key_of(well: str, site: int) -> ImageKey:
    return ImageKey(well, site, 1, 1, 1, "normalize")


def test_a_preview_comes_back_bit_exact_with_the_widget_header(tmp_path):
    cache = PreviewCache(directory=str(tmp_path))
    pixels = os.urandom(PREVIEW)
    key, header = cache.put(event("B03", 2, 7), pixels)
    assert key == key_of("B03", 2)
    got_header, got_pixels = cache[key]
    assert got_pixels == pixels
    assert got_header == header and header["kind"] == "ohr-preview"
    assert "ignored" not in header and header["value_max"] == 4095.5
    assert key in cache and key_of("B03", 1) not in cache
    assert cache.get(key_of("B03", 1)) is None
    assert list(os.listdir(tmp_path)) == []  # the file is unlinked: nothing left behind
    cache.close()


def test_a_newer_preview_of_a_plane_replaces_the_older_one():
    cache = PreviewCache()
    cache.put(event("A01", 1, 1), b"\x01" * PREVIEW)
    before = cache.nbytes
    cache.put(event("A01", 1, 9), b"\x02" * PREVIEW)
    assert len(cache) == 1 and cache.nbytes == before
    header, pixels = cache[key_of("A01", 1)]
    assert header["seq"] == 9 and pixels == b"\x02" * PREVIEW


def test_the_oldest_planes_go_first_and_the_file_stays_bounded():
    cache = PreviewCache(max_bytes=8 * 1024 * 1024)
    for seq in range(1000):  # 64 MiB of previews through an 8 MiB cache
        cache.put(event(f"A{seq:03d}", 1, seq), bytes([seq % 251]) * PREVIEW)
        assert cache.nbytes <= cache.max_bytes
        # Garbage is rewritten away once it passes the live records (and a 16 MiB floor).
        assert cache.file_bytes <= cache.nbytes + max(cache.nbytes, 16 << 20) + PREVIEW + 4096
    held = cache.keys_of()
    assert cache.dropped == 1000 - len(held) and len(held) >= 100
    assert held == [key_of(f"A{seq:03d}", 1) for seq in range(1000 - len(held), 1000)]
    for key in held:  # every record survived the rewrites bit-exact
        seq = int(key.well[1:])
        header, pixels = cache[key]
        assert header["seq"] == seq and pixels == bytes([seq % 251]) * PREVIEW


def test_the_kernel_holds_no_pixels_for_a_screen_sized_plate():
    # 384 wells × 9 sites × 4 channels is 13 824 planes; a quarter of them, at the largest
    # preview, is 864 MiB through the cache. What stays in memory is the index, not the pixels.
    cache = PreviewCache(max_bytes=1 << 40)
    wells = [f"{'ABCDEFGHIJKLMNOP'[seq % 16]}{seq // 16:02d}" for seq in range(3456)]
    # The cache interns well names; the interpreter's table of them (one for the process, and
    # resized whole as earlier tests filled it) is not the cache's memory.
    wells = [sys.intern(well) for well in wells]
    tracemalloc.start()
    try:
        for seq in range(3456):
            pixels = bytes([seq % 251]) * PREVIEW  # as the sidecar's frames come: each its own
            cache.put(event(wells[seq], seq, seq), pixels)
        everything, peak = tracemalloc.get_traced_memory()
        # Allocated here or in the cache: threads that earlier tests left (a relay's, a feed's)
        # allocate meanwhile too, and are not the cache's.
        ours = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(True, __file__), tracemalloc.Filter(True, preview_cache.__file__)]
        )
        held = sum(stat.size for stat in ours.statistics("filename"))
    finally:
        tracemalloc.stop()
    assert len(cache) == 3456 and cache.file_bytes > 3456 * PREVIEW
    assert held < 3 * 1024 * 1024, f"{held} bytes held for {len(cache)} previews"
    assert peak < everything + 4 * PREVIEW, f"peak {peak} bytes"
    cache.close()


def test_readers_see_whole_previews_while_planes_are_dropped_and_the_file_rewritten():
    cache = PreviewCache(max_bytes=2 * 1024 * 1024)
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                for key, (header, pixels) in cache.previews():
                    assert pixels == bytes([header["seq"] % 251]) * PREVIEW
                    assert key.well == header["well"]
        except BaseException as error:  # reported below, from the test's thread
            errors.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    for seq in range(1500):
        cache.put(event(f"A{seq:04d}", 1, seq), bytes([seq % 251]) * PREVIEW)
    stop.set()
    reader.join(10)
    assert not reader.is_alive() and errors == []


def test_a_full_disk_drops_previews_with_one_warning_and_the_cache_goes_on(
    tmp_path, monkeypatch, caplog
):
    # A full disk cannot be had on demand: os.pwrite fails as it would (ENOSPC) for a while.
    import errno

    cache = PreviewCache(directory=str(tmp_path))
    cache.put(event("A01", 1, 1), b"\x01" * PREVIEW)
    real = os.pwrite

    def full(fd: int, data: bytes, offset: int) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(preview_cache.os, "pwrite", full)
    with caplog.at_level("WARNING", logger="openhcs_remote.previews"):
        for seq in range(2, 12):
            cache.put(event("A01", 1, seq), b"\x02" * PREVIEW)  # the same plane, newer
    warnings = [r for r in caplog.records if "could not write plane" in r.getMessage()]
    assert len(warnings) == 1 and str(tmp_path) in warnings[0].getMessage()
    assert "No space left" in warnings[0].getMessage()
    assert cache.dropped == 10
    assert key_of("A01", 1) not in cache  # its older preview is not shown as if it were current
    monkeypatch.setattr(preview_cache.os, "pwrite", real)
    cache.put(event("B01", 1, 12), b"\x03" * PREVIEW)  # writing works again
    assert cache[key_of("B01", 1)][1] == b"\x03" * PREVIEW


def test_a_short_write_is_not_taken_for_a_whole_preview(tmp_path, monkeypatch):
    cache = PreviewCache(directory=str(tmp_path))
    real = os.pwrite
    monkeypatch.setattr(preview_cache.os, "pwrite", lambda fd, data, at: real(fd, data[:100], at))
    cache.put(event("A01", 1, 1), b"\x01" * PREVIEW)
    assert key_of("A01", 1) not in cache and cache.dropped == 1


def test_headers_come_back_without_their_pixels_in_order():
    cache = PreviewCache()
    for seq, well in enumerate(("A01", "B02", "C03")):
        cache.put(event(well, 1, seq), bytes([seq]) * PREVIEW)
    assert [(key, header) for key, header in cache.headers()] == [
        (key, header) for key, (header, _) in cache.previews()
    ]
    assert [key.well for key, _ in cache.headers()] == ["A01", "B02", "C03"]
