#!/usr/bin/env bash
# Regenerates the shell completion scripts in completions/ from the CLI definitions.
# Run after changing any command or flag; tests/e2e/completion_drift.rs fails until you do.
#
#   scripts/gen-completions.sh            # builds with cargo, then writes completions/
#   KUBECTL_ENTRA_BINARY=path scripts/gen-completions.sh   # uses an already-built binary
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bin="${KUBECTL_ENTRA_BINARY:-}"
if [[ -z "$bin" ]]; then
    cargo build --locked --quiet -p kubectl-entra
    target_dir="${CARGO_TARGET_DIR:-$root/target}"
    [[ "$target_dir" == /* ]] || target_dir="$root/$target_dir"
    bin="$target_dir/debug/kubectl-entra"
fi

mkdir -p completions
"$bin" completion bash > completions/kubectl-entra.bash
"$bin" completion zsh > completions/_kubectl-entra
"$bin" completion fish > completions/kubectl-entra.fish
"$bin" completion powershell > completions/kubectl-entra.ps1
"$bin" completion kubectl-plugin > completions/kubectl_complete-entra
chmod +x completions/kubectl_complete-entra
echo "completions/: regenerated bash, zsh, fish and powershell scripts and kubectl_complete-entra with $bin" >&2
