#!/usr/bin/env bash
# On the GPU machine: the detector's CUDA checks and figures in one call (build, CUDA tests of letterbox / NMS /
# detector, parity on the GPU in FP32 and FP16, benchmarks, the Python-style baseline in the same run).
#   scripts/gpu-detector.sh OUTDIR
# Carried in .gpu/ (ignored by git): opencv.tar.xz (../shared/gpu/make-opencv-bundle.sh) and detector/ with
# models/ (tools/detector/export_yolo.py output), reference/ (reference_detect.py output) and images/ (the JPEGs
# the references name, decoded here with python3's cv2 because the OpenCV bundle has no imgcodecs).
set -uo pipefail
out=${1:?usage: scripts/gpu-detector.sh OUTDIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p "$out"
build=build-gpu
step() { printf '\n==== %s\n' "$*"; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
source "$root/scripts/gpu-env.sh" # OpenCV bundle, LD_LIBRARY_PATH, gpu_cmake_args
det=$root/.gpu/detector
export TRACKKIT_DETECTOR_MODELS=$det/models TRACKKIT_DETECTOR_REFERENCE=$det/reference

step "decode the reference images to raw BGR (python3 cv2)"
python3 - "$det" <<'PY'
import sys, pathlib, cv2
det = pathlib.Path(sys.argv[1])
for jpg in (det / "images").rglob("*.jpg"):
    name = jpg.relative_to(det / "images").as_posix()  # bus.jpg or MOT17-02-FRCNN/000001.jpg
    raw = det / "reference" / "frames" / (name + ".bgr")
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_bytes(cv2.imread(str(jpg), cv2.IMREAD_COLOR).tobytes())
print("frames:", len(list((det / "reference" / "frames").rglob("*.bgr"))))
PY
python3 -c "import torchvision" 2>/dev/null && echo "torchvision present" || echo "torchvision absent"

step "configure + build (CUDA, sm_90)"
start=$(date +%s)
cmake -S . -B "$build" "${gpu_cmake_args[@]}" \
  > "$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
cmake --build "$build" --parallel "$(nproc)" --target test_core test_detector bench_detector bench_nms > "$out/build.log" 2>&1 \
  || { grep -E "error|FAILED" "$out/build.log" | head -30; exit 1; }
echo "build: $(( $(date +%s) - start )) s"

step "tests: core (letterbox, NMS: CUDA vs CPU) and detector"
"$build/tests/test_core" > "$out/test_core.txt" 2>&1; grep -B3 -A12 "FAILED" "$out/test_core.txt" | head -60; tail -3 "$out/test_core.txt"
"$build/tests/test_detector" "~[parity]" 2>&1 | tail -3
step "parity on the GPU, FP32 then FP16 (references: Python on the CPU, FP32)"
TRACKKIT_DETECTOR_DEVICE=cuda "$build/tests/test_detector" "[parity]" > "$out/parity_cuda_fp32.txt" 2>&1
grep -E "^parity" "$out/parity_cuda_fp32.txt" | head -40; tail -3 "$out/parity_cuda_fp32.txt"
mkdir -p "$det/reference16"
for f in "$det"/reference/*.fp32.txt; do b=$(basename "$f" .fp32.txt); cp "$f" "$det/reference16/$b.fp16.txt"; done
ln -sfn "$det/reference/frames" "$det/reference16/frames"
TRACKKIT_DETECTOR_REFERENCE=$det/reference16 TRACKKIT_DETECTOR_DEVICE=cuda "$build/tests/test_detector" "[parity]" \
  > "$out/parity_cuda_fp16.txt" 2>&1
grep -E "^parity" "$out/parity_cuda_fp16.txt" | head -40; tail -3 "$out/parity_cuda_fp16.txt"

step "benchmarks"
for b in bench_nms bench_detector; do
  "$build/bench/$b" --benchmark_min_time=0.3s --benchmark_out="$out/$b.json" --benchmark_out_format=json 2>&1 \
    | grep -vE "^\*\*\*|^-+$" | tail -40
done
step "Python-style baseline, same GPU, same run"
for m in yolov5n yolov8n; do
  python3 tools/compare/detector_python_baseline.py "$det/models/$m.torchscript" --fp16 --batches 1,16,64 --frames 256 2>&1
done
