#!/usr/bin/env bash
# README command 2: every test. Installs what it needs (npm packages, .venv with openhcs and
# JupyterLab, Debian's chromium), then runs lint, types, unit, real-server, Python and browser tests.
# Usage: scripts/test.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

started=$SECONDS
stage() { say "── $* ($((SECONDS - started))s)"; }

stage "set-up"
ensure_node_modules
ensure_venv
ensure_chromium
build_ts

cd "$ROOT"
stage "lint and format (eslint, prettier, ruff)"
npx eslint .
npx prettier --check . >/dev/null || npx prettier --check .
ruff check jupyterlab_ext bench test examples
ruff format --check jupyterlab_ext bench test examples

stage "types (tests and benchmarks too)"
npx tsc -p tsconfig.test.json

stage "unit and protocol tests"
npx vitest run --project unit

stage "Python tests (relay, server, shim) against the real OpenHCS server"
(cd jupyterlab_ext && python -m pytest -q)

stage "TypeScript tests against the real OpenHCS server and relay"
npx vitest run --project server

stage "widget component tests in headless Chromium"
npx vitest run --config vitest.browser.config.mjs

stage "end to end: the demo notebook in a real JupyterLab, in headless Chromium"
npx vitest run --config vitest.e2e.config.mjs

stage "Binder set-up in a fresh virtualenv (binder/setup.sh, binder/start, the demo notebook)"
scripts/check-binder.sh

stage "all tests passed in $((SECONDS - started))s"
