#!/usr/bin/env bash
# On this (Debian) machine: what the GPU machine lacks, into .gpu/ (ignored by git), for the device tool to carry:
# the OpenCV C++ bundle (.gpu/opencv.tar.xz, ../shared/gpu/make-opencv-bundle.sh; needs libopencv-dev) and CLI11's
# headers (.gpu/cli11/CLI, from libcli11-dev) and yaml-cpp (.gpu/yaml-cpp, a relocatable copy of libyaml-cpp-dev: the
# tracker reads ultralytics' YAML files with it). scripts/gpu-env.sh uses them there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$root/.gpu"
if [ ! -f "$root/.gpu/opencv.tar.xz" ]; then
  "$root/../shared/gpu/make-opencv-bundle.sh" "$root/.gpu/opencv"
  tar -C "$root/.gpu" -cJf "$root/.gpu/opencv.tar.xz" opencv && rm -rf "$root/.gpu/opencv"
fi
[ -f "$root/.gpu/ffmpeg.tar.xz" ] || "$root/scripts/gpu-ffmpeg-bundle.sh" "$root/.gpu/ffmpeg.tar.xz"
rm -rf "$root/.gpu/cli11" && mkdir -p "$root/.gpu/cli11" && cp -r /usr/include/CLI "$root/.gpu/cli11/"
yaml=$root/.gpu/yaml-cpp/lib/x86_64-linux-gnu
rm -rf "$root/.gpu/yaml-cpp" && mkdir -p "$yaml/cmake" "$root/.gpu/yaml-cpp/include"
cp -r /usr/include/yaml-cpp "$root/.gpu/yaml-cpp/include/"
cp -a /usr/lib/x86_64-linux-gnu/libyaml-cpp.so* "$yaml/" && cp -r /usr/lib/x86_64-linux-gnu/cmake/yaml-cpp "$yaml/cmake/"
du -sh "$root/.gpu/opencv.tar.xz" "$root/.gpu/ffmpeg.tar.xz" "$root/.gpu/cli11" \
  "$root/.gpu/yaml-cpp"
