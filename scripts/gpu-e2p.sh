#!/usr/bin/env bash
# EquirectToPinhole on the GPU machine, everything in one call: py360convert references, the e2p tests (CPU vs CUDA
# included) and the C test, bench_e2p (2K/4K/8K x 8 views, kernel variants, D2D copy), the Python baselines (torch
# grid_sample with a cached grid, py360convert) and split360 end to end on 8K JPEGs. Results in OUTDIR.
#   scripts/gpu-e2p.sh OUTDIR [DATA]
# DATA (default .gpu/e2p-data) holds: equirect/ (the shared images), turbojpeg/ (libturbojpeg0(-dev) .debs unpacked
# with dpkg -x), wheels/ (py360convert's wheel), and optionally bin/: binaries built on the CPU machine from this
# checkout (scripts/gpu-e2p.sh --pack DATA there), which run as they are; without them this script builds here.
# The OpenCV bundle: $TRACKKIT_OPENCV_TAR, else ../opencv.tar.xz, else .gpu/opencv.tar.xz.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [ "${1:-}" = "--pack" ]; then # on the CPU machine: binaries of build/ for DATA/bin
  dest=${2:?usage: scripts/gpu-e2p.sh --pack DATA}/bin
  build=${TRACKKIT_BUILD:-$root/build}
  torch=$(.venv/bin/python -c 'import os,sysconfig;print(sysconfig.get_paths()["purelib"]+"/torch")')
  tj=$(sed -n 's/^TRACKKIT_TURBOJPEG_ROOT:PATH=//p' "$build/CMakeCache.txt")
  rm -rf "$dest" && mkdir -p "$dest"
  cp -L "$build/src/libtrackkit.so.0" "$build/capi/libtrackkit_c.so.0" /usr/lib/x86_64-linux-gnu/libbenchmark.so.1debian "$dest/"
  cp "$build/tests/test_e2p" "$build/tests/test_capi_e2p" "$build/bench/bench_e2p" "$dest/"
  # split360 without OpenCV's imgcodecs/videoio (the GPU machine's OpenCV has neither): TurboJPEG, linked statically.
  g++ -O2 -std=c++17 -DTRACKKIT_HAVE_TURBOJPEG=1 -DTRACKKIT_WITH_CUDA=1 -DFMT_HEADER_ONLY=1 -Iinclude -I"$build/include" \
    -Iexamples -I"$tj/usr/include" -isystem "$torch/include" -isystem "$torch/include/torch/csrc/api/include" \
    -isystem /usr/local/cuda/include examples/split360.cpp examples/split360_pipeline.cpp examples/split360_io.cpp \
    -o "$dest/split360" -L"$build/src" -l:libtrackkit.so.0 -L"$torch/lib" -ltorch -ltorch_cuda -ltorch_cpu -lc10_cuda \
    -lc10 "$tj/usr/lib/x86_64-linux-gnu/libturbojpeg.a" -L/usr/local/cuda/lib64 -lcudart -lpthread || exit 1
  strip "$dest"/*
  du -sh "$dest"
  exit 0
fi

out=${1:?usage: scripts/gpu-e2p.sh OUTDIR [DATA]}
data=${2:-$root/.gpu/e2p-data}
mkdir -p "$out"
status=0
step() { printf '\n==== %s\n' "$*"; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee "$out/gpu.txt"
lscpu | grep -E "Model name|^CPU\(s\)" | tee -a "$out/gpu.txt"
tarball=${TRACKKIT_OPENCV_TAR:-}
for t in ../opencv.tar.xz .gpu/opencv.tar.xz; do [ -z "$tarball" ] && [ -f "$t" ] && tarball=$t; done
mkdir -p .gpu && tar -C .gpu -xJf "$tarball"
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/e2p-site "$data"/wheels/*.whl
export PYTHONPATH=/tmp/e2p-site
torchlib=$(python3 -c 'import os,torch;print(os.path.dirname(torch.__file__)+"/lib")')
export LD_LIBRARY_PATH="$root/.gpu/opencv/lib:$torchlib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"

step "binaries"
bin=$data/bin
if [ -x "$bin/test_e2p" ] && LD_LIBRARY_PATH="$bin:$LD_LIBRARY_PATH" "$bin/test_e2p" --list-tests > /dev/null 2>&1; then
  export LD_LIBRARY_PATH="$bin:$LD_LIBRARY_PATH"
  echo "prebuilt binaries from $bin"
else
  start=$(date +%s)
  cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRACKKIT_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DCMAKE_PREFIX_PATH="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')" \
    -DOpenCV_DIR="$root/.gpu/opencv/lib/cmake/opencv4" -DTRACKKIT_TURBOJPEG_ROOT="$data/turbojpeg" \
    > "$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
  cmake --build build-gpu --parallel "$(nproc)" --target test_e2p test_capi_e2p bench_e2p split360 > "$out/build.log" 2>&1 ||
    { grep -E "error|Error" -A5 "$out/build.log" | head -60; exit 1; }
  echo "configure + build: $(( $(date +%s) - start )) s"
  mkdir -p build-gpu/bin && cp build-gpu/tests/test_e2p build-gpu/tests/test_capi_e2p build-gpu/bench/bench_e2p \
    build-gpu/examples/split360 build-gpu/bin/
  bin=$root/build-gpu/bin
fi

step "references (py360convert)"
python3 tools/compare/e2p_reference.py "$data" /tmp/e2p-ref | tee "$out/references.txt" || status=1
export TRACKKIT_E2P_REFERENCE=/tmp/e2p-ref

step "tests"
"$bin/test_e2p" > "$out/test_e2p.log" 2>&1 || status=1
grep -E "^(e2p vs|CPU vs CUDA|seam|sphere|test room)|test cases|assertions|All tests|FAILED|SKIP" "$out/test_e2p.log" | sort -u | tee "$out/test_summary.txt"
"$bin/test_capi_e2p" 2>&1 | tee "$out/test_capi_e2p.log" || status=1

step "benchmarks"
"$bin/bench_e2p" --benchmark_filter="${E2P_BENCH_FILTER:-cuda/|cpu/.*/(2K|8K)/}" --benchmark_min_time=0.3s \
  --benchmark_out="$out/bench_e2p.json" --benchmark_out_format=json 2>&1 | grep -E "Run on|^cuda|^cpu" || status=1

