#!/usr/bin/env bash
# Installs what trackkit needs on a fresh Debian/Ubuntu machine, skipping whatever is already there:
#  1. system packages (compiler, cmake, ninja, OpenCV, Eigen, fmt, Catch2, Google Benchmark, ccache, CLI11, yaml-cpp, clang-tidy,
#     FFmpeg's libraries, NVIDIA's codec headers and the ffmpeg CLI for the test videos);
#  2. a virtualenv (TRACKKIT_VENV, default .venv) holding the pinned LibTorch wheel, torch==2.11.0, alone
#     (and numpy, pytest and typing_extensions, for the tests of the C ABI and the package from Python);
#  3. only the CUDA runtime libraries LibTorch cannot find on this machine, from PyPI's nvidia-* wheels.
# The torch wheel's declared dependencies are ~3 GB of CUDA packages and Python modules that a C++ build
# never imports; installing the wheel with --no-deps and adding only what `ldd` reports missing keeps a
# fresh set-up to the 530 MB wheel where a CUDA toolkit is installed (docs/building.md has the figures).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${TRACKKIT_VENV:-$root/.venv}
torch_version=2.11.0
say() { printf '[setup] %s\n' "$*"; }

# ---- 1. system packages -------------------------------------------------------------------------------
packages=(g++ cmake ninja-build python3-venv pkg-config ccache libopencv-dev libeigen3-dev libfmt-dev catch2 libbenchmark-dev
          libcli11-dev libyaml-cpp-dev clang-tidy
          libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libffmpeg-nvenc-dev ffmpeg)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A python3 that already makes venvs (pyenv, conda) needs no python3-venv package.
if python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
missing=(${missing[@]+"${missing[@]}"})
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  command -v apt-get >/dev/null || { echo "[setup] please install: ${missing[*]}" >&2; exit 1; }
  say "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- 2. virtualenv with the LibTorch wheel ------------------------------------------------------------
[ -x "$venv/bin/python" ] || { say "creating $venv"; python3 -m venv "$venv"; }
py="$venv/bin/python"
torch_dir=$("$py" -c "import importlib.util,os;s=importlib.util.find_spec('torch');print(os.path.dirname(s.origin) if s else '')")
have=""
[ -n "$torch_dir" ] && have=$(sed -n "s/^__version__ = '\([^'+]*\).*/\1/p" "$torch_dir/version.py" 2>/dev/null || true)
if [ "$have" != "$torch_version" ]; then
  say "installing torch==$torch_version (LibTorch, --no-deps)"
  "$py" -m pip install -q --disable-pip-version-check --no-deps "torch==$torch_version"
  torch_dir=$("$py" -c "import importlib.util,os;print(os.path.dirname(importlib.util.find_spec('torch').origin))")
fi

# numpy, for the test that drives the C ABI from Python with numpy arrays through DLPack.
"$py" -c 'import numpy' 2>/dev/null || "$py" -m pip install -q --disable-pip-version-check numpy==2.4.6
# The Python package's suite (tests/python): pytest with its dependencies, and typing_extensions, the one module
# `import torch` needs beyond the --no-deps wheel (the suite passes torch tensors through trackkit).
"$py" -c 'import pytest, typing_extensions' 2>/dev/null ||
  "$py" -m pip install -q --disable-pip-version-check pytest==9.2.0 iniconfig==2.3.1 packaging==26.4 pluggy==1.7.0 \
    pygments==2.21.0 typing_extensions==4.16.0

# ---- 3. CUDA runtime libraries LibTorch loads but this machine lacks -----------------------------------
# libtorch_cpu itself needs libcudart and libcupti; libtorch_cuda (used when nvcc is present, i.e. a CUDA
# build, unless TRACKKIT_CUDA=OFF) needs the rest. torch's RPATH finds them under site-packages/nvidia.
declare -A wheel_of=(
  [libcudart.so.13]=nvidia-cuda-runtime==13.0.96 [libcupti.so.13]=nvidia-cuda-cupti==13.0.85
  [libcublas.so.13]=nvidia-cublas==13.1.0.3 [libcublasLt.so.13]=nvidia-cublas==13.1.0.3
  [libcufft.so.12]=nvidia-cufft==12.0.0.61 [libcurand.so.10]=nvidia-curand==10.4.0.35
  [libcusparse.so.12]=nvidia-cusparse==12.6.3.3 [libcusolver.so.12]=nvidia-cusolver==12.0.4.66
  [libnvrtc.so.13]=nvidia-cuda-nvrtc==13.0.88 [libnvJitLink.so.13]=nvidia-nvjitlink==13.0.88
  [libcufile.so.0]=nvidia-cufile==1.15.1.6 [libcusparseLt.so.0]=nvidia-cusparselt-cu13==0.8.0
  [libnccl.so.2]=nvidia-nccl-cu13==2.28.9 [libcudnn.so.9]=nvidia-cudnn-cu13==9.19.0.56
  [libnvshmem_host.so.3]=nvidia-nvshmem-cu13==3.4.5
)
libs=("$torch_dir/lib/libtorch_cpu.so")
if [ "${TRACKKIT_CUDA:-AUTO}" != "OFF" ] && command -v nvcc >/dev/null; then
  libs+=("$torch_dir/lib/libtorch_cuda.so")
fi
for round in 1 2 3; do # a new library can itself need another (cusparse -> nvJitLink)
  wheels=$(ldd "${libs[@]}" 2>/dev/null | awk '/not found/{print $1}' | sort -u | while read -r so; do
    [ -n "${wheel_of[$so]:-}" ] && echo "${wheel_of[$so]}" || echo "[setup] no wheel known for $so" >&2
  done | sort -u | tr '\n' ' ')
  [ -n "$wheels" ] || break
  say "installing CUDA runtime libraries this machine lacks: $wheels"
  "$py" -m pip install -q --disable-pip-version-check --no-deps $wheels
done
say "ready: $("$py" --version), torch $torch_version at $torch_dir ($(du -sh "$venv" | cut -f1) in $venv)"
