# The binary face of libtrackkit_c (docs/c-abi.md, "Versions and symbols"):
#  - its SONAME is libtrackkit_c.so.<TK_ABI_VERSION_MAJOR>;
#  - every exported symbol is a tk_ function in a version node TRACKKIT_<ABI major>.<m>, m <= TK_ABI_VERSION_MINOR
#    (all TRACKKIT_1.0 in ABI 1.0; a minor release puts its new functions in a new node);
#  - the exported functions are exactly the headers' TK_API declarations: none missing, none undeclared.
#   cmake -DLIBRARY=libtrackkit_c.so -DREADELF=readelf -DHEADERS=capi/include -P check_exports.cmake
foreach(var LIBRARY READELF HEADERS)
  if(NOT ${var})
    message(FATAL_ERROR "check_exports.cmake: -D${var}=... is required")
  endif()
endforeach()

function(readelf_output out)
  execute_process(COMMAND "${READELF}" ${ARGN} "${LIBRARY}" OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${READELF} ${ARGN} failed on ${LIBRARY}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The ABI version the header declares.
file(STRINGS "${HEADERS}/trackkit/c/core.h" abi_lines REGEX "^#define TK_ABI_VERSION_(MAJOR|MINOR) [0-9]+")
foreach(line IN LISTS abi_lines)
  string(REGEX MATCH "^#define TK_ABI_VERSION_(MAJOR|MINOR) ([0-9]+)" _ "${line}")
  set(abi_${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
endforeach()
if(NOT DEFINED abi_MAJOR OR NOT DEFINED abi_MINOR)
  message(FATAL_ERROR "no TK_ABI_VERSION_MAJOR / MINOR in ${HEADERS}/trackkit/c/core.h")
endif()

# SONAME.
readelf_output(dynamic -d)
string(REGEX MATCH "Library soname: \\[([^]]*)\\]" _ "${dynamic}")
set(expected_soname "libtrackkit_c.so.${abi_MAJOR}")
if(NOT CMAKE_MATCH_1 STREQUAL expected_soname)
  message(FATAL_ERROR "${LIBRARY} has SONAME '${CMAKE_MATCH_1}', expected '${expected_soname}' (TK_ABI_VERSION_MAJOR)")
endif()

# Defined dynamic symbols (readelf -W: "Num: Value Size Type Bind Vis Ndx Name"; Ndx UND = imported).
readelf_output(symbols --dyn-syms -W)
string(REPLACE ";" "," symbols "${symbols}") # a ';' would split the list of lines
string(REPLACE "\n" ";" lines "${symbols}")
set(exported "")
set(bad "")
foreach(line IN LISTS lines)
  if(NOT line MATCHES "^ *[0-9]+: [0-9a-fA-F]+ +[0-9]+ +([A-Z_]+) +([A-Z_]+) +[A-Z_]+ +([A-Z0-9]+) +([^ ]+)$")
    continue()
  endif()
  set(type "${CMAKE_MATCH_1}")
  set(section "${CMAKE_MATCH_3}")
  set(name "${CMAKE_MATCH_4}")
  if(section STREQUAL "UND" OR (section STREQUAL "ABS" AND name MATCHES "^TRACKKIT_[0-9.]+$"))
    continue() # imports, and the version nodes themselves
  endif()
  if(NOT name MATCHES "^(tk_[a-z0-9_]+)@@TRACKKIT_${abi_MAJOR}\\.([0-9]+)$")
    list(APPEND bad "${name} (${type})")
    continue()
  endif()
  set(function "${CMAKE_MATCH_1}")
  if(CMAKE_MATCH_2 GREATER abi_MINOR OR NOT type STREQUAL "FUNC")
    list(APPEND bad "${name} (${type})")
  endif()
  list(APPEND exported "${function}")
endforeach()
if(bad)
  list(JOIN bad ", " bad)
  message(FATAL_ERROR "${LIBRARY} exports symbols that are not tk_ functions of a version node "
                      "TRACKKIT_${abi_MAJOR}.0..${abi_MINOR} (capi/exports.map): ${bad}")
endif()

if(NOT exported)
  message(FATAL_ERROR "${LIBRARY} exports no tk_ function")
endif()

# Functions declared TK_API in the public headers.
file(GLOB_RECURSE headers "${HEADERS}/trackkit/*.h")
set(declared "")
foreach(header IN LISTS headers)
  file(READ "${header}" text)
  string(REGEX MATCHALL "TK_API[^;(]*[ *]tk_[a-z0-9_]+\\(" declarations "${text}")
  foreach(declaration IN LISTS declarations)
    string(REGEX MATCH "(tk_[a-z0-9_]+)\\($" _ "${declaration}")
    list(APPEND declared "${CMAKE_MATCH_1}")
  endforeach()
endforeach()

set(missing ${declared})
list(REMOVE_ITEM missing ${exported})
set(undeclared ${exported})
list(REMOVE_ITEM undeclared ${declared})
if(missing OR undeclared)
  message(FATAL_ERROR "${LIBRARY} and the headers in ${HEADERS} disagree. Declared TK_API but not exported: "
                      "[${missing}]. Exported but declared nowhere: [${undeclared}].")
endif()
list(LENGTH exported count)
list(LENGTH declared declared_count)
if(count LESS 100 OR NOT count EQUAL declared_count)
  message(FATAL_ERROR "${LIBRARY}: ${count} exported, ${declared_count} declared (a symbol twice?)")
endif()
message(STATUS "${LIBRARY}: SONAME ${expected_soname}; ${count} tk_ functions, each @@TRACKKIT_${abi_MAJOR}.x and "
               "declared TK_API in the headers")
