# Sanitizers for trackkit's own C and C++ code: -DTRACKKIT_SANITIZE="address;undefined" (or the `asan` preset).
#
# Values: address, undefined, leak, thread (thread excludes address and leak; gcc and clang refuse the mix).
# Applied to every C and C++ compile and link of this build (library, C ABI, tests, examples, benchmarks);
# never to CUDA sources (nvcc does not take the flags) and never to LibTorch, which is not instrumented: run
# with ASAN_OPTIONS=detect_leaks=0 (LibTorch's allocations at exit read as leaks), see docs/building.md.
# With gcc the runtime (libasan, libubsan) is linked into every executable, so no LD_PRELOAD is needed, except
# for a program that is not built here and loads trackkit (python through ctypes, a downstream project).
include_guard(GLOBAL)

set(TRACKKIT_SANITIZE "" CACHE STRING "Sanitizers for trackkit's C/C++ code, a list: address;undefined;leak;thread")

if(TRACKKIT_SANITIZE)
  set(_tk_known address undefined leak thread)
  foreach(_tk_s IN LISTS TRACKKIT_SANITIZE)
    if(NOT _tk_s IN_LIST _tk_known)
      message(FATAL_ERROR "trackkit: TRACKKIT_SANITIZE: unknown sanitizer '${_tk_s}' (known: ${_tk_known})")
    endif()
  endforeach()
  if("thread" IN_LIST TRACKKIT_SANITIZE AND ("address" IN_LIST TRACKKIT_SANITIZE OR "leak" IN_LIST TRACKKIT_SANITIZE))
    message(FATAL_ERROR "trackkit: TRACKKIT_SANITIZE: thread cannot be combined with address or leak")
  endif()
  list(JOIN TRACKKIT_SANITIZE "," _tk_list)
  set(_tk_flags "-fsanitize=${_tk_list}" -fno-omit-frame-pointer)
  if("undefined" IN_LIST TRACKKIT_SANITIZE)
    list(APPEND _tk_flags -fno-sanitize-recover=undefined) # a report fails the test, not just prints
  endif()
  add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:${_tk_flags}>")
  # Link steps of C/C++ targets only: a target's LINKER_LANGUAGE is CUDA only where it has nothing but .cu files.
  add_link_options("$<$<LINK_LANGUAGE:C,CXX>:${_tk_flags}>")
  message(STATUS "trackkit: sanitizers ${_tk_list} on C/C++ code (not CUDA, not LibTorch)")
  unset(_tk_known)
  unset(_tk_s)
  unset(_tk_list)
  unset(_tk_flags)
endif()
