# Decides TRACKKIT_WITH_CUDA from TRACKKIT_CUDA=AUTO|ON|OFF and enables the CUDA language.
# AUTO: on wherever nvcc exists and the LibTorch found has CUDA, so CI compiles the .cu files without a GPU.
include(CheckLanguage)
string(TOUPPER "${TRACKKIT_CUDA}" _tk_cuda)
if(NOT _tk_cuda MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "trackkit: TRACKKIT_CUDA must be AUTO, ON or OFF, got '${TRACKKIT_CUDA}'")
endif()

trackkit_locate_torch()

set(TRACKKIT_WITH_CUDA OFF)
if(NOT _tk_cuda STREQUAL "OFF")
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER AND TRACKKIT_TORCH_HAS_CUDA)
    set(TRACKKIT_WITH_CUDA ON)
  elseif(_tk_cuda STREQUAL "ON")
    if(NOT CMAKE_CUDA_COMPILER)
      message(FATAL_ERROR "trackkit: TRACKKIT_CUDA=ON but nvcc was not found (set CMAKE_CUDA_COMPILER or PATH).")
    endif()
    message(FATAL_ERROR "trackkit: TRACKKIT_CUDA=ON but the LibTorch at ${TRACKKIT_TORCH_PREFIX} has no CUDA "
                        "(no lib/libtorch_cuda.so).")
  endif()
endif()

if(TRACKKIT_WITH_CUDA)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    # SASS for Ampere, Ada and Hopper; PTX of sm_75 lets the driver JIT for anything else (e.g. Blackwell).
    set(CMAKE_CUDA_ARCHITECTURES "75-virtual;80;86;89;90")
  endif()
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  set(CMAKE_CUDA_RUNTIME_LIBRARY Shared) # the same libcudart.so as LibTorch
  enable_language(CUDA)
endif()
trackkit_define_torch_target(TRACKKIT_WITH_CUDA)

# Installed libraries find each other through $ORIGIN and LibTorch (and the CUDA runtime) where they were
# found at build time; CMake's INSTALL_RPATH_USE_LINK_PATH skips folders inside the source tree, such as
# the default .venv, so the folders are named here.
set(TRACKKIT_INSTALL_RPATH "$ORIGIN;${TRACKKIT_TORCH_PREFIX}/lib")
if(TRACKKIT_WITH_CUDA)
  find_package(CUDAToolkit REQUIRED)
  list(APPEND TRACKKIT_INSTALL_RPATH "${CUDAToolkit_LIBRARY_DIR}")
endif()
