#!/usr/bin/env bash
# On the GPU machine: the CUDA-vs-CPU tests of the pipeline, GMC and detector in one call (a quick check after
# changes that touch them; scripts/gpu-*.sh per component give the figures).
#   scripts/gpu-cuda-tests.sh OUTDIR
# Carried in .gpu/ (ignored by git): opencv.tar.xz and track-video/{models,data} (docs/track_video.md).
set -uo pipefail
out=${1:?usage: scripts/gpu-cuda-tests.sh OUTDIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p "$out"
build=build-gpu
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
source "$root/scripts/gpu-env.sh" # OpenCV bundle, LD_LIBRARY_PATH, gpu_cmake_args
export TRACKKIT_DATA=$root/.gpu/track-video/data TRACKKIT_DETECTOR_MODELS=$root/.gpu/track-video/models
python3 tools/compare/gmc_reference.py "$TRACKKIT_DATA" --export-npy "$TRACKKIT_DATA" | tail -1
start=$(date +%s)
cmake -S . -B "$build" "${gpu_cmake_args[@]}" -DTRACKKIT_BUILD_BENCH=OFF \
  > "$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
cmake --build "$build" --parallel "$(nproc)" --target test_pipeline test_gmc test_detector > "$out/build.log" 2>&1 \
  || { grep -E "error|FAILED" "$out/build.log" | head -30; exit 1; }
echo "build: $(( $(date +%s) - start )) s"
status=0
run() { # name, binary, filter
  "$build/tests/$2" "$3" > "$out/$1.txt" 2>&1 || status=1
  grep -B4 -A16 "FAILED" "$out/$1.txt" | head -60
  echo "$1: $(tail -2 "$out/$1.txt" | tr '\n' ' ')"
}
run pipeline test_pipeline "pipeline: CUDA agrees with the CPU"
run pipeline_all test_pipeline "*"
run gmc_cuda test_gmc "CUDA*"
run detector_cuda test_detector "[cuda]"
exit $status
