#!/usr/bin/env bash
# Set-up (scripts/setup.sh), configure and build. Build folder: TRACKKIT_BUILD (default build/).
# Extra arguments go to cmake's configure step, e.g. -DTRACKKIT_CUDA=OFF. TRACKKIT_BUILD_TARGET builds one target.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
build=${TRACKKIT_BUILD:-$root/build}
venv=${TRACKKIT_VENV:-$root/.venv}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRACKKIT_PYTHON="$venv/bin/python" \
  -DTRACKKIT_CUDA="${TRACKKIT_CUDA:-AUTO}" -DTRACKKIT_DATA_DIR="${TRACKKIT_DATA:-$(cd "$root/.." && pwd)/shared/data}" "$@"
cmake --build "$build" --parallel "$(nproc)" ${TRACKKIT_BUILD_TARGET:+--target "$TRACKKIT_BUILD_TARGET"}
