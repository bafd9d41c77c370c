#!/usr/bin/env bash
# On the GPU machine: the embedder's CUDA checks and figures in one call: CUDA vs CPU (crop kernels, clustering,
# embeddings), parity with the Python references on the GPU in FP32 and FP16, the C ABI test, the crops/s benchmark
# (one batched call vs the per-crop CPU loops, same model, same run) and BoT-SORT with / without ReID on PETS09-S2L1.
#   scripts/gpu-embedder.sh OUTDIR
# Carried (ignored by git): ../opencv.tar.xz (or TRACKKIT_OPENCV_TARBALL) and EMBEDDER_GPU_DATA (default
# ../embedder-data) with models/ (tools/embedder/convert_models.py), ref/ (reference_embed.py), data/ (the parts of
# shared/data the tests read), facenet_pytorch/ (the package: InceptionResnetV1 is built here, 95 MB) and optionally
# bin/ (this tree's libtrackkit, libtrackkit_c, test_embedder, test_capi_embedder, bench_embedder, track_reid built
# elsewhere against this OpenCV bundle's libraries, plus libbenchmark): then nothing is compiled here but two stub
# libraries for the OpenCV modules the bundle lacks (imgcodecs: imread returns an empty image, so the tests read
# .npy copies; videoio: unused with --raw). Without bin/ everything is configured and built here (CUDA, sm_90).
set -uo pipefail
out=${1:?usage: scripts/gpu-embedder.sh OUTDIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p "$out" .gpu
gdata=$(cd "${EMBEDDER_GPU_DATA:-$root/../embedder-data}" && pwd)
step() { printf '\n==== %s (%s s)\n' "$*" "$SECONDS"; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
source "$root/scripts/gpu-env.sh" # OpenCV bundle, LD_LIBRARY_PATH, gpu_cmake_args
export TRACKKIT_DATA=$gdata/data TRACKKIT_EMBEDDER_MODELS=$gdata/models TRACKKIT_EMBEDDER_REFERENCE=$gdata/ref

step "frames for the tests (.npy, python3 cv2), PETS09-S2L1 video -> raw BGR; InceptionResnetV1 (random weights)"
python3 - "$gdata/data" <<'PY' &
import sys, pathlib, cv2, numpy as np
data = pathlib.Path(sys.argv[1])
images = list((data / "mot").rglob("img1/*.jpg")) + list((data / "faces").rglob("*_aligned.jpg"))
for jpg in images:  # tests/gmc/gmc_test_util.hpp's npy_name
    name = str(jpg.relative_to(data)).replace("/", "_").replace(".", "_")
    (data / "gmc_frames").mkdir(exist_ok=True)
    np.save(data / "gmc_frames" / (name + ".npy"), cv2.imread(str(jpg), cv2.IMREAD_COLOR))
cap, n = cv2.VideoCapture(str(data / "video/PETS09-S2L1_480x360.avi")), 0
with open(data / "pets09.bgr", "wb") as f:
    while True:
        ok, frame = cap.read()
        if not ok: break
        f.write(frame.tobytes()); n += 1
print("npy frames:", len(images), "| PETS09 video frames:", n)
PY
PYTHONPATH=$gdata python3 tools/embedder/convert_models.py "$gdata/models" --facenet-only 2>&1 | tail -1 &
wait

if [ -x "$gdata/bin/test_embedder" ]; then
  step "prebuilt binaries; stubs for opencv imgcodecs / videoio"
  bin=$gdata/bin
  printf '#include <opencv2/core.hpp>\nnamespace cv { Mat imread(const String&, int) { return Mat(); } }\n' > /tmp/stub.cpp
  g++ -shared -fPIC -O1 /tmp/stub.cpp -o "$bin/libopencv_imgcodecs.so.406" -Wl,-soname,libopencv_imgcodecs.so.406 \
    -I.gpu/opencv/include/opencv4 -L.gpu/opencv/lib -l:libopencv_core.so.406
  echo "" | gcc -shared -x c - -o "$bin/libopencv_videoio.so.406" -Wl,-soname,libopencv_videoio.so.406
  export LD_LIBRARY_PATH="$bin:$LD_LIBRARY_PATH"
  tests=$bin bench=$bin examples=$bin min_time=0.2 # the carried libbenchmark (1.7) takes plain seconds
else
  step "configure + build (CUDA, sm_90)"
  build=build-gpu
  cmake -S . -B "$build" "${gpu_cmake_args[@]}" \
    > "$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
  cmake --build "$build" --parallel "$(nproc)" --target test_embedder test_capi_embedder bench_embedder track_reid \
    > "$out/build.log" 2>&1 || { grep -E "error|FAILED" "$out/build.log" | head -30; exit 1; }
  tests=$build/tests bench=$build/bench examples=$build/examples min_time=0.2s
fi

step "CUDA vs CPU (crops, clustering, embeddings)"
"$tests/test_embedder" "[cuda]" 2>&1 | tee "$out/test_cuda.txt" | grep -E "embedder-|FAILED|passed|failed" | head -30
step "parity and quality on the GPU, FP32 (references: ONNX Runtime on the CPU, FP32)"
TRACKKIT_EMBEDDER_DEVICE=cuda "$tests/test_embedder" "[parity]" 2>&1 | tee "$out/parity_fp32.txt" | grep -E "embedder-|FAILED|passed|failed"
step "benchmark: crops/s, batched vs per-crop CPU loops (same model, same run)"
TRACKKIT_BENCH_DEVICE=cuda "$bench/bench_embedder" --benchmark_min_time=$min_time --benchmark_out="$out/bench_embedder.json" \
  --benchmark_out_format=json 2>&1 | grep -vE "^\*\*\*|^-+$" | tee "$out/bench.txt"
step "parity on the GPU in FP16"
TRACKKIT_EMBEDDER_DEVICE=cuda TRACKKIT_EMBEDDER_PRECISION=fp16 "$tests/test_embedder" "[parity]" 2>&1 \
  | tee "$out/parity_fp16.txt" | grep -E "embedder-|FAILED|passed|failed"
step "BoT-SORT with / without ReID (OSNet on the GPU) on PETS09-S2L1, every frame"
"$examples/track_reid" --model "$gdata/models/osnet_x0_25_msmt17.torchscript" --device cuda --det det_frcnn_sort.txt \
  --raw "$gdata/data/pets09.bgr" --raw-size 480x360 --scale 0.625 --mot15 "$gdata/data/mot/MOT15/train/PETS09-S2L1" 2>&1 \
  | tee "$out/track_reid.txt"
step "C ABI test, CPU tests"
"$tests/test_capi_embedder" 2>&1 | tail -1
"$tests/test_embedder" "~[parity]~[cuda]" 2>&1 | tail -3
step "done"
