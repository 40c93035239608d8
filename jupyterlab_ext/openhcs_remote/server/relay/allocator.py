"""Keep the relay's freed buffers for reuse instead of handing them back to the OS at once.

Every plane the relay handles allocates and frees buffers of a few hundred KiB to a few MiB
(ingest's copies, a preview's histogram and block sums). glibc serves those with ``mmap`` and
returns them with ``munmap`` on ``free``, so the next plane faults the same memory back in,
zeroed, a page at a time: about 1 000 page faults and 4 ms of a 512² uint16 preview's 6 ms of
CPU (``npm run bench -- planes``; in the relay on the shaped link, 7.5 ms a preview on a core
shared with OpenHCS). From the heap and kept up to :data:`TRIM_THRESHOLD` free at its top, the
buffers are reused as they are: 1.9 ms a preview. The cost is at most that much freed memory
kept mapped, bounded, not growing with the plate (docs/relay-stream-protocol.md §4.2). Other C
libraries are left as they are.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

logger = logging.getLogger(__name__)

#: glibc's ``mallopt`` parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap (glibc's largest allowed is 32 MiB on 64-bit):
#: a 2048² uint16 plane (8 MiB) and its copies included.
MMAP_THRESHOLD = 32 * 1024 * 1024
#: Free memory at the top of the heap kept for reuse before it is returned to the OS.
TRIM_THRESHOLD = 64 * 1024 * 1024


def keep_freed_buffers() -> bool:
    """Tune glibc's allocator as above; False (and nothing changed) on another C library."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success; musl has no mallopt, macOS's is a no-op stub.
    ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    ok = mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and ok
    if not ok:
        logger.info("the C library did not take the allocator settings; left as it is")
    return ok
