#!/usr/bin/env bash
# On the GPU machine: the C ABI 1.0 and the Python package with CUDA — every test (C, C++, Python), so the CUDA
# stream paths (tk_*_set_cuda_stream, per-call streams, torch's current stream from Python) run where they can.
#   scripts/gpu-abi.sh OUTDIR [BUILD] [--build-only | TESTS]    (TESTS: a ctest -R regex; default every test)
# BUILD (default /root/build) lies outside the carried tree, so a warm machine keeps it: a first call with
# --build-only fits the device tool's 10-minute limit, the second call then only runs the tests.
# Carried in .gpu/ (ignored by git): opencv.tar.xz, cli11, yaml-cpp (scripts/gpu-bundle.sh), data/{mot/MOT17,images}
# (TRACKKIT_DATA), models/yolov5n.torchscript and embedder-models/ (the C and Python tests' models).
set -uo pipefail
out=${1:?usage: scripts/gpu-abi.sh OUTDIR [BUILD]}
build=${2:-/root/build}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
source "$root/scripts/gpu-env.sh" # OpenCV bundle, LD_LIBRARY_PATH, gpu_cmake_args
export TRACKKIT_DATA=$root/.gpu/data
start=$(date +%s)
cmake -S . -B "$build" "${gpu_cmake_args[@]}" -DTRACKKIT_BUILD_BENCH=OFF -DTRACKKIT_DATA_DIR="$TRACKKIT_DATA" \
  > "$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
# GPU_ABI_TARGETS (e.g. "trackkit_c test_capi test_core"): build only those (a short device call); default all.
cmake --build "$build" --parallel "$(nproc)" ${GPU_ABI_TARGETS:+--target $GPU_ABI_TARGETS} > "$out/build.log" 2>&1 \
  || { grep -E "error|FAILED" "$out/build.log" | head -30; exit 1; }
echo "build: $(( $(date +%s) - start )) s"
[ "${3:-}" = "--build-only" ] && exit 0
# The models the tests look for in the build tree (scripts/detector-models.sh and embedder-models.sh make them
# where their Python venvs can be built; here they are carried).
mkdir -p "$build/detector-models" "$build/embedder-models"
cp -n .gpu/models/yolov5n.torchscript "$build/detector-models/"
[ -d .gpu/embedder-models ] && cp -n .gpu/embedder-models/* "$build/embedder-models/"
python3 -c 'import torch, numpy, pytest; print("python3:", torch.__version__, numpy.__version__, pytest.__version__)'
ctest --test-dir "$build" --output-on-failure --parallel 8 --timeout 400 -E "package/" ${3:+-R "$3"} \
  > "$out/ctest.log" 2>&1
status=$?
grep -E "tests passed|tests failed|\(Failed\)|\(Timeout\)|\(SEGFAULT\)|\(Subprocess" "$out/ctest.log" | head -40
# Which CUDA parts ran: the C tests print SKIPPED lines, pytest its skips.
grep -h "SKIPPED" "$out/ctest.log" | sort | uniq -c | head -20
ctest --test-dir "$build" -R "python/pytest" -V > "$out/pytest.log" 2>&1
grep -E "passed|failed|SKIP" "$out/pytest.log" | tail -15
exit $status
