#!/usr/bin/env bash
# The main job: set up, then score, review and report every bundled subject into outputs/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/evalbook run "$@"
