# Locates LibTorch and defines the interface target `trackkit::libtorch`.
#
# Used by trackkit's own build and, installed next to trackkitConfig.cmake, by projects that
# find_package(trackkit), so both link the same LibTorch libraries.
#
# Where LibTorch comes from, first match wins:
#   1. Torch_DIR (.../share/cmake/Torch), e.g. an unpacked LibTorch zip;
#   2. a TorchConfig.cmake on CMAKE_PREFIX_PATH (python -c 'import torch;print(torch.utils.cmake_prefix_path)');
#   3. the `torch` wheel of TRACKKIT_PYTHON (default: <source>/.venv/bin/python, as made by scripts/setup.sh,
#      then python3 on PATH).
# The folder found is remembered in the cache as TRACKKIT_TORCH_PREFIX (Torch_DIR is kept pointing at it), so
# re-running cmake on a build folder needs none of the above again. It is searched again only when one of
# Torch_DIR, CMAKE_PREFIX_PATH or TRACKKIT_PYTHON is given a new value (that one is searched first) or when the
# remembered folder is gone (a moved tree, a re-made venv). -DTRACKKIT_TORCH_PREFIX=<dir> names it directly.
#
# A CPU-only build links libtorch_cpu and libc10 alone: with the CUDA wheel from PyPI this avoids loading
# libtorch_cuda.so and the ~3 GB of CUDA runtime packages it needs. A CUDA build goes through TorchConfig.cmake.
include_guard(GLOBAL)

# True (in out_var) when prefix holds a LibTorch's CMake package.
function(_trackkit_is_torch_prefix prefix out_var)
  if(prefix AND EXISTS "${prefix}/share/cmake/Torch/TorchConfig.cmake")
    set(${out_var} TRUE PARENT_SCOPE)
  else()
    set(${out_var} FALSE PARENT_SCOPE)
  endif()
endfunction()

# The LibTorch prefix of Torch_DIR, or "".
function(_trackkit_torch_prefix_from_dir out_var)
  set(${out_var} "" PARENT_SCOPE)
  if(Torch_DIR AND EXISTS "${Torch_DIR}/TorchConfig.cmake")
    get_filename_component(_prefix "${Torch_DIR}/../../.." ABSOLUTE)
    set(${out_var} "${_prefix}" PARENT_SCOPE)
  endif()
endfunction()

# The LibTorch prefix of a TorchConfig.cmake on CMAKE_PREFIX_PATH (and CMake's other search roots), or "".
function(_trackkit_torch_prefix_from_search_path out_var)
  set(${out_var} "" PARENT_SCOPE)
  find_file(_config TorchConfig.cmake PATH_SUFFIXES share/cmake/Torch Torch NO_CACHE)
  if(_config)
    get_filename_component(_cfgdir "${_config}" DIRECTORY)
    get_filename_component(_prefix "${_cfgdir}/../../.." ABSOLUTE)
    set(${out_var} "${_prefix}" PARENT_SCOPE)
  endif()
endfunction()