step "baselines: torch grid_sample (cached grid, FP16), py360convert, D2D copy"
python3 tools/compare/e2p_gpu_baseline.py "$out/bench_e2p.json" "$out/baseline.json" 2>&1 | tee "$out/table.md" || status=1

step "split360 end to end: 8K JPEGs (the shared 2K panorama upscaled) -> 8 x 1920x1080 JPEGs"
python3 - "$data/equirect/gvr_andes_stereo_tb.jpg" /tmp/e2p-8k "${E2P_FRAMES:-96}" <<'EOF'
import sys, shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from PIL import Image
src, dst, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
dst.mkdir(parents=True, exist_ok=True)
def make(k):  # the top eye (2048x1024) upscaled to 7680x3840, turned by k x 45 degrees
    im = Image.open(src).crop((0, 0, 2048, 1024)).resize((7680, 3840), Image.BICUBIC)
    s = 960 * k
    turned = Image.new("RGB", im.size); turned.paste(im.crop((s, 0, 7680, 3840)), (0, 0)); turned.paste(im.crop((0, 0, s, 3840)), (7680 - s, 0))
    turned.save(dst / f"u{k}.jpg", quality=90)
with ProcessPoolExecutor(8) as pool: list(pool.map(make, range(8)))
for i in range(n): shutil.copy(dst / f"u{i % 8}.jpg", dst / f"frame_{i:05d}.jpg")
for k in range(8): (dst / f"u{k}.jpg").unlink()
print(f"{n} 8K JPEGs ({(dst / 'frame_00000.jpg').stat().st_size / 1e6:.1f} MB each) in {dst}")
EOF
"$bin/split360" /tmp/e2p-8k /tmp/e2p-views --views 8 --size 1920x1080 --hfov 90 --device cuda 2>&1 | tr '\r' '\n' | grep -v "^\[" | tee "$out/split360_cuda.txt" || status=1
ls /tmp/e2p-views | wc -l
rm -rf /tmp/e2p-views
"$bin/split360" /tmp/e2p-8k /tmp/e2p-views --views 8 --size 1920x1080 --hfov 90 --device cpu --limit 16 2>&1 | tr '\r' '\n' | grep -v "^\[" | tee "$out/split360_cpu.txt" || status=1
exit $status
