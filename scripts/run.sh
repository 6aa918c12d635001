#!/usr/bin/env bash
# Install Hearth into .venv (Python 3.11+) and run it; settings come from the environment or .env.
# With no DISCORD_TOKEN this starts the sandbox (a practice server in the browser): see README.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
install_into_venv "."
exec .venv/bin/python -m bot "$@"
