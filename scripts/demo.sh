#!/usr/bin/env bash
# The main job: set-up, build, export the shared YOLOv5n checkpoint to TorchScript (scripts/detector-models.sh, once),
# then examples/track_video on ../shared/data's PETS09-S2L1 video (or TRACKKIT_DATA): detection -> sparse-flow GMC
# -> BoT-SORT, MOT results + tracks.csv + an annotated video in build/track_video/, HOTA/MOTA/IDF1 against MOT15's
# ground truth, frames/s per stage. Arguments go to track_video (e.g. a video of your own and --model M.torchscript).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRACKKIT_BUILD_TARGET=track_video "$root/scripts/build.sh"
build=${TRACKKIT_BUILD:-$root/build}
"$root/scripts/detector-models.sh" "$build" > "$build/detector-models.log" 2>&1 \
  || { tail -20 "$build/detector-models.log"; exit 1; }
export TRACKKIT_DATA=${TRACKKIT_DATA:-$(cd "$root/.." && pwd)/shared/data}
export TRACKKIT_MODEL=${TRACKKIT_MODEL:-$build/detector-models/yolov5n.torchscript} # track_video's default --model
if [ $# -eq 0 ]; then set -- --out "$build/track_video/PETS09-S2L1"; fi
"$build/examples/track_video" "$@"
