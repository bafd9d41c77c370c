# Sourced by scripts/gpu-*.sh on the GPU machine (Ubuntu 24.04, torch in python3, no OpenCV C++, no package
# manager, no network): the build set-up in one place. Needs $root (the checkout). It
#  - unpacks the OpenCV bundle (TRACKKIT_OPENCV_TAR, else ../opencv.tar.xz, else .gpu/opencv.tar.xz; made by
#    scripts/gpu-bundle.sh) into .gpu/opencv and puts its libraries and LibTorch's on LD_LIBRARY_PATH;
#  - sets gpu_cmake_args: Release, CUDA kernels for sm_90, LibTorch from python3, that OpenCV, and CLI11's
#    headers (the examples' argument library, header-only) from .gpu/cli11 and yaml-cpp (ultralytics' tracker
#    YAML) from .gpu/yaml-cpp, where the bundle has them;
#  - unpacks the FFmpeg bundle (TRACKKIT_FFMPEG_TAR, else ../ffmpeg.tar.xz, else .gpu/ffmpeg.tar.xz; made by
#    scripts/gpu-ffmpeg-bundle.sh; optional: without it trackkit builds without FFmpeg) into .gpu/ffmpeg and puts it
#    on PKG_CONFIG_PATH (trackkit finds FFmpeg only through pkg-config), LD_LIBRARY_PATH and PATH (ffmpeg, ffprobe);
#    CMake gets the bundle's pkgconf (Debian's) as PKG_CONFIG_EXECUTABLE: the image may have no pkg-config.
# Each script adds its own options: cmake -S . -B "$build" "${gpu_cmake_args[@]}" -DTRACKKIT_BUILD_BENCH=OFF ...
gpu_opencv_tar=${TRACKKIT_OPENCV_TAR:-}
for candidate in "$root/../opencv.tar.xz" "$root/.gpu/opencv.tar.xz"; do
  [ -z "$gpu_opencv_tar" ] && [ -f "$candidate" ] && gpu_opencv_tar=$candidate
done
[ -n "$gpu_opencv_tar" ] || { echo "gpu-env: no OpenCV bundle (run scripts/gpu-bundle.sh and carry .gpu)" >&2; exit 1; }
mkdir -p "$root/.gpu" && tar -C "$root/.gpu" -xJf "$gpu_opencv_tar"
gpu_torch_lib=$(python3 -c 'import os,torch;print(os.path.dirname(torch.__file__)+"/lib")')
export LD_LIBRARY_PATH="$root/.gpu/opencv/lib:$gpu_torch_lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
gpu_cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DTRACKKIT_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90
  -DCMAKE_PREFIX_PATH="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')"
  -DOpenCV_DIR="$root/.gpu/opencv/lib/cmake/opencv4")
[ -f "$root/.gpu/cli11/CLI/CLI.hpp" ] && gpu_cmake_args+=(-DTRACKKIT_CLI11_INCLUDE_DIR="$root/.gpu/cli11")
if [ -d "$root/.gpu/yaml-cpp/lib/x86_64-linux-gnu/cmake/yaml-cpp" ]; then
  gpu_cmake_args+=(-Dyaml-cpp_DIR="$root/.gpu/yaml-cpp/lib/x86_64-linux-gnu/cmake/yaml-cpp")
  export LD_LIBRARY_PATH="$root/.gpu/yaml-cpp/lib/x86_64-linux-gnu:$LD_LIBRARY_PATH"
fi
gpu_ffmpeg_tar=${TRACKKIT_FFMPEG_TAR:-}
for candidate in "$root/../ffmpeg.tar.xz" "$root/.gpu/ffmpeg.tar.xz"; do
  [ -z "$gpu_ffmpeg_tar" ] && [ -f "$candidate" ] && gpu_ffmpeg_tar=$candidate
done
if [ -n "$gpu_ffmpeg_tar" ]; then
  rm -rf "$root/.gpu/ffmpeg" && tar -C "$root/.gpu" -xJf "$gpu_ffmpeg_tar"
  export PKG_CONFIG_PATH="$root/.gpu/ffmpeg/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  export LD_LIBRARY_PATH="$root/.gpu/ffmpeg/lib:$LD_LIBRARY_PATH"
  export PATH="$root/.gpu/ffmpeg/bin:$PATH"
  gpu_cmake_args+=(-DPKG_CONFIG_EXECUTABLE="$root/.gpu/ffmpeg/bin/pkgconf")
fi
