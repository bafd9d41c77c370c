#!/usr/bin/env bash
# EquirectToPinhole on the GPU machine, everything in one call: py360convert references, the e2p tests (CPU vs CUDA
# included) and the C test, bench_e2p (2K/4K/8K x 8 views, kernel variants, D2D copy), the Python baselines (torch
# grid_sample with a cached grid, py360convert) and split360 end to end on 8K JPEGs. Results in OUTDIR.
#   scripts/gpu-e2p.sh OUTDIR [DATA]
# DATA (default .gpu/e2p-data) holds: equirect/ (the shared images), turbojpeg/ (libturbojpeg0(-dev) .debs unpacked
# with dpkg -x: split360's JPEG I/O, since the machine's OpenCV has no imgcodecs) and wheels/ (py360convert's wheel).
# The OpenCV bundle: see scripts/gpu-env.sh.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

out=${1:?usage: scripts/gpu-e2p.sh OUTDIR [DATA]}
data=${2:-$root/.gpu/e2p-data}
logs=/tmp/e2p-logs # the device tool returns at most 8 files: OUTDIR keeps the test log and the JSON results
mkdir -p "$out" "$logs"
status=0
step() { printf '\n==== %s\n' "$*"; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee "$logs/gpu.txt"
lscpu | grep -E "Model name|^CPU\(s\)" | tee -a "$logs/gpu.txt"
source "$root/scripts/gpu-env.sh" # OpenCV bundle, LD_LIBRARY_PATH, gpu_cmake_args
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/e2p-site "$data"/wheels/*.whl
export PYTHONPATH=/tmp/e2p-site

step "configure + build (CUDA on, sm_90; e2p targets only)"
start=$(date +%s)
cmake -S . -B build-gpu "${gpu_cmake_args[@]}" -DTRACKKIT_TURBOJPEG_ROOT="$data/turbojpeg" \
  > "$logs/configure.log" 2>&1 || { tail -30 "$logs/configure.log"; exit 1; }
cmake --build build-gpu --parallel "$(nproc)" --target test_e2p test_capi_e2p bench_e2p split360 > "$logs/build.log" 2>&1 ||
  { grep -E "error|Error" -A5 "$logs/build.log" | head -60; exit 1; }
echo "configure + build: $(( $(date +%s) - start )) s"
bin=$root/build-gpu
for t in tests/test_e2p tests/test_capi_e2p bench/bench_e2p examples/split360; do ln -sf "$bin/$t" "$bin/$(basename $t)"; done

step "references (py360convert)"
python3 tools/compare/e2p_reference.py "$data" /tmp/e2p-ref | tee "$logs/references.txt" || status=1
export TRACKKIT_E2P_REFERENCE=/tmp/e2p-ref

step "tests"
"$bin/test_e2p" > "$out/test_e2p.log" 2>&1 || status=1
grep -E "^(e2p vs|CPU vs CUDA|seam|sphere|test room)|test cases|assertions|All tests|FAILED|SKIP" "$out/test_e2p.log" | sort -u | tee "$logs/test_summary.txt"
"$bin/test_capi_e2p" 2>&1 | tee "$logs/test_capi_e2p.log" || status=1

step "benchmarks"
"$bin/bench_e2p" --benchmark_filter="${E2P_BENCH_FILTER:-cuda/|cpu/.*/(2K|8K)/}" --benchmark_min_time=0.3s \
  --benchmark_out="$out/bench_e2p.json" --benchmark_out_format=json 2>&1 | grep -E "Run on|^cuda|^cpu" || status=1

if [ "${E2P_NCU:-0}" = 1 ]; then
  # Hardware counters of the headline kernel (8K, B = 8), one launch per tuning choice: issue, L1 and DRAM use.
  step "ncu: uint8 bilinear kernel, 8K B8"
  for variant in u8_nhwc_bilinear; do
    ncu --clock-control none --kernel-name regex:u8c3 --launch-skip 3 --launch-count 1 \
      --section SpeedOfLight --section ComputeWorkloadAnalysis --section MemoryWorkloadAnalysis \
      --section Occupancy --section SchedulerStats --section WarpStateStats --section InstructionStats \
      "$bin/bench_e2p" --benchmark_filter="cuda/$variant/8K/B8/" --benchmark_min_time=0.01s \
      > "$out/ncu_$variant.txt" 2>&1 || status=1
    grep -E "Duration|Throughput|Executed Ipc|Issue Slots|Registers Per|Achieved Occupancy|Theoretical Occupancy|Executed Instructions |Hit Rate|Mem Busy|Max Bandwidth|Mem Pipes|No Eligible|Warp Cycles Per Issued|Avg. Active|Eligible Warps" "$out/ncu_$variant.txt" | head -40
    grep -E "^\s+(WRN|OPT|INF)" -A2 "$out/ncu_$variant.txt" | head -12
  done
fi
[ "${E2P_BASELINES:-1}" = 1 ] || exit $status

step "baselines: torch grid_sample (cached grid, FP16), py360convert, D2D copy"
python3 tools/compare/e2p_gpu_baseline.py "$out/bench_e2p.json" "$out/baseline.json" 2>&1 | tee "$logs/table.md" || status=1

step "split360 end to end: 8K JPEGs (the shared 2K panorama upscaled) -> 8 x 1920x1080 JPEGs"
python3 tools/e2p/make_8k_frames.py "$data/equirect/gvr_andes_stereo_tb.jpg" /tmp/e2p-8k "${E2P_FRAMES:-96}"
"$bin/split360" /tmp/e2p-8k /tmp/e2p-views --views 8 --size 1920x1080 --hfov 90 --device cuda 2>&1 | tr '\r' '\n' | grep -v "^\[" | tee "$logs/split360_cuda.txt" || status=1
ls /tmp/e2p-views | wc -l
rm -rf /tmp/e2p-views
"$bin/split360" /tmp/e2p-8k /tmp/e2p-views --views 8 --size 1920x1080 --hfov 90 --device cpu --max-frames 16 2>&1 | tr '\r' '\n' | grep -v "^\[" | tee "$logs/split360_cpu.txt" || status=1
exit $status
