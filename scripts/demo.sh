#!/usr/bin/env bash
# README command 1: the main job on the embedded default. Installs what it needs, starts
# openhcs-remote-server (the real OpenHCS execution server and the result relay) on loopback,
# writes a synthetic plate, and runs the demo notebook: a real OpenHCS pipeline whose results
# stream back inline.
#
# Usage: scripts/demo.sh [--headless] [--help]
#   (default)   open JupyterLab on examples/demo.ipynb (Ctrl-C stops JupyterLab and the server)
#   --headless  no screen: run the same notebook and write the results (OME-Zarr), a contact
#               sheet PNG and the executed notebook under .openhcs-remote/demo/results/
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

headless=0
for arg in "$@"; do
  case "$arg" in
    --headless) headless=1 ;;
    -h | --help)
      sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      say "unknown option '$arg' (try --help)"
      exit 2
      ;;
  esac
done

started=$SECONDS
ensure_node_modules
ensure_venv
build_ts

DEMO="$ROOT/.openhcs-remote/demo"
PLATE="$DEMO/plate"
OUT="$DEMO/results"
mkdir -p "$DEMO"
if [[ ! -f "$PLATE/plate.HTD" ]]; then
  say "writing a synthetic plate (4 wells × 4 sites × 3 channels × 3 z-planes) to $PLATE"
  rm -rf "$PLATE"
  openhcs-remote-server synthetic-plate "$PLATE" --wells A01,A02,B01,B02 --sites 4 \
    --channels 3 --z-planes 3 --tile 128 --cells 40 >/dev/null
fi

say "starting openhcs-remote-server on loopback (the first start builds OpenHCS's function catalogue: about a minute)"
events="$DEMO/server-events.jsonl"
: >"$events"
openhcs-remote-server serve --port 0 --json --log-dir "$DEMO/logs" >"$events" 2>"$DEMO/server.log" &
server_pid=$!
stop_server() {
  kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  return 0
}
trap stop_server EXIT
until grep -q '"event": "ready"' "$events" 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    say "openhcs-remote-server did not start:"
    tail -n 20 "$DEMO/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
ready=$(grep -m 1 '"event": "ready"' "$events")
eval "$(python - "$ready" <<'PY'
import json, shlex, sys
event = json.loads(sys.argv[1])
relay = event.get("relay") or {}
values = {
    "OPENHCS_REMOTE_HOST": event["execution"]["host"],
    "OPENHCS_REMOTE_PORT": event["execution"]["port"],
    "OPENHCS_REMOTE_RELAY": f'{relay.get("stream_host")}:{relay.get("stream_port")}',
    "OPENHCS_REMOTE_VIEWER_PORT": relay.get("viewer_port", 5555),
}
for name, value in values.items():
    print(f"export {name}={shlex.quote(str(value))}")
PY
)"
export OPENHCS_REMOTE_DEMO_DIR="$DEMO" OPENHCS_REMOTE_DEMO_PLATE="$PLATE" OPENHCS_REMOTE_DEMO_OUT="$OUT"
say "server ready: execution $OPENHCS_REMOTE_HOST:$OPENHCS_REMOTE_PORT, relay $OPENHCS_REMOTE_RELAY (set-up took $((SECONDS - started)) s)"

if [[ $headless -eq 1 ]]; then
  rm -rf "$OUT"
  mkdir -p "$OUT"
  say "running examples/demo.ipynb without a screen"
  python "$ROOT/scripts/run-notebook.py" "$ROOT/examples/demo.ipynb" "$OUT/demo-executed.ipynb"
  say "done in $((SECONDS - started)) s. Results in $OUT:"
  ls -1 "$OUT" >&2
  say "contact sheet: $OUT/contact-sheet.png"
  say "cells counted per well (OpenHCS's count_cells tables, $OUT/cell-counts.csv):"
  sed 's/,/\t/g' "$OUT/cell-counts.csv" >&2
else
  say "opening JupyterLab on examples/demo.ipynb (Ctrl-C to stop)"
  jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir="$ROOT" "examples/demo.ipynb"
fi
