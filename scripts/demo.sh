#!/usr/bin/env bash
# The main job as it stands: set-up, build, then examples/track_mot on the MOT17 sequences of ../shared/data
# (or TRACKKIT_DATA): the public detections tracked with ByteTrack's MOT17 settings, MOT results written to
# build/track_mot_results/, HOTA/MOTA/IDF1 printed against the ground truth. Arguments go to track_mot
# (e.g. --det yolox_x_ablation.txt --val-half).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRACKKIT_BUILD_TARGET=track_mot "$root/scripts/build.sh"
build=${TRACKKIT_BUILD:-$root/build}
data=${TRACKKIT_DATA:-$(cd "$root/.." && pwd)/shared/data}
"$build/examples/track_mot" --data "$data" --out "$build/track_mot_results" "$@"
