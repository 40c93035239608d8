"""The kernel-adjacent Node sidecar: start it, talk to it, and let it go with the kernel.

One sidecar per kernel process, started on first use (:func:`shared_sidecar`). It owns the
ZeroMQ sockets and the result store; the shim sends it requests and gets replies and events
over stdio frames (docs/sidecar-protocol.md). A reader thread takes frames off its stdout, so
the kernel never waits for the network. The sidecar exits by itself when the kernel goes: its
stdin reaches EOF, or its parent pid changes.
"""

from __future__ import annotations

import collections
import itertools
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from .node_runtime import find_node, find_sidecar_script
from .shim_errors import SidecarError, error_from_wire
from .sidecar_frames import encode_frame, read_frame

log = logging.getLogger("openhcs_remote.sidecar")

Reply = tuple[dict[str, Any], bytearray | None]
EventListener = Callable[[dict[str, Any], bytearray | None], None]

_STDERR_TAIL = 60
#: The sidecar → shim pipe's buffer: 16 of the widget's 64 KiB previews (Linux's default most for
#: an unprivileged user, /proc/sys/fs/pipe-max-size).
EVENT_PIPE_BYTES = 1024 * 1024


#: How the sidecar's Node runs (``bench -- stream`` runs its client leg the same way).
#: ``--optimize-for-size``: V8 otherwise lets the heap fill with garbage for minutes before it
#: collects (measured: peak RSS 124 MiB with 15 MiB live on a 384-well run); the sidecar's pixels
#: are outside the heap, so collecting sooner costs it little (it does cost the fastest reads:
#: relay → client ~2 500 vs ~3 500 MB/s without, on loopback; a real link is far slower).
#: ``--single-threaded-gc``: helper threads for a heap this small only take turns with ZeroMQ's
#: I/O thread, the kernel and the browser (measured: relay → client 1 785 → 2 032 MB/s, 15 % less
#: CPU a byte, before received frames were freed at once: frame-release.ts).
NODE_FLAGS = ("--optimize-for-size", "--single-threaded-gc")


