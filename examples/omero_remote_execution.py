#!/usr/bin/env python
"""Run an OpenHCS pipeline on a remote server, on a plate from OMERO or from the server's disk.

The original plan's example (plan_04): connect to OMERO, query the plate (wells, channel
labels), define a pipeline, execute it remotely, and save the results. Without OMERO it runs on a
plate path on the server — e.g. against a local server (in the project's .venv):

    openhcs-remote-server synthetic-plate /tmp/demo-plate
    openhcs-remote-server &               # execution server :7777 (+8777), relay :5600
    python examples/omero_remote_execution.py --plate /tmp/demo-plate --out results/

With OMERO (needs `omero-py`, which needs ZeroC Ice):

    python examples/omero_remote_execution.py --server gpu-server.lab:7777 \\
        --omero-host omero.lab --omero-user me --plate 2201 --out results/

Reach a remote server through an SSH tunnel (docs/user-guide.md): its ports are loopback-only.
The notebook beside this file, omero_remote_execution.ipynb, runs the same steps cell by cell.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path
from typing import Any

from openhcs_remote import OpenHCSRemoteError, RemoteOrchestrator
from openhcs_remote.notebook.omero_layout import read_omero_plate

# The pipeline, as OpenHCS source (normalise, flatten z, count cells). With `openhcs` installed
# here, a list of FunctionStep objects works as well: RemoteOrchestrator turns it into source with
# OpenHCS's own generator.
PIPELINE = (Path(__file__).parent / "pipelines" / "normalize_project_count.py").read_text()

CONFIG = """
from openhcs.core.config import GlobalPipelineConfig
config = GlobalPipelineConfig(num_workers=1)
"""

OMERO_MISSING = """\
OMERO was asked for (--omero-host), but `omero-py` is not installed in this environment.
Install it with `pip install omero-py` (it needs ZeroC Ice, `zeroc-ice`, for your Python), or
leave out --omero-host and give --plate a path on the server."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", default="127.0.0.1:7777", help="execution server HOST:PORT")
    parser.add_argument("--relay", help="result relay HOST:PORT (default: the server host, :5600)")
    parser.add_argument(
        "--viewer-port",
        type=int,
        default=None,
        help="relay's OpenHCS viewer port (default: the one the relay names)",
    )
    parser.add_argument(
        "--plate", required=True, help="an OMERO plate id, or a plate path on the server"
    )
    parser.add_argument("--omero-host", help="OMERO server; plate layout and channels from there")
    parser.add_argument("--omero-port", type=int, default=4064)
    parser.add_argument("--omero-user", default=os.environ.get("OMERO_USER"))
    parser.add_argument("--out", type=Path, default=Path("results"), help="where results go")
    parser.add_argument("--wells", help="only these wells, e.g. A01,B02")
    return parser.parse_args(argv)


class OmeroUnavailableError(RuntimeError):
    """OMERO was asked for but cannot be reached: ``omero-py`` missing, or the login failed."""


def connect_omero(host: str, port: int = 4064, user: str | None = None) -> Any:
    """Open a BlitzGateway connection (password from ``OMERO_PASSWORD`` or a prompt)."""
    try:
        from omero.gateway import BlitzGateway
    except ImportError as error:
        raise OmeroUnavailableError(OMERO_MISSING) from error
    user = user or input("OMERO user: ")
    password = os.environ.get("OMERO_PASSWORD") or getpass.getpass("OMERO password: ")
    conn = BlitzGateway(user, password, host=host, port=port)
    if not conn.connect():
        raise OmeroUnavailableError(f"could not log in to OMERO at {host}:{port} as {user}")
    return conn


def describe_omero_plate(conn: Any, plate_id: int) -> str:
    """The plate's name, wells and channel labels, as the original plan queried them."""
    plate = read_omero_plate(conn, plate_id)
    shown = ", ".join(plate.wells[:8]) + ("…" if len(plate.wells) > 8 else "")
    return (
        f"OMERO plate {plate.plate_id} '{plate.name}': {len(plate.wells)} wells ({shown}), "
        f"{plate.layout['rows']}×{plate.layout['columns']} layout\n"
        f"channels: {', '.join(plate.channel_names) or '(none labelled)'}"
    )


def progress_line(run: Any, finished: bool) -> str:
    """One line of progress: status, percent, wells done and, until it finished, the ETA."""
    progress = run.progress
    eta = "" if progress.eta_s is None or finished else f", ETA {progress.eta_s:.0f} s"
    wells = f"{progress.wells_done}/{progress.wells_total} wells"
    return f"{run.status}: {progress.percent:5.1f} %, {wells}{eta}"


def main(argv: list[str] | None = None) -> int:
    """Run the example; exits with the error's own message (and traceback) when it fails."""
    try:
        run_example(parse_args(argv))
    except (OmeroUnavailableError, OpenHCSRemoteError) as error:
        sys.exit(f"error: {error}")
    return 0


def run_example(args: argparse.Namespace) -> None:
    """Describe the plate, run the pipeline remotely with progress, save the results."""
    plate: int | str = int(args.plate) if args.plate.isdigit() else args.plate
    conn = None
    if args.omero_host:
        conn = connect_omero(args.omero_host, args.omero_port, args.omero_user)
        print(describe_omero_plate(conn, int(plate)))
    elif isinstance(plate, str) and Path(plate).exists():
        plate = str(Path(plate).resolve())  # a local demo server shares this disk

    host, _, port = args.server.rpartition(":")
    orch = RemoteOrchestrator(host or "127.0.0.1", int(port), omero_conn=conn, relay=args.relay)
    server = orch.connect()
    print(f"connected to {orch.address}: {server.get('application')} {server.get('version')}")

    params = {"well_filter": args.wells.split(",")} if args.wells else None
    run = orch.run_remote_pipeline(
        plate, PIPELINE, CONFIG, viewer_port=args.viewer_port or "relay", config_params=params
    )
    shown = ""
    while True:
        finished = run.done()  # read first: the line drawn after it shows the final figures
        line = progress_line(run, finished)
        if line != shown:
            print(f"\r{line}\033[K", end="", flush=True)
            shown = line
        if finished:
            break
        time.sleep(0.5)
    print()
    run.result()  # raises RemoteExecutionError with the server's traceback if the run failed
    args.out.mkdir(parents=True, exist_ok=True)
    store = run.save(args.out / f"run-{run.execution_id[:8]}")
    run.contact_sheet(args.out / "contact-sheet.png")
    print(f"{run}\nresults: {store}\ncontact sheet: {args.out / 'contact-sheet.png'}")
    if conn is not None:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
