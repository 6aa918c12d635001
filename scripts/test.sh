#!/usr/bin/env bash
# Install everything into .venv (Python 3.11+) and run the linter, the type checker and the whole
# test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
install_into_venv ".[dev]"

.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --check . ; echo "run .venv/bin/ruff format . to fix the layout" >&2; exit 1; }
.venv/bin/mypy
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests" >&2
  exit 0
fi
exit "$status"
