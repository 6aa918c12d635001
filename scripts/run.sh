#!/usr/bin/env bash
# Install Hearth into .venv (Python 3.11+) and run the bot; settings come from the environment or .env.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
install_into_venv "."
exec .venv/bin/python -m bot "$@"
