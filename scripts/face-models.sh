#!/usr/bin/env bash
# The face detector's test models and Python references in the build tree (tools/faces): the venv, TorchScript
# exports of the shared yolov5-face and RetinaFace checkpoints, and the upstream implementations' faces (plus
# MTCNN's) on the raw LFW images, bus.jpg, zidane.jpg and two group photos. Skips what already exists (the cache is
# build/face-models, build/face-ref). Measured on 2 cores: 62 s from nothing (venv 15 s from pip's cache, exports
# 5 s, references 40 s), 5 s when everything exists.
#   scripts/face-models.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-${TRACKKIT_BUILD:-$root/build}}
data=${TRACKKIT_DATA:-$(cd "$root/.." && pwd)/shared/data}
if [ ! -f "$data/models/yolov5n-0.5_face.pt" ] || [ ! -f "$data/models/retinaface_mobilenet0.25_Final.pth" ] ||
  [ ! -d "$data/faces/lfw_pairs" ]; then
  echo "face-models: no face checkpoints or LFW images under $data; the face parity tests will skip"
  exit 0
fi
"$root/tools/faces/setup_face_venv.sh" "$build/facevenv" >/dev/null
python=$build/facevenv/bin/python
if [ ! -f "$build/face-models/retinaface_mobilenet0.25.torchscript" ]; then
  "$python" "$root/tools/faces/export_faces.py" "$build/face-models" --data "$data"
fi
if [ ! -f "$build/face-ref/summary.json" ]; then
  "$python" "$root/tools/faces/reference_faces.py" "$build/face-ref" --data "$data" --models "$build/face-models"
fi
