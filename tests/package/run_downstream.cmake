# Installs trackkit from BUILD_DIR into a prefix, moves the prefix elsewhere (the package must be
# relocatable), then configures, builds and runs tests/package/downstream against it.
file(REMOVE_RECURSE "${WORK_DIR}")
set(first "${WORK_DIR}/installed-here")
set(moved "${WORK_DIR}/moved-there")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${first}")
file(RENAME "${first}" "${moved}")
file(GLOB_RECURSE leaked LIST_DIRECTORIES false "${moved}/*.cmake")
foreach(f IN LISTS leaked)
  file(READ "${f}" text)
  string(FIND "${text}" "${first}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${f} refers to the install prefix ${first}: the package is not relocatable")
  endif()
endforeach()

set(args -S "${SOURCE_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}" -DCMAKE_PREFIX_PATH=${moved}
         -DCMAKE_BUILD_TYPE=Release)
if(CUDA_ARCHS)
  list(APPEND args "-DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCHS}")
endif()
run(${CMAKE_COMMAND} ${args})
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run("${WORK_DIR}/build/downstream_cpp")
run("${WORK_DIR}/build/downstream_c")

# The installed, moved examples run (their RPATH finds libtrackkit beside them and LibTorch).
if(EXAMPLES)
  run("${moved}/bin/track_mot" --help)
endif()

# C users without CMake: the moved tree's pkg-config file compiles and links the C test.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} "${moved}/${LIBDIR}/pkgconfig")
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs trackkit_c OUTPUT_VARIABLE pc_flags
                  OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND ${PKG_CONFIG} --variable=libdir trackkit_c OUTPUT_VARIABLE pc_libdir
                  OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
  run(${C_COMPILER} -std=c99 -Wall -Wextra -pedantic -Werror -I${CAPI_TESTS} ${CAPI_TESTS}/test_capi.c ${pc_flags} -lm
      "-Wl,-rpath,${pc_libdir}" -o ${WORK_DIR}/test_capi_pkgconfig)
  run(${WORK_DIR}/test_capi_pkgconfig)
endif()
