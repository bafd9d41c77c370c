# Locates LibTorch and defines the interface target `trackkit::libtorch`.
#
# Used by trackkit's own build and, installed next to trackkitConfig.cmake, by projects that
# find_package(trackkit), so both link the same LibTorch libraries.
#
# Where LibTorch comes from, first match wins:
#   1. Torch_DIR (.../share/cmake/Torch), e.g. an unpacked LibTorch zip;
#   2. a TorchConfig.cmake on CMAKE_PREFIX_PATH (python -c 'import torch;print(torch.utils.cmake_prefix_path)');
#   3. the `torch` wheel of TRACKKIT_PYTHON (default: <source>/.venv/bin/python, as made by scripts/setup.sh).
#
# A CPU-only build links libtorch_cpu and libc10 alone: with the CUDA wheel from PyPI this avoids loading
# libtorch_cuda.so and the ~3 GB of CUDA runtime packages it needs. A CUDA build goes through TorchConfig.cmake.
include_guard(GLOBAL)

function(_trackkit_torch_prefix_from_python out_var)
  set(_py "${TRACKKIT_PYTHON}")
  if(NOT _py)
    if(EXISTS "${PROJECT_SOURCE_DIR}/.venv/bin/python")
      set(_py "${PROJECT_SOURCE_DIR}/.venv/bin/python")
    else()
      find_program(_py NAMES python3 python)
    endif()
  endif()
  if(NOT _py)
    return()
  endif()
  # find_spec locates the package without importing it (importing needs torch's Python dependencies).
  execute_process(
    COMMAND "${_py}" -c "import importlib.util,os;s=importlib.util.find_spec('torch');print(os.path.dirname(s.origin) if s else '')"
    OUTPUT_VARIABLE _dir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 AND _dir AND EXISTS "${_dir}/share/cmake/Torch/TorchConfig.cmake")
    set(${out_var} "${_dir}" PARENT_SCOPE)
  endif()
endfunction()

# Sets TRACKKIT_TORCH_PREFIX (the folder holding include/ lib/ share/), TRACKKIT_TORCH_HAS_CUDA and
# Torch_VERSION_STRING in the caller's scope, or stops with a message that says how to provide LibTorch.
macro(trackkit_locate_torch)
  if(NOT TRACKKIT_TORCH_PREFIX)
    if(Torch_DIR AND EXISTS "${Torch_DIR}/TorchConfig.cmake")
      get_filename_component(TRACKKIT_TORCH_PREFIX "${Torch_DIR}/../../.." ABSOLUTE)
    else()
      find_file(_trackkit_torch_config TorchConfig.cmake PATH_SUFFIXES share/cmake/Torch Torch NO_CACHE)
      if(_trackkit_torch_config)
        get_filename_component(_cfgdir "${_trackkit_torch_config}" DIRECTORY)
        get_filename_component(TRACKKIT_TORCH_PREFIX "${_cfgdir}/../../.." ABSOLUTE)
      else()
        _trackkit_torch_prefix_from_python(TRACKKIT_TORCH_PREFIX)
      endif()
    endif()
  endif()
  if(NOT TRACKKIT_TORCH_PREFIX OR NOT EXISTS "${TRACKKIT_TORCH_PREFIX}/share/cmake/Torch/TorchConfig.cmake")
    message(FATAL_ERROR
      "trackkit: LibTorch not found. Run scripts/setup.sh (installs the pinned torch wheel into .venv), "
      "or pass -DTorch_DIR=<libtorch>/share/cmake/Torch, or -DTRACKKIT_PYTHON=<python with torch>.")
  endif()
  set(TRACKKIT_TORCH_PREFIX "${TRACKKIT_TORCH_PREFIX}" CACHE PATH "LibTorch prefix (include/ lib/ share/)" FORCE)
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
