#!/usr/bin/env bash
# The segmenter's test models and references in the build tree (tools/segmenter, docs/segmenter.md): the venv,
# MobileSAM, SAM ViT-B, EfficientViT-SAM L0 and SAM 2.1 (Hiera-T) encoder/decoder exports with seeded random weights (no SAM-family
# weights can be had from PyPI), SamPredictor's / SAM2ImagePredictor's masks on MOT17 frames, pycocotools' RLE.
# Skips what already exists.
#   scripts/segmenter-models.sh [BUILD_DIR]        SEGMENTER_MODELS=vit_t to leave out ViT-B (slow on 2 cores)
#                                                  and EfficientViT-SAM,
#                                                  SEGMENTER_SAM2_MODELS=sam2.1_hiera_t,sam2_hiera_t ("" for none)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-${TRACKKIT_BUILD:-$root/build}}
data=${TRACKKIT_DATA:-$(cd "$root/.." && pwd)/shared/data}
models=${SEGMENTER_MODELS:-vit_t,vit_b,efficientvit_sam_l0}
if [ ! -d "$data/mot/MOT17/train/MOT17-05-FRCNN" ]; then
  echo "segmenter-models: no MOT17 frames under $data; the segmenter parity tests will skip"
  exit 0
fi
export TRACKKIT_DATA=$data
"$root/tools/segmenter/setup_segmenter_venv.sh" "$build/segvenv" >/dev/null
python=$build/segvenv/bin/python
exported() { # every asked model in the last export's report
  local m
  for m in ${models//,/ }; do grep -q "\"$m\"" "$build/segmenter-models/export_report.json" 2>/dev/null || return 1; done
}
if ! exported; then
  "$python" "$root/tools/segmenter/export_sam.py" "$build/segmenter-models" --models "$models" --fast-paths
fi
sam2_models=${SEGMENTER_SAM2_MODELS:-sam2.1_hiera_t}
if [ -n "$sam2_models" ] && [ ! -f "$build/segmenter-models/export_sam2_report.json" ]; then
  "$python" "$root/tools/segmenter/export_sam2.py" "$build/segmenter-models" --models "$sam2_models"
fi
# References for every exported model (a cached reference set that lacks one is made again).
referenced() {
  local state
  for state in "$build"/segmenter-models/*.state.pt; do
    grep -q "^$(basename "$state" .state.pt) " "$build/segmenter-ref/index.txt" 2>/dev/null || return 1
  done
}
if ! referenced; then
  "$python" "$root/tools/segmenter/reference_sam.py" "$build/segmenter-models" "$build/segmenter-ref"
fi
if [ ! -f "$build/segmenter-ref/rle/iou.npy" ]; then
  "$python" "$root/tools/segmenter/rle_reference.py" "$build/segmenter-ref/rle"
fi
