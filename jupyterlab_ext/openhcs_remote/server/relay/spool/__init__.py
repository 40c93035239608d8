"""The relay's spool: every item it acknowledged to OpenHCS, on disk, by run and seq.

``store.py`` is the :class:`Spool` (runs, appends, reads, eviction past its byte bound),
``run.py`` one run's numbering and index, ``segment.py`` the record files, ``recovery.py``
rebuilding a run's state after a restart, ``plane_index.py`` each seq's path, shape and dtype
(to serve a plane from OpenHCS's file after eviction).
"""

from openhcs_remote.server.relay.spool.plane_index import plane_entry
from openhcs_remote.server.relay.spool.store import Spool

__all__ = ["Spool", "plane_entry"]
