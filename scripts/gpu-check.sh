#!/usr/bin/env bash
# On the GPU machine (Ubuntu 24.04, torch in python3, no OpenCV C++, no network): build with CUDA, run every
# test, every benchmark and the main job, and write the results to OUTDIR.
#   scripts/gpu-check.sh OUTDIR
# Needs, carried in .gpu/ (ignored by git; see docs/building.md): opencv.tar.xz from
# ../shared/gpu/make-opencv-bundle.sh, and optionally data/ (a copy of the MOT17 text files) for the demo.
set -uo pipefail
out=${1:?usage: scripts/gpu-check.sh OUTDIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p "$out"
build=build-gpu
status=0
step() { printf '\n==== %s\n' "$*"; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
nproc
source "$root/scripts/gpu-env.sh" # OpenCV bundle, LD_LIBRARY_PATH, gpu_cmake_args
data="${TRACKKIT_DATA:-$root/.gpu/data}"
export TRACKKIT_DATA="$data"

step "configure + build (CUDA on, sm_90)"
start=$(date +%s)
cmake -S . -B "$build" "${gpu_cmake_args[@]}" -DTRACKKIT_DATA_DIR="$data" > "$out/configure.log" 2>&1 || { cat "$out/configure.log"; exit 1; }
cmake --build "$build" --parallel "$(nproc)" > "$out/build.log" 2>&1 || { tail -50 "$out/build.log"; exit 1; }
echo "configure + build: $(( $(date +%s) - start )) s"

step "tests"
ctest --test-dir "$build" --output-on-failure --parallel 8 > "$out/ctest.log" 2>&1 || status=1
grep -E "tests passed|tests failed|Failed|\*\*\*|Skipped|SKIP" "$out/ctest.log" | head -40
"$build/tests/test_core" --success --reporter compact 2>/dev/null | grep -c "passed" | sed 's/^/test_core assertions passed: /'

step "benchmarks"
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  "$b" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true --benchmark_out="$out/$(basename "$b").json" \
    --benchmark_out_format=json 2>&1 | grep -E "median|Run on|CPU\(s\)|^-|Benchmark" || status=1
done

step "main job"
if [ -d "$data/mot" ]; then
  "$build/examples/mot_det_eval" --data "$data" --device cuda --csv "$out/mot_det_eval_cuda.csv" | tee "$out/mot_det_eval.txt" || status=1
  "$build/examples/mot_det_eval" --data "$data" --device cpu | tail -3 | tee -a "$out/mot_det_eval.txt" || status=1
  "$build/examples/track_mot" --data "$data" --out "$build/track_mot_results" | tee "$out/track_mot.txt" || status=1
  "$build/examples/track_mot" --data "$data" --det yolox_x_ablation.txt --val-half --out "$build/track_mot_val" \
    | tail -3 | tee -a "$out/track_mot.txt" || status=1
fi
exit $status
