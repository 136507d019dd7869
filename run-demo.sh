#!/usr/bin/env bash
# Sets up this machine (tools/setup.sh) and runs the main job: `hwfence demo`.
set -euo pipefail
cd "$(dirname "$0")"
tools/setup.sh
exec dotnet artifacts/bin/HwFence.Cli/release/hwfence.dll demo "$@"
