#!/usr/bin/env bash
# Check the Binder set-up as far as a machine without Binder allows: in a fresh virtualenv,
# binder/setup.sh (what postBuild runs) installs openhcs-remote from the wheel, then binder/start
# brings the server and relay up in the background and the demo notebook runs against them.
# Prints the peak memory of the whole set (Binder gives about 2 GB).
# Usage: scripts/check-binder.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

venv="$ROOT/.cache/binder-venv"
demo="$ROOT/.cache/binder-demo"
for port in 7777 8777 5555 6555 5600; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    say "port $port is in use: binder/start needs the default ports free"
    exit 1
  fi
done

rm -rf "$venv" "$demo"
python3 -m venv "$venv"
say "binder/setup.sh in a fresh virtualenv ($venv)"
(
  export PATH="$venv/bin:$PATH" VIRTUAL_ENV="$venv" OHR_DEMO_DIR="$demo"
  unset OPENHCS_REMOTE_PYTHON
  binder/setup.sh
  jupyter labextension list 2>&1 | grep -q "openhcs-remote.*enabled.*OK" || {
    echo "the openhcs-remote labextension is not enabled in the Binder environment" >&2
    exit 1
  }
)

say "binder/start + the demo notebook"
export OPENHCS_REMOTE_DEMO_DIR="$demo" OPENHCS_REMOTE_DEMO_PLATE="$demo/plate" OPENHCS_REMOTE_DEMO_OUT="$demo/results"
setsid env PATH="$venv/bin:$PATH" OHR_DEMO_DIR="$demo" binder/start \
  python scripts/run-notebook.py examples/demo.ipynb "$demo/results/demo-executed.ipynb" \
  >"$demo/notebook.log" 2>&1 &
group=$!
# Resident memory of everything binder/start started: server, relay, workers, kernel, sidecar
# (the execution server runs in a session of its own, so walk the process tree, not the group).
tree_rss_kb() {
  ps -eo pid=,ppid=,rss= | awk -v root="$1" '
    { parent[$1] = $2; rss[$1] = $3 }
    END {
      for (pid in parent) {
        p = pid
        while (p != "" && p != root && p > 1) p = parent[p]
        if (p == root) total += rss[pid]
      }
      print total + 0
    }'
}
peak_kb=0
while kill -0 "$group" 2>/dev/null; do
  kb=$(tree_rss_kb "$group")
  if ((kb > peak_kb)); then peak_kb=$kb; fi
  sleep 1
done
status=0
wait "$group" || status=$?
# binder/start left the server running in the background (as on Binder): stop it cleanly.
for pid in $(pgrep -g "$group" -f openhcs-remote-server || true); do
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
done
kill -KILL -- "-$group" 2>/dev/null || true
if [[ $status -ne 0 || ! -s "$demo/results/contact-sheet.png" ]]; then
  say "the demo notebook failed under binder/start:"
  tail -n 30 "$demo/notebook.log" >&2
  exit 1
fi
# The demo's last step counts cells: every well must have a positive count in each channel.
counts="$demo/results/cell-counts.csv"
if ! awk -F, 'NR > 1 { wells++; for (i = 2; i <= NF; i++) if ($i + 0 <= 0) bad++ }
    END { exit !(wells >= 4 && bad == 0) }' "$counts" 2>/dev/null; then
  say "the demo notebook wrote no cell count for every well ($counts):"
  cat "$counts" >&2 || true
  exit 1
fi
say "Binder set-up works: demo ran, contact sheet and cell counts written; peak memory $((peak_kb / 1024)) MiB"
