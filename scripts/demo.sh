#!/usr/bin/env bash
# The main job as it stands: set-up, build, then examples/mot_det_eval on the MOT17 sequences of
# ../shared/data (or TRACKKIT_DATA): detections against ground truth through batched GPU/CPU box IoU.
# Results: the table printed here and build/mot_det_eval.csv. Arguments go to mot_det_eval.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/build.sh"
build=${TRACKKIT_BUILD:-$root/build}
data=${TRACKKIT_DATA:-$(cd "$root/.." && pwd)/shared/data}
"$build/examples/mot_det_eval" --data "$data" --out "$build/mot_det_eval.csv" "$@"
