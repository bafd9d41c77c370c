# The Python wheel (pyproject.toml, scikit-build-core): included by the top-level CMakeLists.txt when SKBUILD is set,
# before LibTorch is located. The wheel holds the pure-Python package python/trackkit plus, in trackkit/lib/, the two
# shared libraries under their SONAMEs (libtrackkit.so.1, libtrackkit_c.so.1), where the package's loader looks.
#
# LibTorch: always the torch package of the Python that runs the build (Python_EXECUTABLE, set by scikit-build-core),
# because the installed libraries find LibTorch next to them, in site-packages/torch/lib, and the wheel's metadata
# pins that torch release (tools/wheel/trackkit_torch_pin.py reads the version from the same
# TorchConfigVersion.cmake; it passes it here in TRACKKIT_WHEEL_TORCH_PIN and the check below makes sure both agree).
include_guard(GLOBAL)
include(TrackkitTorch) # only defines functions; trackkit_locate_torch runs later, from TrackkitCuda

if(NOT Python_EXECUTABLE)
  message(FATAL_ERROR "trackkit wheel: Python_EXECUTABLE is not set; build the wheel with pip (pyproject.toml)")
endif()
set(TRACKKIT_PYTHON "${Python_EXECUTABLE}" CACHE FILEPATH "Python whose torch package provides LibTorch" FORCE)
_trackkit_torch_prefix_from_python(_trackkit_wheel_torch)
if(NOT _trackkit_wheel_torch)
  message(FATAL_ERROR "trackkit wheel: ${Python_EXECUTABLE} has no torch package; the wheel links the torch wheel's "
                      "LibTorch: pip install torch, then pip install --no-build-isolation .")
endif()
# Named directly, so a LibTorch on CMAKE_PREFIX_PATH or in Torch_DIR cannot take its place (TrackkitTorch.cmake).
set(TRACKKIT_TORCH_PREFIX "${_trackkit_wheel_torch}" CACHE PATH "LibTorch prefix (include/ lib/ share/)" FORCE)
unset(_trackkit_wheel_torch)

# Runs once the targets exist (end of the top-level CMakeLists.txt).
function(_trackkit_wheel_finish)
  set(_pin "$ENV{TRACKKIT_WHEEL_TORCH_PIN}")
  if(_pin AND NOT _pin STREQUAL Torch_VERSION_STRING)
    message(FATAL_ERROR "trackkit wheel: the metadata pins torch==${_pin} but LibTorch ${Torch_VERSION_STRING} at "
                        "${TRACKKIT_TORCH_PREFIX} was found")
  elseif(NOT _pin)
    message(WARNING "trackkit wheel: TRACKKIT_WHEEL_TORCH_PIN is not set (not built through pyproject.toml's "
                    "metadata provider?); the libraries link LibTorch ${Torch_VERSION_STRING}")
  endif()
  # site-packages/trackkit/lib -> site-packages/torch/lib; CUDA builds: the runtime of torch's nvidia-* wheels
  # (CUDA 13: nvidia/cu13/lib; CUDA 12: one folder a library, cudart's is the one trackkit links directly).
  # Importing trackkit imports torch first, which has loaded these already; the entries serve direct dlopen users.
  set(_rpath "$ORIGIN" "$ORIGIN/../../torch/lib")
  if(TRACKKIT_WITH_CUDA)
    list(APPEND _rpath "$ORIGIN/../../nvidia/cu${CUDAToolkit_VERSION_MAJOR}/lib"
                       "$ORIGIN/../../nvidia/cuda_runtime/lib")
  endif()
  # VERSION = SOVERSION: one real file a library, named by its SONAME (a wheel cannot hold symbolic links, so the
  # usual libX.so.1.0.0 + libX.so.1 link would be stored twice).
  foreach(_target trackkit trackkit_c)
    get_target_property(_soversion ${_target} SOVERSION)
    set_target_properties(${_target} PROPERTIES VERSION "${_soversion}" INSTALL_RPATH "${_rpath}")
  endforeach()
  install(TARGETS trackkit trackkit_c LIBRARY DESTINATION trackkit/lib NAMELINK_SKIP COMPONENT python_wheel)
  message(STATUS "trackkit wheel: LibTorch ${Torch_VERSION_STRING} from ${TRACKKIT_TORCH_PREFIX} (pinned as "
                 "torch==${Torch_VERSION_STRING}), CUDA kernels ${TRACKKIT_WITH_CUDA}, RPATH ${_rpath}")
endfunction()
cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _trackkit_wheel_finish)