# The folder of the `torch` package of TRACKKIT_PYTHON, or "". Without TRACKKIT_PYTHON, or where it names a
# python that no longer exists (a build folder made elsewhere), <source>/.venv/bin/python, then python3.
function(_trackkit_torch_prefix_from_python out_var)
  set(${out_var} "" PARENT_SCOPE)
  set(_candidates "")
  if(TRACKKIT_PYTHON AND EXISTS "${TRACKKIT_PYTHON}")
    list(APPEND _candidates "${TRACKKIT_PYTHON}")
  else()
    if(TRACKKIT_PYTHON)
      message(STATUS "trackkit: TRACKKIT_PYTHON=${TRACKKIT_PYTHON} does not exist; trying .venv and python3")
    endif()
    if(EXISTS "${PROJECT_SOURCE_DIR}/.venv/bin/python")
      list(APPEND _candidates "${PROJECT_SOURCE_DIR}/.venv/bin/python")
    endif()
    find_program(_python NAMES python3 python NO_CACHE)
    if(_python)
      list(APPEND _candidates "${_python}")
    endif()
  endif()
  foreach(_py IN LISTS _candidates)
    # find_spec locates the package without importing it (importing needs torch's Python dependencies).
    execute_process(
      COMMAND "${_py}" -c "import importlib.util,os;s=importlib.util.find_spec('torch');print(os.path.dirname(s.origin) if s else '')"
      OUTPUT_VARIABLE _dir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
    _trackkit_is_torch_prefix("${_dir}" _ok)
    if(_rc EQUAL 0 AND _ok)
      set(${out_var} "${_dir}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

# Decides the LibTorch prefix: the remembered one unless an input changed or it is gone, else a search in the
# order of the header (a changed input first). Sets out_var to it, or "" when there is none.
function(_trackkit_choose_torch_prefix out_var)
  set(_inputs Torch_DIR CMAKE_PREFIX_PATH TRACKKIT_PYTHON)
  set(_changed "")
  foreach(_v IN LISTS _inputs)
    if(DEFINED CACHE{_TRACKKIT_TORCH_SEEN_${_v}} AND NOT "${${_v}}" STREQUAL "$CACHE{_TRACKKIT_TORCH_SEEN_${_v}}")
      list(APPEND _changed ${_v})
    endif()
  endforeach()
  _trackkit_is_torch_prefix("${TRACKKIT_TORCH_PREFIX}" _remembered_ok)
  if(_remembered_ok AND NOT _changed)
    set(${out_var} "${TRACKKIT_TORCH_PREFIX}" PARENT_SCOPE)
    return()
  endif()
  if(TRACKKIT_TORCH_PREFIX AND NOT _remembered_ok)
    message(STATUS "trackkit: the LibTorch remembered at ${TRACKKIT_TORCH_PREFIX} is gone; looking for it again")
  endif()
  # Changed inputs first, then all of them in the documented order.
  list(APPEND _changed ${_inputs})
  list(REMOVE_DUPLICATES _changed)
  foreach(_v IN LISTS _changed)
    if(_v STREQUAL "Torch_DIR")
      _trackkit_torch_prefix_from_dir(_prefix)
    elseif(_v STREQUAL "CMAKE_PREFIX_PATH")
      _trackkit_torch_prefix_from_search_path(_prefix)
    else()
      _trackkit_torch_prefix_from_python(_prefix)
    endif()
    if(_prefix)
      set(${out_var} "${_prefix}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out_var} "" PARENT_SCOPE)
endfunction()

# Sets TRACKKIT_TORCH_PREFIX (the folder holding include/ lib/ share/; cached), TRACKKIT_TORCH_HAS_CUDA and
# Torch_VERSION_STRING in the caller's scope, or stops with a message that says how to provide LibTorch.
macro(trackkit_locate_torch)
  _trackkit_choose_torch_prefix(_trackkit_torch_prefix)
  if(NOT _trackkit_torch_prefix)
    message(FATAL_ERROR
      "trackkit: LibTorch not found. Run scripts/setup.sh (installs the pinned torch wheel into .venv), "
      "or pass -DTorch_DIR=<libtorch>/share/cmake/Torch, or -DTRACKKIT_PYTHON=<python with torch>.")
  endif()
  set(TRACKKIT_TORCH_PREFIX "${_trackkit_torch_prefix}")
  set(TRACKKIT_TORCH_PREFIX "${_trackkit_torch_prefix}" CACHE PATH "LibTorch prefix (include/ lib/ share/)" FORCE)
  unset(_trackkit_torch_prefix)
  # Torch_DIR follows the choice, so a CUDA build's find_package(Torch) loads this very LibTorch; then the inputs
  # are remembered as they stand, and a later run searches again only if one of them is changed.
  set(Torch_DIR "${TRACKKIT_TORCH_PREFIX}/share/cmake/Torch"
      CACHE PATH "The directory containing a CMake configuration file for Torch." FORCE)
  foreach(_trackkit_v Torch_DIR CMAKE_PREFIX_PATH TRACKKIT_PYTHON)
    set(_TRACKKIT_TORCH_SEEN_${_trackkit_v} "${${_trackkit_v}}" CACHE INTERNAL "")
  endforeach()
  unset(_trackkit_v)
  if(EXISTS "${TRACKKIT_TORCH_PREFIX}/lib/libtorch_cuda.so")
    set(TRACKKIT_TORCH_HAS_CUDA ON)
  else()
    set(TRACKKIT_TORCH_HAS_CUDA OFF)
  endif()
  set(PACKAGE_FIND_VERSION 0)
  include("${TRACKKIT_TORCH_PREFIX}/share/cmake/Torch/TorchConfigVersion.cmake")
  set(Torch_VERSION_STRING "${PACKAGE_VERSION}")
  unset(PACKAGE_FIND_VERSION)
  if(Torch_VERSION_STRING VERSION_LESS 2.0)
    message(FATAL_ERROR "trackkit: LibTorch 2.x required, found ${Torch_VERSION_STRING} at ${TRACKKIT_TORCH_PREFIX}")
  endif()
endmacro()

# Defines trackkit::libtorch. with_cuda: link the CUDA libraries (needs the CUDA toolkit, as TorchConfig does).
macro(trackkit_define_torch_target with_cuda)
  if(NOT TARGET trackkit::libtorch)
    add_library(trackkit::libtorch INTERFACE IMPORTED)
    if(${with_cuda})
      # TorchConfig appends gencode flags for ~11 architectures to CMAKE_CUDA_FLAGS and switches
      # CMAKE_CUDA_ARCHITECTURES off; keep the caller's choice instead (compile time, and their intent).
      set(_tk_saved_cuda_flags "${CMAKE_CUDA_FLAGS}")
      set(_tk_saved_cuda_archs "${CMAKE_CUDA_ARCHITECTURES}")
      unset(CMAKE_CUDA_ARCHITECTURES) # else TorchConfig warns that it ignores it
      unset(CMAKE_CUDA_ARCHITECTURES CACHE)
      if(NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
        set(TORCH_CUDA_ARCH_LIST "9.0") # only quiets its GPU probe: the flags it derives are dropped below
        set(_tk_unset_arch_list ON)
      endif()
      find_package(Torch REQUIRED CONFIG PATHS "${TRACKKIT_TORCH_PREFIX}/share/cmake/Torch" NO_DEFAULT_PATH)
      if(_tk_unset_arch_list)
        unset(TORCH_CUDA_ARCH_LIST)
      endif()
      set(CMAKE_CUDA_FLAGS "${_tk_saved_cuda_flags}")
      set(CMAKE_CUDA_ARCHITECTURES "${_tk_saved_cuda_archs}")
      if(_tk_saved_cuda_archs)
        set(CMAKE_CUDA_ARCHITECTURES "${_tk_saved_cuda_archs}" CACHE STRING "CUDA architectures")
      endif()
      set_target_properties(trackkit::libtorch PROPERTIES INTERFACE_LINK_LIBRARIES "${TORCH_LIBRARIES}")
    else()
      set(_lib "${TRACKKIT_TORCH_PREFIX}/lib")
      foreach(_l torch_cpu c10)
        if(NOT EXISTS "${_lib}/lib${_l}.so")
          message(FATAL_ERROR "trackkit: ${_lib}/lib${_l}.so is missing: is ${TRACKKIT_TORCH_PREFIX} a LibTorch?")
        endif()
      endforeach()
      set_target_properties(trackkit::libtorch PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${TRACKKIT_TORCH_PREFIX}/include;${TRACKKIT_TORCH_PREFIX}/include/torch/csrc/api/include"
        # torch_cpu registers its CPU kernels at load time: keep it even if no symbol is referenced yet.
        INTERFACE_LINK_LIBRARIES "-Wl,--no-as-needed;${_lib}/libtorch_cpu.so;-Wl,--as-needed;${_lib}/libc10.so"
        INTERFACE_LINK_DIRECTORIES "${_lib}")
    endif()
  endif()
endmacro()
