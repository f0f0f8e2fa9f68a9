# shellcheck shell=bash
# Source this file (`source scripts/env.sh`) to put the pinned Foundry
# binaries (forge, anvil, cast from node_modules/@foundry-rs) on PATH.
# Run `npm ci` at the repository root first.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

for _tool in forge anvil cast; do
    _bin_dir="$REPO_ROOT/node_modules/@foundry-rs/${_tool}-linux-amd64/bin"
    if [ ! -x "$_bin_dir/$_tool" ]; then
        if [ -f "$_bin_dir/$_tool" ]; then
            chmod +x "$_bin_dir/$_tool"
        else
            echo "env.sh: $_bin_dir/$_tool not found; run 'npm ci' in $REPO_ROOT" >&2
            continue
        fi
    fi
    case ":$PATH:" in
        *":$_bin_dir:"*) ;;
        *) PATH="$_bin_dir:$PATH" ;;
    esac
done
export PATH
unset _tool _bin_dir
