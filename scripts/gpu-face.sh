#!/usr/bin/env bash
# The face detector's CUDA checks on the GPU machine, in one device call.
#   scripts/gpu-face.sh --bundle   (here) copies into .gpu/face (ignored by git) the exports and references of
#                                     scripts/face-models.sh and the JPEGs they name (~5 MB)
#   scripts/gpu-face.sh OUTDIR     (there; carry .gpu/opencv.tar.xz .gpu/cli11 .gpu/yaml-cpp .gpu/face) decodes the
#                                     JPEGs to .npy (python3's cv2; the OpenCV bundle has no imgcodecs), builds
#                                     test_face with CUDA (sm_90) and runs it: all cases, then the throughput figures.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
face=$root/.gpu/face
if [ "${1:-}" = "--bundle" ]; then
  data=${TRACKKIT_DATA:-$root/../shared/data}
  rm -rf "$face" && mkdir -p "$face/models" "$face/ref" "$face/data/faces/lfw_pairs" "$face/data/images"
  cp build/face-models/*.torchscript "$face/models/"
  cp build/face-ref/*.json "$face/ref/" && cp -r build/face-ref/group "$face/data/"
  find "$data/faces/lfw_pairs" -name '*.jpg' ! -name '*_aligned.jpg' -exec cp {} "$face/data/faces/lfw_pairs/" \;
  cp "$data/images/bus.jpg" "$data/images/zidane.jpg" "$face/data/images/"
  du -sh "$face"
  exit 0
fi
out=${1:?usage: scripts/gpu-face.sh --bundle | OUTDIR}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
source "$root/scripts/gpu-env.sh" # OpenCV bundle, LD_LIBRARY_PATH, gpu_cmake_args
export TRACKKIT_DATA=$face/data TRACKKIT_FACE_MODELS=$face/models TRACKKIT_FACE_REFERENCE=$face/ref
python3 - "$face" <<'PY'
import pathlib, sys, cv2, numpy as np
face = pathlib.Path(sys.argv[1])
(face / "ref" / "frames").mkdir(exist_ok=True)
jpgs = list((face / "data").rglob("*.jpg"))
for jpg in jpgs:  # tests/face/face_test_util.hpp's .npy name
    name = str(jpg.relative_to(face / "data")).replace("/", "_").replace(".", "_")
    np.save(face / "ref" / "frames" / (name + ".npy"), cv2.imread(str(jpg), cv2.IMREAD_COLOR))
print("npy frames:", len(jpgs))
PY
build=build-gpu
start=$(date +%s)
cmake -S . -B "$build" "${gpu_cmake_args[@]}" -DTRACKKIT_BUILD_BENCH=OFF -DTRACKKIT_BUILD_EXAMPLES=OFF \
  > "$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
cmake --build "$build" --parallel "$(nproc)" --target test_face > "$out/build.log" 2>&1 ||
  { grep -E "error|FAILED" "$out/build.log" | head -30; exit 1; }
echo "build: $(($(date +%s) - start)) s"
status=0
"$build/tests/test_face" > "$out/test_face.txt" 2>&1 || status=1
grep -E "^(cuda|parity) |allowed|UNEXPLAINED|FAILED|passed|failed" "$out/test_face.txt" | head -60
"$build/tests/test_face" "[speed]" 2>&1 | grep -E "^speed|SKIPPED" | tee "$out/speed.txt"
exit $status
