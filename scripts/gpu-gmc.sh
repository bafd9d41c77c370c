#!/usr/bin/env bash
# On the GPU machine: build only the GMC targets with CUDA (sm_90), run the GMC tests (CPU vs CUDA included)
# and the GMC benchmarks, results in OUTDIR. Faster than scripts/gpu-check.sh when only GMC changed.
#   scripts/gpu-gmc.sh OUTDIR [DATA]
# DATA (default .gpu/data) holds the files of ../shared/data the tests read: mot/MOT17/train/*/img1, gmc/
# files, video/PETS09-S2L1_480x360.avi, equirect/gvr_congo_stereo_tb.mp4. The frames are converted to .npy
# there first (python3's cv2), since the machine's OpenCV C++ bundle has neither imgcodecs nor videoio.
set -uo pipefail
out=${1:?usage: scripts/gpu-gmc.sh OUTDIR [DATA]}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p "$out"
data=${2:-$root/.gpu/data}
export TRACKKIT_DATA="$data"
build=build-gpu
status=0
step() { printf '\n==== %s\n' "$*"; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
lscpu | grep -E "Model name|^CPU\(s\)" | tee -a "$out/gpu.txt"
source "$root/scripts/gpu-env.sh" # OpenCV bundle, LD_LIBRARY_PATH, gpu_cmake_args
python3 tools/compare/gmc_reference.py "$data" --export-npy "$data" || status=1

step "configure + build (CUDA on, sm_90; GMC targets only)"
start=$(date +%s)
cmake -S . -B "$build" "${gpu_cmake_args[@]}" \
  -DTRACKKIT_DATA_DIR="$data" > "$out/configure.log" 2>&1 ||
  { tail -30 "$out/configure.log"; exit 1; }
cmake --build "$build" --parallel "$(nproc)" --target test_gmc test_capi_gmc bench_gmc > "$out/build.log" 2>&1 ||
  { grep -E "error|Error" -A5 "$out/build.log" | head -60; exit 1; }
echo "configure + build: $(( $(date +%s) - start )) s"

step "tests"
ctest --test-dir "$build" -R 'gmc' --output-on-failure --parallel 4 > "$out/ctest.log" 2>&1 || status=1
grep -E "tests passed|tests failed|Failed|\*\*\*|Skipped" "$out/ctest.log" | head -40
"$build/tests/test_gmc" "CUDA*" 2>&1 | grep -E "motion|passed|failed|SKIP" | tee "$out/cuda_vs_cpu.txt"

step "benchmarks"
"$build/bench/bench_gmc" --benchmark_filter="${GMC_BENCH_FILTER:-cuda/}" --benchmark_out="$out/bench_gmc.json" \
  --benchmark_out_format=json 2>&1 | grep -E "Run on|CPU\(s\)|^cuda|^stream|^batch" || status=1
exit $status
