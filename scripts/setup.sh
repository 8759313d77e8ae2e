#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 (found on PATH or through pyenv) and install
# bayescale with its development extras. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
  local c
  for c in "${BAYESCALE_PYTHON:-}" python3.13 python3.12 python3; do
    if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && ok "$c"; then echo "$c"; return 0; fi
  done
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for c in "$root"/versions/3.13*/bin/python3 "$root"/versions/3.12*/bin/python3 \
           /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
    if [ -x "$c" ] && ok "$c"; then echo "$c"; return 0; fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! ok .venv/bin/python; then
  PY="$(find_python)" || { echo "setup: no Python >= 3.12 found (set BAYESCALE_PYTHON)" >&2; exit 1; }
  echo "setup: creating .venv with $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
  rm -rf .venv
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# The widgets' front end: build the ESM bundle first (the pip build hook then finds it
# fresh and skips npm). Without npm the Python side still works; the views say so.
if command -v npm >/dev/null 2>&1; then
  npm --prefix js ci --no-audit --no-fund --loglevel=error
  npm --prefix js run build --silent
else
  echo "setup: npm not found; the notebook widgets' front end will not be built" >&2
fi
.venv/bin/python -m pip install --quiet -e ".[dev,demo,distributed,browser]"
