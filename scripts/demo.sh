#!/usr/bin/env bash
# README command 1: the main job on the embedded default. Installs what it needs, starts
# openhcs-remote-server (the real OpenHCS execution server and the relay) on loopback, writes a
# synthetic plate and runs a real OpenHCS pipeline on it through our client.
#
# Usage: scripts/demo.sh [--headless] [--help]
#   (default)   open JupyterLab on the demo notebook (examples/demo.ipynb)
#   --headless  no screen: run the demo and write the results and a contact sheet under
#               .openhcs-remote/demo/ (see the last lines printed)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

headless=0
for arg in "$@"; do
  case "$arg" in
    --headless) headless=1 ;;
    -h | --help)
      sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      say "unknown option '$arg' (try --help)"
      exit 2
      ;;
  esac
done

ensure_node_modules
ensure_venv
build_ts

DEMO="$ROOT/.openhcs-remote/demo"
mkdir -p "$DEMO"
PLATE="$DEMO/plate"
if [[ ! -f "$PLATE/plate.HTD" ]]; then
  say "writing a synthetic plate (4 wells, 4 sites, 3 channels, 3 z-planes) to $PLATE"
  rm -rf "$PLATE"
  openhcs-remote-server synthetic-plate "$PLATE" --wells A01,A02,B01,B02 --sites 4 \
    --channels 3 --z-planes 3 --tile 128 --cells 40 >/dev/null
fi

say "starting openhcs-remote-server on loopback (first start builds OpenHCS's function catalogue: ~1 min)"
events="$DEMO/server-events.jsonl"
: >"$events"
openhcs-remote-server serve --port 0 --json --log-dir "$DEMO/logs" >"$events" &
server_pid=$!
trap 'kill -TERM $server_pid 2>/dev/null; wait $server_pid 2>/dev/null' EXIT
until grep -q '"event": "ready"' "$events" 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    say "openhcs-remote-server did not start; its log is in $DEMO/logs"
    exit 1
  fi
  sleep 0.5
done
ready=$(grep '"event": "ready"' "$events" | head -n 1)
read -r host port relay_port < <(python -c 'import json,sys; e=json.loads(sys.argv[1]); print(e["execution"]["host"], e["execution"]["port"], (e.get("relay") or {}).get("stream_port", ""))' "$ready")
say "server ready: execution $host:$port, relay stream port ${relay_port:-none}"

relay_args=()
[[ -n "$relay_port" ]] && relay_args=(--relay "$host:$relay_port")
node "$ROOT/lib/cli/main.js" ping "$host:$port"
node "$ROOT/lib/cli/main.js" run --server "$host:$port" "${relay_args[@]}" --plate "$PLATE" \
  --pipeline "$ROOT/examples/pipelines/normalize_project_count.py" \
  --config "$ROOT/examples/pipelines/cpu_config.py"
if [[ $headless -eq 0 ]]; then
  say "the notebook demo arrives with the widget (issue 4); for now this is the headless run"
fi
