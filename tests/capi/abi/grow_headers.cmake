# Writes a "grown" copy of the C ABI headers: every struct that starts with struct_size gets the field
# `int64_t abi_test_appended[3];` appended, as a later ABI 1.x release may append fields. The ABI tests build a
# library and a program against it (tests/capi/abi/abi_tests.cmake) to prove that old and new struct sizes interwork.
#   cmake -DSOURCE=<capi/include> -DOUTPUT=<folder> -DLAYOUT=<capi/src/abi_layout.hpp> -P grow_headers.cmake
# Every struct frozen in abi_layout.hpp must be grown, and nothing else: a struct the generator missed would
# make the test prove less than it claims.
foreach(var SOURCE OUTPUT LAYOUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "grow_headers.cmake: -D${var}=... is required")
  endif()
endforeach()

set(appended "  int64_t abi_test_appended[3]; /* added by tests/capi/abi/grow_headers.cmake */\n")
set(grown "")
file(GLOB_RECURSE headers RELATIVE "${SOURCE}" "${SOURCE}/trackkit/*.h")
foreach(header IN LISTS headers)
  file(READ "${SOURCE}/${header}" text)
  # "typedef struct tk_x {" followed directly by its struct_size field (clang-format keeps that spelling), matched
  # in a copy whose ';' are '@' (a ';' would split the CMake list of matches).
  string(REPLACE ";" "@" plain "${text}")
  string(REGEX MATCHALL "typedef struct tk_[a-z0-9_]+ {\n  size_t struct_size@" starts "${plain}")
  foreach(start IN LISTS starts)
    string(REGEX MATCH "typedef struct (tk_[a-z0-9_]+)" _ "${start}")
    set(name "${CMAKE_MATCH_1}")
    string(FIND "${text}" "\n} ${name};" end)
    if(end EQUAL -1)
      message(FATAL_ERROR "grow_headers.cmake: no closing '} ${name};' in ${header}")
    endif()
    string(REPLACE "\n} ${name};" "\n${appended}} ${name};" text "${text}")
    list(APPEND grown ${name})
  endforeach()
  file(WRITE "${OUTPUT}/${header}" "${text}")
endforeach()

file(STRINGS "${LAYOUT}" frozen_lines REGEX "^struct FirstLayout<tk_[a-z0-9_]+> {")
set(frozen "")
foreach(line IN LISTS frozen_lines)
  string(REGEX REPLACE "^struct FirstLayout<(tk_[a-z0-9_]+)> {" "\\1" name "${line}")
  list(APPEND frozen ${name})
endforeach()
list(SORT grown)
list(SORT frozen)
if(NOT grown STREQUAL frozen)
  message(FATAL_ERROR "grow_headers.cmake: grew [${grown}] but ${LAYOUT} freezes [${frozen}]; "
                      "rerun tools/abi/freeze_layout.py, or spell the struct as 'typedef struct tk_x {' with "
                      "'size_t struct_size;' on the next line")
endif()
list(LENGTH grown count)
message(STATUS "grow_headers.cmake: ${count} structs grown into ${OUTPUT}")
