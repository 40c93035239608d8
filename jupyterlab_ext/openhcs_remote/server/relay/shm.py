"""Attach OpenHCS's shared-memory blocks without taking ownership of them.

polystore 0.2.19 makes the *sender* the owner: it unlinks each block after the
viewer's reply (``StreamingBackend.save_batch``, ``_streaming_backend.py:780-801``).
A receiver attaches, copies and closes, and must not let Python's resource
tracker unlink the block at exit: the same rule as polystore's
``StreamingSharedMemoryAuthority.copy_sender_owned_array`` (lines 305-325).
"""

from __future__ import annotations

import mmap
from contextlib import suppress
from multiprocessing import resource_tracker, shared_memory
from multiprocessing.shared_memory import _USE_POSIX  # type: ignore[attr-defined]

from openhcs_remote.server.relay.batch import IncomingItem
from openhcs_remote.server.relay.relay_errors import SharedMemoryBlockError


class AttachedBlock:
    """One attached block, sized and checked against its item's shape and dtype.

    Parameters
    ----------
    item
        A validated image item with ``shm_name`` set.

    Raises
    ------
    SharedMemoryBlockError
        The block does not exist, or its size does not fit ``shape`` × ``dtype``.
    """

    def __init__(self, item: IncomingItem) -> None:
        assert item.shm_name is not None
        where = f"images[{item.index}].shm_name"
        try:
            self._memory = shared_memory.SharedMemory(name=item.shm_name)
        except FileNotFoundError as error:
            raise SharedMemoryBlockError(
                f"shared-memory block {item.shm_name!r} does not exist (gone before the reply?)",
                field=where,
            ) from error
        except (OSError, ValueError) as error:
            raise SharedMemoryBlockError(
                f"cannot attach shared-memory block {item.shm_name!r}: {error}", field=where
            ) from error
        if _USE_POSIX:
            # Attaching registers the block with the resource tracker, which would
            # unlink it when this process exits; the sender owns it.
            resource_tracker.unregister(self._memory._name, "shared_memory")  # type: ignore[attr-defined]
        size, needed = self._memory.size, item.nbytes
        # POSIX blocks are exactly the requested size on Linux; other systems round
        # up to a page. A bigger gap means the shape or dtype does not describe it.
        if size < needed or size - needed >= mmap.PAGESIZE:
            self.close()
            raise SharedMemoryBlockError(
                f"block {item.shm_name!r} holds {size} bytes but shape {list(item.shape)} "
                f"of {item.dtype} needs {needed}",
                field=f"images[{item.index}]",
            )
        self.nbytes = needed

    def view(self) -> memoryview:
        """Return the pixel bytes, C order, native (little-endian) byte order."""
        return self._memory.buf[: self.nbytes]

    def close(self) -> None:
        """Detach; the sender unlinks the block after our reply."""
        with suppress(BufferError, OSError):
            self._memory.close()
