# Third-party dependencies other than LibTorch (cmake/TrackkitTorch.cmake) and CUDA (cmake/TrackkitCuda.cmake).
# Each one stops the configure step with a message naming the package to install when it is missing.

# OpenCV 4: compute modules required; imgcodecs/videoio optional (the GPU machine's bundle has neither).
find_package(OpenCV 4 QUIET COMPONENTS core imgproc video features2d calib3d)
if(NOT OpenCV_FOUND)
  message(FATAL_ERROR "trackkit: OpenCV 4 (core imgproc video features2d calib3d) not found: "
                      "apt-get install libopencv-dev, or pass -DOpenCV_DIR=<dir with OpenCVConfig.cmake>.")
endif()
set(TRACKKIT_OPENCV_LIBS opencv_core opencv_imgproc opencv_video opencv_features2d opencv_calib3d)
set(TRACKKIT_HAVE_IMGCODECS OFF)
set(TRACKKIT_HAVE_VIDEOIO OFF)
if(TARGET opencv_imgcodecs)
  set(TRACKKIT_HAVE_IMGCODECS ON)
endif()
if(TARGET opencv_videoio)
  set(TRACKKIT_HAVE_VIDEOIO ON)
endif()

# OpenMP (part of the compiler): ATen's at::parallel_for needs it in the files that call it.
find_package(OpenMP QUIET COMPONENTS CXX)
if(NOT TARGET OpenMP::OpenMP_CXX)
  message(FATAL_ERROR "trackkit: the C++ compiler has no OpenMP support (g++ has it built in; for clang: libomp-dev).")
endif()

find_package(Eigen3 3.3 QUIET NO_MODULE)
if(NOT TARGET Eigen3::Eigen)
  message(FATAL_ERROR "trackkit: Eigen3 >= 3.3 not found: apt-get install libeigen3-dev, or pass -DEigen3_DIR=...")
endif()

# fmt, one rule: LibTorch ships fmt headers in its include dir, and those come first on the include path of
# every file that includes ATen. Using any other fmt in the same file mixes two versions (link errors such as
# `undefined reference to fmt::v12::vprint`). So trackkit uses LibTorch's fmt, header-only, when LibTorch has
# one, and a system fmt (header-only too) only for a LibTorch without. fmt never appears in public headers.
add_library(trackkit_fmt INTERFACE)
if(EXISTS "${TRACKKIT_TORCH_PREFIX}/include/fmt/format.h")
  target_include_directories(trackkit_fmt SYSTEM INTERFACE "${TRACKKIT_TORCH_PREFIX}/include")
  target_compile_definitions(trackkit_fmt INTERFACE FMT_HEADER_ONLY=1)
  set(TRACKKIT_FMT_SOURCE "LibTorch's bundled headers")
else()
  find_package(fmt QUIET CONFIG)
  if(NOT TARGET fmt::fmt-header-only)
    message(FATAL_ERROR "trackkit: fmt not found and LibTorch ships none: apt-get install libfmt-dev.")
  endif()
  target_link_libraries(trackkit_fmt INTERFACE fmt::fmt-header-only)
  set(TRACKKIT_FMT_SOURCE "system fmt ${fmt_VERSION}")
endif()

if(TRACKKIT_BUILD_TESTS)
  # Catch2 v3 (GPU machine, newer distributions) or v2 (Debian 12); tests/catch.hpp hides the difference.
  find_package(Catch2 3 QUIET CONFIG)
  if(Catch2_FOUND)
    set(TRACKKIT_CATCH2_MAJOR 3)
  else()
    find_package(Catch2 2 QUIET CONFIG)
    if(NOT Catch2_FOUND)
      message(FATAL_ERROR "trackkit: Catch2 (v2 or v3) not found: apt-get install catch2, "
                          "or configure with -DTRACKKIT_BUILD_TESTS=OFF.")
    endif()
    set(TRACKKIT_CATCH2_MAJOR 2)
  endif()
endif()

if(TRACKKIT_BUILD_BENCH)
  find_package(benchmark QUIET CONFIG)
  if(NOT TARGET benchmark::benchmark)
    message(FATAL_ERROR "trackkit: Google Benchmark not found: apt-get install libbenchmark-dev, "
                        "or configure with -DTRACKKIT_BUILD_BENCH=OFF.")
  endif()
endif()
