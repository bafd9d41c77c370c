#!/usr/bin/env bash
# On the GPU machine, in one call: the segmenter's exports and Python references made there (the wheels carried,
# weights seeded as on CPU, GPU fast paths), the CUDA build of the segmenter targets, parity on the GPU (FP32 / FP16 /
# BF16 against SamPredictor / SAM2ImagePredictor in FP32 on the same GPU), CUDA vs CPU, the benchmarks and the Python
# predictor's figures, all under OUTDIR. Steps past a time budget are skipped (the call's device time is scarce), most
# important first.
#   [SEGMENTER_GPU_BUDGET=s] [SEGMENTER_MODELS=vit_t,vit_b] [SEGMENTER_SAM2_MODELS=sam2.1_hiera_t,sam2_hiera_t]
#   [SEGMENTER_GPU_PRECISIONS="fp32 fp16 bf16"] [SEGMENTER_GPU_PROFILE=1] [SEGMENTER_BENCHES=regex]
#   [SEGMENTER_AOTI=1: also compile MobileSAM FP16 into AOTInductor packages, test them (against the TorchScript pair
#    and, through the parity test, against SamPredictor) and benchmark them]
#   scripts/gpu-segmenter.sh OUTDIR
# Carried in .gpu/ (ignored by git): opencv.tar.xz; segmenter-whl/ (segment_anything, mobilesam_mirror, timm, sam2
# (built here with SAM2_BUILD_CUDA=0), hydra_core, omegaconf, antlr4_python3_runtime, iopath, portalocker, tqdm,
# packaging, efficientsam wheels);
# segmenter-data/ (the MOT17 frames and gt.txt files reference_sam.py and the tests read, as in ../shared/data).
set -uo pipefail
out=${1:?usage: scripts/gpu-segmenter.sh OUTDIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p "$out"
exec > >(tee "$out/log.txt") 2>&1 # at most 8 files come back: everything printed is in log.txt
gpu=$root/.gpu
[ -d "$gpu/segmenter-whl" ] || gpu=$(cd "$root/.." && pwd) # the tree itself travels inside .gpu/
build=build-gpu
budget=${SEGMENTER_GPU_BUDGET:-185}
t0=$(date +%s)
left() { echo $(( budget - ($(date +%s) - t0) )); }
step() { printf '\n==== [%3d s] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
export TRACKKIT_DATA=$gpu/segmenter-data TRACKKIT_SEGMENTER_MODELS=$root/$build/segmenter-models
export TRACKKIT_SEGMENTER_REFERENCE=$root/$build/segmenter-ref PYTHONUNBUFFERED=1

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
TRACKKIT_OPENCV_TAR=$gpu/opencv.tar.xz source "$root/scripts/gpu-env.sh" # OpenCV, gpu_cmake_args
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site "$gpu"/segmenter-whl/*.whl \
  && export PYTHONPATH=/tmp/site

step "exports (CPU, seeded; GPU fast paths) and SamPredictor references (CUDA, FP32) in the background"
mkdir -p "$build"
sam2_models=${SEGMENTER_SAM2_MODELS-sam2.1_hiera_t} # set empty: no SAM 2 export
( python3 tools/segmenter/export_sam.py "$TRACKKIT_SEGMENTER_MODELS" --models "${SEGMENTER_MODELS:-vit_t,vit_b}" \
    --fast-paths &&
  { [ -z "$sam2_models" ] || python3 tools/segmenter/export_sam2.py "$TRACKKIT_SEGMENTER_MODELS" --models "$sam2_models"; } &&
  python3 tools/segmenter/reference_sam.py "$TRACKKIT_SEGMENTER_MODELS" "$TRACKKIT_SEGMENTER_REFERENCE" --device cuda
) > "$out/python_refs.log" 2>&1 &
refs=$!
# The package's kernels on the GPU too, for the profile's before/after (SEGMENTER_GPU_PROFILE=1).
plain=
if [ -n "${SEGMENTER_GPU_PROFILE:-}" ]; then
  python3 tools/segmenter/export_sam.py "$build/segmenter-models-plain" --models vit_t > "$out/export_plain.log" 2>&1 &
  plain=$!
fi

compiling=
if [ -n "${SEGMENTER_AOTI:-}" ]; then # the two roles compile at once, beside the build (a few minutes each)
  mkdir -p "$TRACKKIT_SEGMENTER_MODELS"
  for role in encoder decoder; do
    python3 tools/segmenter/compile_aoti.py "$TRACKKIT_SEGMENTER_MODELS" --models vit_t --precisions fp16 --roles $role \
      > "$out/aoti_$role.log" 2>&1 &
    compiling="$compiling $!"
  done
fi

step "configure + build (CUDA, sm_90; segmenter targets)"
cmake -S . -B "$build" "${gpu_cmake_args[@]}" > "$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
cmake --build "$build" --parallel "$(nproc)" --target test_segmenter bench_segmenter > "$out/build.log" 2>&1 ||
  { grep -E "error|Error" -A5 "$out/build.log" | head -60; exit 1; }
step "built"
wait $refs || { tail -20 "$out/python_refs.log"; exit 1; }
grep -vi warn "$out/python_refs.log" | tail -8

if [ -n "$plain" ]; then
  step "profile: exported decoder and encoder, package kernels (plain) vs fast paths, FP16"
  wait $plain
  python3 tools/segmenter/profile_segmenter.py "$build/segmenter-models-plain" "$TRACKKIT_SEGMENTER_MODELS" --rows 14 \
    > "$out/profile.txt" 2>&1
  grep -E "^profile" "$out/profile.txt"
fi

step "parity on the GPU against SamPredictor (CUDA FP32): FP32, FP16, BF16"
for p in ${SEGMENTER_GPU_PRECISIONS:-fp32 fp16 bf16}; do
  TRACKKIT_SEGMENTER_DEVICE=cuda TRACKKIT_SEGMENTER_PRECISION=$p "$build/tests/test_segmenter" "[parity]" \
    > "$out/parity_run.txt" 2>&1
  cat "$out/parity_run.txt" >> "$out/parity.txt"
  grep -E "^parity" "$out/parity_run.txt"; grep -E "FAILED|with expansion" -A2 "$out/parity_run.txt" | head -20
  tail -2 "$out/parity_run.txt"
done
rm -f "$out/parity_run.txt"
step "CUDA vs CPU (segmenter, RLE)"
"$build/tests/test_segmenter" "[cuda]" 2>&1 | tee "$out/cuda_vs_cpu.txt" | grep -E "cuda vs|vs cpu|passed|failed|FAILED" -A3

if [ -n "$compiling" ]; then
  step "AOTInductor packages: compile, then against the TorchScript pair and SamPredictor (FP16)"
  for pid in $compiling; do wait "$pid" || { grep -v "^W1" "$out"/aoti_*.log | tail -20; exit 1; }; done
  grep -h "compiled in" "$out"/aoti_*.log
  "$build/tests/test_segmenter" "[compiled]" 2>&1 | tee "$out/compiled.txt" | grep -E "compiled vs|passed|failed|FAILED" -A3
  TRACKKIT_SEGMENTER_BACKEND=aoti TRACKKIT_SEGMENTER_DEVICE=cuda TRACKKIT_SEGMENTER_PRECISION=fp16 \
    "$build/tests/test_segmenter" "[parity]" > "$out/parity_aoti.txt" 2>&1
  grep -E "^parity" "$out/parity_aoti.txt"; grep -E "FAILED|with expansion" -A2 "$out/parity_aoti.txt" | head -20
  tail -2 "$out/parity_aoti.txt"
fi

bench() { # filter, then --benchmark args
  local filter=$1
  [ "$(left)" -gt 15 ] || { echo "skipped (time budget): $filter"; return; }
  "$build/bench/bench_segmenter" --benchmark_filter="$filter" --benchmark_min_time=0.2s 2>&1 |
    grep -vE "^\*\*\*|^-+$|^Run on|^CPU|^Load|^ +L[123]"
}
if [ -n "${SEGMENTER_BENCHES:-}" ]; then # only these benchmarks (a regex), e.g. for one model
  step "benchmarks: $SEGMENTER_BENCHES"
  bench "$SEGMENTER_BENCHES"
  exit 0
fi
step "benchmarks: decoder, one call vs per-box loop (the loop: 10 iterations, 3 at 200 boxes)"
bench "BM_decoder/mobile_sam_cuda_fp16_lowres"
step "benchmarks: encoder + decoder (logits; 1080p masks), and the encoder by batch"
bench "BM_segment/mobile_sam_cuda_fp16"
bench "BM_encoder/mobile_sam_cuda_fp16"
step "benchmarks: SAM 2.1 Hiera-T"
bench "BM_(encoder|decoder|segment)/sam2_1_hiera_t"
step "Python predictor (SamPredictor), same GPU"
[ "$(left)" -gt 40 ] && python3 tools/segmenter/python_baseline.py "$TRACKKIT_SEGMENTER_MODELS" --boxes 1,10,50,200 --repeat 3 \
  2>&1 | grep -E "^python" | tee "$out/python_baseline.txt"
step "more benchmarks while time is left"
bench "BM_decoder/mobile_sam_cuda_fp16_1080p"
bench "BM_decoder/mobile_sam_cuda_fp32_lowres"
bench "BM_encoder/sam_vit_b_cuda_fp16"
bench "BM_encoder/efficientvit_sam_l0_cuda_fp16"
bench "BM_encoder/mobile_sam_cuda_(fp32|bf16)"
bench "BM_segment/mobile_sam_cuda_bf16"
step "done"
sleep 1 # let tee finish log.txt
