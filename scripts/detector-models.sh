#!/usr/bin/env bash
# The detector's test models and reference detections in the build tree (tools/detector, docs/detector-export.md):
# the export venv, TorchScript exports of the shared YOLOv5n and of YAML-built YOLOv8n / YOLO11n / YOLO26n /
# YOLOv10n, and the Python references' detections on the shared images. Skips what already exists.
#   scripts/detector-models.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-${TRACKKIT_BUILD:-$root/build}}
data=${TRACKKIT_DATA:-$(cd "$root/.." && pwd)/shared/data}
if [ ! -f "$data/models/yolov5n.pt" ]; then
  echo "detector-models: no $data/models/yolov5n.pt; the detector parity tests will skip"
  exit 0
fi
export TRACKKIT_DATA=$data
"$root/tools/detector/setup_export_venv.sh" "$build/exportvenv" >/dev/null
python=$build/exportvenv/bin/python
if [ ! -f "$build/detector-models/yolo26n.torchscript" ]; then
  "$python" "$root/tools/detector/export_yolo.py" "$build/detector-models" --quick
fi
if [ ! -f "$build/detector-ref/summary.fp32.json" ]; then
  "$python" "$root/tools/detector/reference_detect.py" "$build/detector-models" "$build/detector-ref"
fi
