# Sourced by run.sh and test.sh: make .venv with Python 3.11+ and install Hearth into it.
# Usage: install_into_venv ".[dev]"   (or "." for the bot alone)
install_into_venv() {
  local python_bin="${PYTHON:-}"
  if [ -z "$python_bin" ]; then
    for candidate in python3.11 python3.12 python3.13 python3; do
      if command -v "$candidate" >/dev/null 2>&1; then python_bin="$candidate"; break; fi
    done
  fi
  "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "Hearth needs Python 3.11 or newer" >&2; exit 2; }
  [ -x .venv/bin/python ] || "$python_bin" -m venv .venv
  # Reinstall only when pyproject.toml changed (the install is editable: code changes need none).
  local stamp
  stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-$(echo "$1" | tr -cd 'a-z')"
  if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$1"
    touch "$stamp"
  fi
}
