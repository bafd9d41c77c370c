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
