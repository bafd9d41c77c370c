# Binary compatibility of the C ABI across struct growth (docs/c-abi.md, "Growing a struct"), included by
# tests/CMakeLists.txt:
#  - trackkit_c_grown: libtrackkit_c built again from the same sources and settings, but against a copy of the
#    headers whose every struct has an appended field (grow_headers.cmake) - the library of a later 1.x release.
#    It keeps the 1.0 first-layout sizes of capi/src/abi_layout.hpp, as such a release would.
#  - capi/abi_frozen_configs, capi/abi_frozen_outputs: programs built against the frozen 1.0 headers (v1.0/) run
#    against trackkit_c_grown.
#  - capi/abi_grown_caller: a program built against the grown headers runs against today's trackkit_c.
#  - capi/abi_versions: the version macros against the run-time queries.
set(abi_dir "${CMAKE_CURRENT_LIST_DIR}")
get_target_property(c_source_dir trackkit_c SOURCE_DIR)
set(grown_include "${CMAKE_CURRENT_BINARY_DIR}/abi-grown/include")

file(GLOB_RECURSE c_headers CONFIGURE_DEPENDS "${c_source_dir}/include/trackkit/*.h")
set(grown_headers ${c_headers})
list(TRANSFORM grown_headers REPLACE "^${c_source_dir}/include" "${grown_include}")
add_custom_command(
  OUTPUT ${grown_headers}
  COMMAND ${CMAKE_COMMAND} -DSOURCE=${c_source_dir}/include -DOUTPUT=${grown_include}
          -DLAYOUT=${c_source_dir}/src/abi_layout.hpp -P ${abi_dir}/grow_headers.cmake
  DEPENDS ${c_headers} ${abi_dir}/grow_headers.cmake ${c_source_dir}/src/abi_layout.hpp
  COMMENT "Appending a field to every C ABI struct (the ABI growth test)"
  VERBATIM)
add_custom_target(trackkit_abi_grown_headers DEPENDS ${grown_headers})

# The same sources and settings as trackkit_c (copied, so a source or flag added there is tested here too).
get_target_property(c_sources trackkit_c SOURCES)
list(TRANSFORM c_sources PREPEND "${c_source_dir}/" REGEX "^[^/]")
add_library(trackkit_c_grown SHARED ${c_sources})
foreach(property COMPILE_DEFINITIONS COMPILE_OPTIONS COMPILE_FEATURES INCLUDE_DIRECTORIES LINK_LIBRARIES LINK_OPTIONS
                 LINK_DEPENDS)
  get_target_property(value trackkit_c ${property})
  if(value)
    set_property(TARGET trackkit_c_grown PROPERTY ${property} "${value}")
  endif()
endforeach()
target_include_directories(trackkit_c_grown BEFORE PRIVATE "${grown_include}")
add_dependencies(trackkit_c_grown trackkit_abi_grown_headers)

# A C99 program of tests/capi/abi/test_<name>.c built against the headers in include_dir, linked to library.
function(trackkit_add_abi_test name library include_dir)
  set(target test_capi_abi_${name})
  add_executable(${target} "${abi_dir}/test_${name}.c")
  set_target_properties(${target} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_compile_options(${target} PRIVATE -Wall -Wextra -pedantic -Werror)
  # The headers under test first: trackkit_c's own include folder follows them when it is linked.
  target_include_directories(${target} BEFORE PRIVATE "${include_dir}" "${PROJECT_BINARY_DIR}/include"
                                                      "${CMAKE_CURRENT_SOURCE_DIR}/capi")
  target_compile_definitions(${target} PRIVATE TK_DETECTOR_MODELS="${PROJECT_BINARY_DIR}/detector-models"
                                               ${yaml_cpp})
  target_link_libraries(${target} PRIVATE ${library} m)
  add_dependencies(${target} trackkit_abi_grown_headers)
  add_test(NAME capi/abi_${name} COMMAND ${target})
endfunction()

trackkit_add_abi_test(frozen_configs trackkit_c_grown "${abi_dir}/v1.0")
trackkit_add_abi_test(frozen_outputs trackkit_c_grown "${abi_dir}/v1.0")
trackkit_add_abi_test(grown_caller trackkit_c "${grown_include}")
trackkit_add_abi_test(versions trackkit_c "${c_source_dir}/include")
