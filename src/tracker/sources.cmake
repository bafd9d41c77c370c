# tracker: linear assignment, MOT file tooling and metrics (the tracker itself lands with issue #3).
target_sources(trackkit PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/linear_assignment.cpp)