class SidecarProcess:
    """One running sidecar and the reader threads around it.

    Received images go to a temporary directory the sidecar removes when it exits (a later
    :meth:`RemoteOrchestrator.attach` refills it from the relay's spool), unless a run names
    its own ``store_dir``.
    """

    def __init__(self) -> None:
        self.store_root = tempfile.mkdtemp(prefix="ohr-store-")
        self.ready: Future[dict[str, Any]] = Future()
        self._colors: tuple[str, ...] = ()
        self._heatmap_colors: tuple[str, ...] = ()
        self._ids = itertools.count(1)
        self._pending: dict[int, Future[Reply]] = {}
        self._listeners: dict[str, EventListener] = {}
        self._global: list[EventListener] = []
        self._progress: dict[int, Callable[[dict[str, Any]], None]] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL)
        self._closed = False
        command = [find_node(), *NODE_FLAGS, str(find_sidecar_script())]
        command += ["--parent-pid", str(os.getpid())]
        command += ["--store-root", self.store_root]
        # A session of its own: "interrupt kernel" signals the kernel's process group, and must
        # not take the sidecar (and every run it follows) down with it.
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        widen_pipe(self.process.stdout.fileno())
        threading.Thread(target=self._read_events, name="ohr-sidecar-reader", daemon=True).start()
        threading.Thread(target=self._read_stderr, name="ohr-sidecar-stderr", daemon=True).start()

    def channel_colors(self) -> tuple[str, ...]:
        """Return the channel palette of the sidecar's ``ready`` event (one table, in TS)."""
        if not self._colors:
            self.ready.result(timeout=60)
        return self._colors

    def heatmap_colors(self) -> tuple[str, ...]:
        """Return the heatmap's colour stops of the sidecar's ``ready`` event (one table, in TS)."""
        if not self._heatmap_colors:
            self.ready.result(timeout=60)
        return self._heatmap_colors

    @property
    def pid(self) -> int:
        """Process id of the Node process."""
        return self.process.pid

    @property
    def alive(self) -> bool:
        """Whether the process is still running and the link open."""
        return not self._closed and self.process.poll() is None

    def request(
        self,
        op: str,
        payload: bytes | None = None,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
        **fields: Any,
    ) -> Future[Reply]:
        """Send a request; the future resolves with ``(result, payload)`` or an error.

        ``on_progress`` gets the request's ``request_progress`` events (on the reader thread).
        """
        future: Future[Reply] = Future()
        with self._lock:
            if self._closed:
                raise SidecarError(self._exit_message("the sidecar is not running"))
            request_id = next(self._ids)
            self._pending[request_id] = future
            if on_progress is not None:
                self._progress[request_id] = on_progress
        frame = encode_frame({"type": "request", "id": request_id, "op": op, **fields}, payload)
        try:
            with self._write_lock:
                assert self.process.stdin is not None
                self.process.stdin.write(frame)
                self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as error:
            with self._lock:
                self._pending.pop(request_id, None)
                self._progress.pop(request_id, None)
            raise SidecarError(self._exit_message(f"cannot send {op!r}")) from error
        return future

    def call(
        self,
        op: str,
        *,
        timeout: float | None = 60.0,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
        **fields: Any,
    ) -> Reply:
        """Send a request and wait for its reply (raises the error class of its code)."""
        return self.request(op, on_progress=on_progress, **fields).result(timeout)

    def listen(self, run_key: str, listener: EventListener) -> Callable[[], None]:
        """Route the events of one run to ``listener`` (called on the reader thread)."""
        with self._lock:
            self._listeners[run_key] = listener
        return lambda: self._listeners.pop(run_key, None)

    def listen_all(self, listener: EventListener) -> None:
        """Get events that belong to no run (``server_info``, ``warning``, ``log``)."""
        self._global.append(listener)

    def close(self, timeout: float = 5.0) -> None:
        """Ask the sidecar to shut down, then make sure it is gone."""
        if self.alive:
            try:
                self.request("shutdown").result(timeout)
            except Exception:  # shutting down anyway
                log.debug("sidecar shutdown request failed", exc_info=True)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _read_events(self) -> None:
        assert self.process.stdout is not None
        reason = "the sidecar exited"
        try:
            while (frame := read_frame(self.process.stdout)) is not None:
                self._dispatch(*frame)
        except Exception as error:  # any failure ends the link, and is reported
            reason = f"the link to the sidecar broke: {error}"
            log.exception("sidecar link broke")
        self._on_exit(reason)

    def _dispatch(self, header: dict[str, Any], payload: bytearray | None) -> None:
        if header.get("type") == "reply":
            with self._lock:
                future = self._pending.pop(int(header.get("id", -1)), None)
                self._progress.pop(int(header.get("id", -1)), None)
            if future is None:
                log.warning("sidecar reply to an unknown request: %s", header)
            elif header.get("ok"):
                future.set_result((header.get("result") or {}, payload))
            else:
                future.set_exception(error_from_wire(header.get("error") or {}))
            return
        if header.get("event") == "request_progress":
            self._report_progress(header)
            return
        if header.get("event") == "ready" and not self.ready.done():
            self._colors = _palette(header, "channel_colors", ("#FFFFFF",))
            self._heatmap_colors = _palette(header, "heatmap_colors", ("#000000", "#FFFFFF"))
            self.ready.set_result(header)
        listener = self._listeners.get(str(header.get("run_key", "")))
        targets = [listener] if listener is not None else self._global
        for target in targets:
            try:
                target(header, payload)
            except Exception:
                log.exception("sidecar event listener failed on %s", header.get("event"))

    def _report_progress(self, header: dict[str, Any]) -> None:
        request_id = header.get("request_id")
        with self._lock:
            callback = self._progress.get(request_id) if isinstance(request_id, int) else None
        if callback is None:
            return  # its request already has its reply, or never asked to hear
        try:
            callback(header)
        except Exception:
            log.exception("progress callback of request %s failed", request_id)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            self._stderr.append(line)
            log.debug("sidecar: %s", line)

    def _on_exit(self, reason: str) -> None:
        code = self.process.wait()
        # The sidecar removes its store when it exits; if it crashed, the shim that made it does.
        shutil.rmtree(self.store_root, ignore_errors=True)
        with self._lock:
            self._closed = True
            pending, self._pending = self._pending, {}
            self._progress.clear()
            listeners = list(self._listeners.items())
        error = SidecarError(self._exit_message(f"{reason} (exit code {code})"))
        if not self.ready.done():
            self.ready.set_exception(error)
        for future in pending.values():
            future.set_exception(error)
        for run_key, listener in listeners:
            lost = {"code": "ERR_SIDECAR", "message": str(error), "traceback": None}
            listener({"type": "event", "event": "lost", "run_key": run_key, "error": lost}, None)

    def _exit_message(self, what: str) -> str:
        tail = "\n".join(list(self._stderr)[-15:])
        return f"{what}; sidecar stderr:\n{tail}" if tail else what


def widen_pipe(fd: int, size: int = EVENT_PIPE_BYTES) -> int:
    """Give the pipe ``fd`` a buffer of ``size`` bytes (Linux) and return the size it has.

    The sidecar takes a run's next result only once the last one's events are in the pipe (so a
    slow shim slows it down instead of growing its memory): with the default 64 KiB buffer, each
    64 KiB preview waits until this process's reader thread, which needs the GIL, has read it,
    and a well's previews cross one wake-up at a time. With room for a well's batch the sidecar
    writes them and goes on. Left as it is where the system does not allow it.
    """
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_size is None:
        return 0
    try:
        return fcntl.fcntl(fd, set_size, size)
    except OSError:  # above /proc/sys/fs/pipe-max-size for an unprivileged user, or not a pipe
        return 0


_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _palette(ready: dict[str, Any], field: str, fallback: tuple[str, ...]) -> tuple[str, ...]:
    """Check a colour list of the ``ready`` event; ``fallback`` (and an error logged) if bad."""
    value = ready.get(field)
    if (
        isinstance(value, list)
        and 0 < len(value) <= 64
        and all(isinstance(c, str) and _COLOR.match(c) for c in value)
    ):
        return tuple(value)
    log.error("sidecar ready event: field %s is not a list of #RRGGBB: %r", field, value)
    return fallback


_shared: SidecarProcess | None = None
_shared_lock = threading.Lock()


def shared_sidecar() -> SidecarProcess:
    """Return the kernel's sidecar, started on first use and again if it died."""
    global _shared  # one sidecar per kernel process is the point
    with _shared_lock:
        if _shared is None or not _shared.alive:
            _shared = SidecarProcess()
        return _shared
