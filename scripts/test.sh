#!/usr/bin/env bash
# Everything from a fresh clone to a test report: set-up, build, then every test (ctest), then clang-tidy.
# Tests that need ../shared/data (or TRACKKIT_DATA) skip with a message where it is missing. The detector's test
# models and Python reference detections are made first (scripts/detector-models.sh, a few minutes once).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/build.sh" "$@"
"$root/scripts/detector-models.sh" "${TRACKKIT_BUILD:-$root/build}" # models the detector tests compare with
"$root/scripts/e2p-references.sh" "${TRACKKIT_BUILD:-$root/build}" # py360convert outputs the e2p tests compare with
"$root/scripts/segmenter-models.sh" "${TRACKKIT_BUILD:-$root/build}" # SAM exports + SamPredictor references
"$root/scripts/embedder-models.sh" "${TRACKKIT_BUILD:-$root/build}" # embedder models and references
"$root/scripts/face-models.sh" "${TRACKKIT_BUILD:-$root/build}" # face detector exports + upstream references
ctest --test-dir "${TRACKKIT_BUILD:-$root/build}" --output-on-failure --parallel "$(nproc)"
"$root/scripts/lint.sh" "${TRACKKIT_BUILD:-$root/build}" 30 # clang-tidy (.clang-tidy), changed files first, 30 s
