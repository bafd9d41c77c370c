#!/usr/bin/env bash
# On the GPU machine: the main job's CUDA checks and end-to-end figures in one call. Builds with CUDA, runs the
# pipeline tests (CUDA vs CPU), then track_video on the PETS09-S2L1 footage upscaled to 1920x1080 (a .npy frame
# array: the machine's OpenCV has no codecs) with YOLOv5n and YOLOv8n exports, FP16, with and without sparse-flow
# GMC, and the same pipeline written the Python way in the same run (tools/compare/track_video_python.py).
#   scripts/gpu-track-video.sh OUTDIR
# Carried in .gpu/ (ignored by git): opencv.tar.xz, track-video/{models,wheels,data} (see docs/track_video.md).
set -uo pipefail
out=${1:?usage: scripts/gpu-track-video.sh OUTDIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p "$out"
tv=$root/.gpu/track-video
build=build-gpu
step() { printf '\n==== %s\n' "$*"; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
nproc
source "$root/scripts/gpu-env.sh" # OpenCV bundle, LD_LIBRARY_PATH, gpu_cmake_args
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site "$tv"/wheels/*.whl
export PYTHONPATH=/tmp/site YOLO_OFFLINE=1 PYTHONUNBUFFERED=1
export TRACKKIT_DATA=$tv/data TRACKKIT_DETECTOR_MODELS=$tv/models

step "frames: MOT17 .npy copies for the tests; PETS09-S2L1 at 480x360 and upscaled to 1920x1080 (python3 cv2)"
python3 tools/compare/gmc_reference.py "$TRACKKIT_DATA" --export-npy "$TRACKKIT_DATA" | tail -1
python3 - "$TRACKKIT_DATA/video/PETS09-S2L1_480x360.avi" /tmp/pets_360.npy /tmp/pets_1080.npy <<'PY'
import sys, time, cv2, numpy as np
cap, frames = cv2.VideoCapture(sys.argv[1]), []
t = time.perf_counter()
while True:
    ok, f = cap.read()
    if not ok: break
    frames.append(f)
decode = time.perf_counter() - t
np.save(sys.argv[2], np.stack(frames))
big = np.lib.format.open_memmap(sys.argv[3], mode="w+", dtype=np.uint8, shape=(len(frames), 1080, 1920, 3))
for i, f in enumerate(frames): big[i] = cv2.resize(f, (1920, 1080), interpolation=cv2.INTER_LINEAR)
big.flush()
print(f"{len(frames)} frames; cv2 decoded the 480x360 H.264 at {len(frames) / decode:.0f} frames/s")
PY

step "configure + build (CUDA, sm_90)"
start=$(date +%s)
cmake -S . -B "$build" "${gpu_cmake_args[@]}" \
  -DTRACKKIT_BUILD_BENCH=OFF \
  -DTRACKKIT_TURBOJPEG_ROOT="$root/.gpu/e2p-data/turbojpeg" > "$out/configure.log" 2>&1 \
  || { tail -30 "$out/configure.log"; exit 1; }
cmake --build "$build" --parallel "$(nproc)" --target test_pipeline track_video track_folder \
  $([ -d .gpu/e2p-data ] && echo split360) > "$out/build.log" 2>&1 \
  || { grep -E "error|FAILED" "$out/build.log" | head -30; exit 1; }
echo "build: $(( $(date +%s) - start )) s"

step "tests: pipeline (CUDA vs CPU included)"
"$build/tests/test_pipeline" > "$out/test_pipeline.txt" 2>&1; grep -B4 -A14 "FAILED" "$out/test_pipeline.txt" | head -60; tail -3 "$out/test_pipeline.txt"

step "track_video end to end, 1920x1080, FP16 (trackkit)"
for m in yolov5n yolov8n; do
  for g in sparse_optical_flow none; do
    echo "--- $m, GMC $g"
    "$build/examples/track_video" /tmp/pets_1080.npy --model "$tv/models/$m.torchscript" --fp16 --gmc "$g" \
      --classes 0 --no-annotate --out "$out/tv_${m}_$g" --gt "$TRACKKIT_DATA/mot/MOT15/train/PETS09-S2L1/gt/gt.txt" \
      --gt-scale 2.5,1.875 --mot15 2>"$out/tv_${m}_$g.err" | grep -E "^model|^scores|^track_video" || tail -3 "$out/tv_${m}_$g.err"
  done
done
echo "--- yolov5n at the footage's own 480x360, GMC sparse_optical_flow"
"$build/examples/track_video" /tmp/pets_360.npy --model "$tv/models/yolov5n.torchscript" --fp16 --classes 0 \
  --no-annotate --out "$out/tv_360" --gt "$TRACKKIT_DATA/mot/MOT15/train/PETS09-S2L1/gt/gt.txt" --gt-scale 0.625 \
  --mot15 2>/dev/null | grep -E "^scores|^track_video"
echo "--- the C example (C ABI), yolov5n FP32"
"$build/examples/track_folder" /tmp/pets_1080.npy "$tv/models/yolov5n.torchscript" cuda > "$out/track_folder.txt"
wc -l < "$out/track_folder.txt"

step "the Python way, same frames, same GPU (first 300 frames)"
for m in yolov5n yolov8n; do
  python3 tools/compare/track_video_python.py "$tv/models/$m.torchscript" /tmp/pets_1080.npy --fp16 --classes 0 \
    --frames-limit 300 2>&1 | tail -1
done
python3 tools/compare/track_video_python.py "$tv/models/yolov5n.torchscript" /tmp/pets_1080.npy --fp16 --classes 0 \
  --gmc none --frames-limit 300 2>&1 | tail -1

if [ -d .gpu/e2p-data ]; then
  step "split360 end to end on the GPU: 96 8K JPEGs (the shared 2K panorama upscaled) -> 8 x 1920x1080 JPEGs each"
  python3 tools/e2p/make_8k_frames.py .gpu/e2p-data/equirect/gvr_andes_stereo_tb.jpg /tmp/e2p-8k 96
  "$build/examples/split360" /tmp/e2p-8k /tmp/e2p-views --views 8 --size 1920x1080 --hfov 90 --device cuda 2>&1 \
    | tr '\r' '\n' | grep -v "^\[" | tail -6
  ls /tmp/e2p-views | wc -l
fi
