# trackkit_component(<name> [DEPENDS <component>...] [LINK <target>...] SOURCES <file>... [CUDA_SOURCES <file>...])
#
# One folder of src/ as its own library, trackkit_<name> (OBJECT; every one ends up in the one libtrackkit):
# - its folder is its only private include root, so its private headers are included as "file.hpp";
# - headers it offers the other folders live in <folder>/include/<name>/ and are included as "<name>/file.hpp"
#   by the components that declare it in DEPENDS; nobody else sees them (tests/layering proves it);
# - the public headers (include/trackkit/) are everyone's.
# CUDA_SOURCES are compiled only when trackkit has CUDA kernels (TRACKKIT_WITH_CUDA).
function(trackkit_component name)
  cmake_parse_arguments(arg "" "" "DEPENDS;LINK;SOURCES;CUDA_SOURCES" ${ARGN})
  set(target trackkit_${name})
  add_library(${target} OBJECT ${arg_SOURCES})
  if(TRACKKIT_WITH_CUDA AND arg_CUDA_SOURCES)
    target_sources(${target} PRIVATE ${arg_CUDA_SOURCES})
  endif()
  target_include_directories(${target} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
  if(IS_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/include")
    target_include_directories(${target} INTERFACE "${CMAKE_CURRENT_SOURCE_DIR}/include"
                                         PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}/include")
  endif()
  list(TRANSFORM arg_DEPENDS PREPEND trackkit_)
  # A component's dependencies' offered headers are visible to it, but not to its own dependents: each
  # folder names every folder it uses.
  target_link_libraries(${target} PUBLIC trackkit_interface PRIVATE ${arg_DEPENDS} ${arg_LINK} trackkit_build_settings)
  set_property(GLOBAL APPEND PROPERTY TRACKKIT_COMPONENTS ${target})
endfunction()
