#!/usr/bin/env bash
# The embedder's test models and Python references in the build tree (tools/embedder): the venv, TorchScript
# conversions of the shared OSNet and MobileFaceNet ONNX files, and ONNX Runtime / scikit-learn references on the
# shared MOT17 frames and LFW faces. Skips what already exists (the cache is build/embedder-models, build/embedder-ref).
#   scripts/embedder-models.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-${TRACKKIT_BUILD:-$root/build}}
data=${TRACKKIT_DATA:-$(cd "$root/.." && pwd)/shared/data}
if [ ! -f "$data/models/osnet_x0_25_msmt17.onnx" ] || [ ! -f "$data/models/mobilefacenet.onnx" ]; then
  echo "embedder-models: no ONNX models in $data/models; the embedder parity tests will skip"
  exit 0
fi
"$root/tools/embedder/setup_venv.sh" "$build/embedvenv" >/dev/null
python=$build/embedvenv/bin/python
if [ ! -f "$build/embedder-models/mobilefacenet.torchscript" ]; then
  "$python" "$root/tools/embedder/convert_models.py" "$build/embedder-models" --data "$data"
fi
if [ ! -f "$build/embedder-ref/summary.json" ]; then
  "$python" "$root/tools/embedder/reference_embed.py" "$build/embedder-ref" --data "$data"
fi
