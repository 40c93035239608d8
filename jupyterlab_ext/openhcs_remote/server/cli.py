"""``openhcs-remote-server``: the one command on the server host."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from openhcs_remote.server.relay.cli_options import add_spool_and_curve_options

DESCRIPTION = """\
Start the OpenHCS execution server and the result relay on this host, bound to loopback
unless told otherwise, and keep them running until Ctrl-C or SIGTERM.

The OpenHCS server runs any Python it receives and has no authentication. Keep it on
loopback and reach it through an SSH tunnel (docs/user-guide.md)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openhcs-remote-server",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the OpenHCS execution server (the default command)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_serve_arguments(serve)

    keygen = commands.add_parser(
        "curve-keygen",
        help="write a CURVE key pair for the relay (relay.key, relay.key_secret)",
        description="Write a ZeroMQ CURVE certificate pair. Give the relay the .key_secret "
        "file (--curve-secret-key); give clients the public key printed here.",
    )
    keygen.add_argument("directory", type=Path, help="where to write the pair (created)")
    keygen.add_argument("--name", default="relay", help="file name stem (default: %(default)s)")

    plate = commands.add_parser(
        "synthetic-plate",
        help="write a small synthetic plate (ImageXpress layout) that OpenHCS reads",
        description="Write a synthetic plate with OpenHCS's own generator.",
    )
    plate.add_argument("directory", type=Path, help="where to write the plate (created)")
    plate.add_argument(
        "--wells", default="A01,A02,B01,B02", help="comma-separated wells (default: %(default)s)"
    )
    plate.add_argument("--sites", type=int, default=2, help="fields per well (default: 2)")
    plate.add_argument("--channels", type=int, default=2, help="channels (default: 2)")
    plate.add_argument("--z-planes", type=int, default=1, help="z-planes (default: 1)")
    plate.add_argument("--tile", type=int, default=64, help="tile edge in pixels (default: 64)")
    plate.add_argument("--cells", type=int, default=20, help="cells per well (default: 20)")
    plate.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    return parser


def _add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=7777,
        help="execution server data (progress) port; control is port+1000. 0 picks a free "
        "pair (default: %(default)s)",
    )
    parser.add_argument(
        "--transport",
        choices=("tcp", "ipc"),
        default="tcp",
        help="tcp, or ipc for clients on this host only: sockets in ~/.openhcs/ipc named by "
        "the ports, nothing on the network; the relay stays on TCP (default: %(default)s)",
    )
    parser.add_argument(
        "--log-dir",
        type=Path,
        default=Path(".openhcs-remote/logs"),
        help="where the server logs go (default: %(default)s)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="also print one JSON event per line on stdout (ready, exited, stopped)",
    )
    relay = parser.add_argument_group("result relay")
    relay.add_argument("--no-relay", action="store_true", help="start only the execution server")
    relay.add_argument(
        "--relay-viewer-port",
        type=int,
        default=5555,
        help="port the relay answers OpenHCS on as a viewer, always on 127.0.0.1; control "
        "is +1000 (default: %(default)s; free ports with --port 0)",
    )
    relay.add_argument(
        "--relay-stream-port",
        type=int,
        default=5600,
        help="port clients connect to for results, on --host (default: %(default)s; a "
        "free port with --port 0)",
    )
    add_spool_and_curve_options(
        relay,
        spool_dir_required=False,
        spool_dir_help="where the relay keeps results for late clients (default: "
        "<log-dir>/spool-<relay viewer port>)",
    )
    parser.add_argument(
        "--startup-timeout",
        type=float,
        default=600.0,
        help="seconds to wait for the server to answer (default: %(default)s)",
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "serve")
    args = _parser().parse_args(argv)

    if args.command == "synthetic-plate":
        from openhcs_remote.server.synthetic_plate import SyntheticPlateSpec, write_synthetic_plate

        spec = SyntheticPlateSpec(
            wells=tuple(w.strip() for w in args.wells.split(",") if w.strip()),
            sites=args.sites,
            channels=args.channels,
            z_planes=args.z_planes,
            tile_size=(args.tile, args.tile),
            cells=args.cells,
            seed=args.seed,
        )
        path = write_synthetic_plate(args.directory, spec)
        print(path.resolve())
        return 0

    if args.command == "curve-keygen":
        from openhcs_remote.server.relay.curve import create_key_pair

        public_file, secret_file = create_key_pair(args.directory, args.name)
        public_key = public_file.read_text().split('public-key = "')[1].split('"')[0]
        print(f"secret (give to --curve-secret-key): {secret_file}")
        print(f"public key (give to clients): {public_key}")
        return 0

    from openhcs_remote.server.serve import ServeOptions, serve

    return serve(
        ServeOptions(
            host=args.host,
            port=args.port,
            log_dir=args.log_dir,
            json_events=args.json,
            startup_timeout=args.startup_timeout,
            transport=args.transport,
            relay=not args.no_relay,
            relay_viewer_port=args.relay_viewer_port,
            relay_stream_port=args.relay_stream_port,
            spool_dir=args.spool_dir,
            spool_max_bytes=args.spool_max_bytes,
            curve_secret_key=args.curve_secret_key,
            curve_client_keys=args.curve_client_keys,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
