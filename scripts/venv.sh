#!/usr/bin/env bash
# Makes the venv DIR hold the pinned packages of REQUIREMENTS: creates it when missing and installs
# again only when the file changed (its sha256 is kept in DIR/.requirements.sha256). Idempotent.
#
# usage: scripts/venv.sh DIR REQUIREMENTS
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "scripts/venv.sh: usage: scripts/venv.sh DIR REQUIREMENTS" >&2
    exit 2
fi
venv="$1"
req="$2"
stamp="$venv/.requirements.sha256"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req"
    echo "$want" > "$stamp"
fi
