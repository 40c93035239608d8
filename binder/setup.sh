#!/usr/bin/env bash
# The Binder set-up, runnable anywhere: `binder/setup.sh` in a fresh virtualenv does what
# mybinder.org's postBuild does (scripts/test.sh checks it that way).
# Environment: PYTHON (default python3's pip in the active environment), OHR_DEMO_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
pip_install() {
  # Some machines' pip configuration names local indexes that do not exist: keep that quiet.
  python -m pip install --quiet "$@" 2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
}
pip_install --upgrade pip
pip_install -r requirements/binder.txt
[[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
npm run build:prod --silent
pip_install ./jupyterlab_ext
demo="${OHR_DEMO_DIR:-$HOME/.openhcs-remote/demo}"
if [[ ! -f "$demo/plate/plate.HTD" ]]; then
  openhcs-remote-server synthetic-plate "$demo/plate" --wells A01,A02,B01,B02 --sites 4 \
    --channels 3 --z-planes 3 --tile 128 --cells 40 >/dev/null
fi
# OpenHCS builds its function catalogue on first start (~1 min); do it now, not in front of users.
python -m openhcs.runtime.zmq_execution_server_launcher --prepare-capabilities >/dev/null 2>&1 || true
