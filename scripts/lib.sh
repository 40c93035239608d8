# Shared set-up for the README's commands: installs what is missing, skips what is current.
# Sourced by scripts/demo.sh and scripts/test.sh; every step is quick the second time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMPS="$ROOT/.cache/stamps"
mkdir -p "$STAMPS"

say() { printf '\033[1m[openhcs-remote]\033[0m %s\n' "$*" >&2; }

# Hash of the files that decide an install; a step re-runs only when they change.
inputs_hash() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

ensure_node_modules() {
  local h
  h=$(inputs_hash "$ROOT/package.json" "$ROOT/package-lock.json")
  if [[ -f "$STAMPS/node-$h" && -d "$ROOT/node_modules" ]]; then return; fi
  say "installing npm packages (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  rm -f "$STAMPS"/node-* && touch "$STAMPS/node-$h"
}

# pip, minus the "Location … is ignored" lines that some machines' pip configuration prints.
pip_install() {
  "$VENV/bin/pip" install --quiet "$@" 2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
}

ensure_venv() {
  local h
  h=$(inputs_hash "$ROOT"/requirements/*.txt "$ROOT/jupyterlab_ext/pyproject.toml")
  if [[ -f "$STAMPS/venv-$h" && -x "$VENV/bin/python" ]]; then return; fi
  say "building the project virtualenv in .venv (openhcs, JupyterLab; a few minutes the first time)"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  pip_install --upgrade pip
  pip_install -r "$ROOT/requirements/dev.txt"
  rm -f "$STAMPS"/venv-* "$STAMPS"/editable-* && touch "$STAMPS/venv-$h"
}

# The clone's own package, editable, into .venv. Runs after build_ts: the wheel config
# force-includes the built widget bundle, which a fresh clone does not have before the build.
ensure_editable_install() {
  local h
  h=$(inputs_hash "$ROOT/jupyterlab_ext/pyproject.toml" "$ROOT/package.json")
  # ensure_venv drops this stamp whenever it rebuilds .venv.
  if [[ -f "$STAMPS/editable-$h" ]]; then return; fi
  say "installing the clone's openhcs_remote package into .venv (editable)"
  SKIP_JUPYTER_BUILDER=1 pip_install --no-deps --no-build-isolation -e "$ROOT/jupyterlab_ext"
  rm -f "$STAMPS"/editable-* && touch "$STAMPS/editable-$h"
}

ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then return; fi
  say "installing Debian's chromium for the browser tests"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

build_ts() {
  say "building: TypeScript, widget bundle, labextension, sidecar"
  (
    cd "$ROOT"
    npx tsc -b
    node scripts/build-widget.mjs >/dev/null
    jupyter-builder build . >/dev/null
    node scripts/build-sidecar.mjs >/dev/null
  )
  # The editable install has no shared-data: point JupyterLab at the built labextension.
  local labext="$VENV/share/jupyter/labextensions"
  mkdir -p "$labext"
  ln -sfn "$ROOT/jupyterlab_ext/openhcs_remote/labextension" "$labext/openhcs-remote"
  ensure_editable_install
}

export PATH="$VENV/bin:$ROOT/node_modules/.bin:$PATH"
export OPENHCS_REMOTE_PYTHON="$VENV/bin/python"
