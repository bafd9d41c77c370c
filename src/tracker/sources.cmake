# tracker: linear assignment, the ByteTrack-family tracker, MOT file tooling and metrics.
target_sources(trackkit PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/linear_assignment.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kalman_filter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/association.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mask_cue.cpp
  ${CMAKE_CURRENT_LIST_DIR}/track.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tracker.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tracker_input.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tracker_step.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tracker_bank.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mot_io.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mot_preprocess.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mot_match.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mot_metrics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mot_hota.cpp)
