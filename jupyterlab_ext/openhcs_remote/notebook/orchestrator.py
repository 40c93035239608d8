"""``RemoteOrchestrator``: OpenHCS's ``PipelineOrchestrator`` feel, with the work done remotely.

Nothing is compiled here. The pipeline and config travel as Python source (OpenHCS objects are
rendered by OpenHCS's own generator); the kernel-adjacent sidecar talks to the server and the
relay, keeps the images, and streams progress and previews back. Every method that starts
something returns at once.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from pathlib import Path
from typing import Any, Literal

from .codegen import pipeline_and_config_code
from .omero_layout import read_omero_plate
from .relay_endpoint import RelayEndpoint, relay_endpoint
from .rerun import Submission
from .run import ImageCallback, RemoteRun
from .sidecar import SidecarProcess, shared_sidecar

log = logging.getLogger("openhcs_remote")


class RemoteOrchestrator:
    """A client of one OpenHCS execution server (and its relay), for notebooks.

    Parameters
    ----------
    server_host, server_port
        The execution server (progress on ``server_port``, control on ``server_port + 1000``).
    omero_conn
        An ``omero.gateway.BlitzGateway`` (optional): plate layout and channel names come from
        OMERO before the first image arrives.
    relay
        Where result images stream from: ``None`` for the relay next to the server
        (``server_host:5600``), ``"host:port"``, ``(host, port)``, a port, a
        ``{"host", "port", "curve_public_key"}`` dict, or ``False`` for no images.
    timeout, retries
        Budget of each control request in seconds, and retries of transient failures.
    store_dir
        Keep received images under this directory (default: a temporary one removed with the
        sidecar; :meth:`attach` refills it from the relay's spool).
    delivery
        ``"previews"`` (default): only the 8-bit previews the relay makes on the server host
        cross the link; a plane crosses when it is asked for (``run.images``, the viewer's full
        resolution, ``run.save``), Blosc-compressed (docs/relay-stream-protocol.md §4.2).
        ``"full"``: every plane crosses as it arrives (a fast link, or ``on_image`` callbacks
        that read every plane anyway).
    """

    def __init__(
        self,
        server_host: str = "127.0.0.1",
        server_port: int = 7777,
        omero_conn: Any = None,
        *,
        relay: Any = None,
        timeout: float = 30.0,
        retries: int = 3,
        store_dir: str | os.PathLike[str] | None = None,
        delivery: Literal["full", "previews"] = "previews",
    ) -> None:
        self.server_host = server_host
        self.server_port = int(server_port)
        self.omero_conn = omero_conn
        self.relay: RelayEndpoint | None = relay_endpoint(relay, server_host)
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.store_dir = Path(store_dir).expanduser().resolve() if store_dir else None
        if delivery not in ("full", "previews"):
            raise ValueError(f"delivery must be 'full' or 'previews', not {delivery!r}")
        self.delivery = delivery
        self.runs: dict[str, RemoteRun] = {}

    @property
    def address(self) -> str:
        """``host:port`` of the execution server."""
        return f"{self.server_host}:{self.server_port}"

    def __repr__(self) -> str:
        relay = "no relay" if self.relay is None else f"relay {self.relay.address}"
        return f"<RemoteOrchestrator {self.address}, {relay}>"

    @property
    def sidecar(self) -> SidecarProcess:
        """The kernel's sidecar (started on first use)."""
        return shared_sidecar()

    def _endpoint(self) -> dict[str, Any]:
        return {
            "host": self.server_host,
            "port": self.server_port,
            "relay": None if self.relay is None else self.relay.wire(),
            "timeout_s": self.timeout,
            "retries": self.retries,
        }

    def connect(self, timeout: float | None = None) -> dict[str, Any]:
        """Handshake with the server (ping, check it is OpenHCS); returns what it says of itself.

        Raises
        ------
        ServerUnreachableError
            Nothing answered within the timeout, after retries.
        IncompatibleServerError
            Something answered that is not an OpenHCS execution server.
        """
        result, _ = self.sidecar.call("connect", server=self._endpoint(), timeout=timeout)
        return dict(result["server"])

    def status(self, execution_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Return the server's record of one run (status, times, error and traceback)."""
        result, _ = self.sidecar.call(
            "status", server=self._endpoint(), execution_id=execution_id, timeout=timeout
        )
        return dict(result["record"])

    def cancel_execution(self, execution_id: str) -> str:
        """Ask the server to cancel a run (PipelineOrchestrator's name)."""
        result, _ = self.sidecar.call("cancel", server=self._endpoint(), execution_id=execution_id)
        return str(result.get("message", "cancelled"))

    def run_remote_pipeline(
        self,
        plate_id: int | str,
        pipeline: Any,
        config: Any = None,
        viewer_port: int | Literal["relay"] | None = "relay",
        *,
        config_params: dict[str, Any] | None = None,
        on_image: ImageCallback | None = None,
    ) -> RemoteRun:
        """Submit a run and return its :class:`RemoteRun` at once (it displays as a widget).

        Parameters
        ----------
        plate_id
            A plate path on the server, or an OMERO plate id.
        pipeline, config
            Python source, paths to ``.py`` files, or OpenHCS objects (``FunctionStep`` list,
            ``GlobalPipelineConfig`` / ``PipelineConfig``), rendered by OpenHCS's generator.
        viewer_port
            The relay's OpenHCS viewer port on the server host. The code is changed so that
            every step streams its results there (docs/relay-stream-protocol.md §8). Default
            ``"relay"``: the port the relay names when asked. ``None`` sends the code unchanged
            (only images it streams to the relay itself arrive).
        config_params
            OpenHCS's auxiliary options, e.g. ``{"well_filter": ["A01"]}``.
        on_image
            Called (on a background thread) with each stored image.

        Raises
        ------
        CodeGenerationError
            The pipeline or config is neither source nor a renderable OpenHCS object.
        """
        pipeline_code, config_code = pipeline_and_config_code(pipeline, config)
        run = self._new_run(on_image)
        if self.omero_conn is not None:
            threading.Thread(target=self._omero_layout, args=(run, plate_id), daemon=True).start()
        request = {
            "run_key": run.run_key,
            "server": self._endpoint(),
            "plate_id": plate_id if isinstance(plate_id, int) else str(plate_id),
            "pipeline_code": pipeline_code,
            "config_code": config_code,
            "config_params": config_params,
            # The sidecar routes the code there (src/orchestrator/relay-client/stream-routing.ts).
            "viewer_port": viewer_port if self.relay is not None else None,
        }
        self._submit(run, "run", request)
        run.submission = Submission(
            plate_id,
            config_params,
            lambda params: self.run_remote_pipeline(
                plate_id, pipeline_code, config_code, viewer_port, config_params=params
            ),
        )
        return run

    def execute_remote(
        self, plate_id: int | str, pipeline: Any, config: Any = None, **options: Any
    ) -> str:
        """Submit a run and return its execution id once the server accepted it.

        Takes the arguments of :meth:`run_remote_pipeline`; the run is followed in the
        background as well (``orch.attach(execution_id)`` returns its handle).
        """
        run = self.run_remote_pipeline(plate_id, pipeline, config, **options)
        return run._require_id()

    def attach(self, execution_id: str, *, on_image: ImageCallback | None = None) -> RemoteRun:
        """Follow a run that was submitted elsewhere (another kernel, before a restart).

        Images already streamed are fetched again from the relay's spool.
        """
        known = self.runs.get(execution_id)
        if known is not None:
            return known
        run = self._new_run(on_image)
        request = {"run_key": run.run_key, "server": self._endpoint(), "execution_id": execution_id}
        self._submit(run, "attach", request)
        return run

    def _new_run(self, on_image: ImageCallback | None) -> RemoteRun:
        run = RemoteRun(self.sidecar, uuid.uuid4().hex, self.address)
        if on_image is not None:
            run.on_image(on_image)
        return run

    def _submit(self, run: RemoteRun, op: str, request: dict[str, Any]) -> None:
        if self.store_dir is not None:
            request["store_dir"] = str(self.store_dir)
        request["delivery"] = self.delivery
        future = self.sidecar.request(op, **request)

        def settled(done: Any) -> None:
            error = done.exception()
            if error is not None:
                run._fail_to_start(error)
            else:
                self.runs[str(done.result()[0]["execution_id"])] = run

        future.add_done_callback(settled)

    def _omero_layout(self, run: RemoteRun, plate_id: int | str) -> None:
        try:
            plate = read_omero_plate(self.omero_conn, plate_id)
        except Exception as error:  # OMERO raises its own Ice errors, not only ours
            log.warning("no plate layout from OMERO for plate %s: %s", plate_id, error)
            return
        run.state.set_omero_layout(plate.layout, list(plate.channel_names))
        run.display.changed()
