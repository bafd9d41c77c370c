# core: errors, argument checks, devices, boxes, letterbox, logging, version.
target_sources(trackkit PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/device.cpp
  ${CMAKE_CURRENT_LIST_DIR}/log.cpp
  ${CMAKE_CURRENT_LIST_DIR}/version.cpp
  ${CMAKE_CURRENT_LIST_DIR}/boxes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/box_iou_cpu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/device_memory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/letterbox.cpp
  ${CMAKE_CURRENT_LIST_DIR}/letterbox_cpu.cpp)
if(TRACKKIT_WITH_CUDA)
  target_sources(trackkit PRIVATE ${CMAKE_CURRENT_LIST_DIR}/box_iou.cu ${CMAKE_CURRENT_LIST_DIR}/letterbox.cu)
endif()
# The IoU loop's comparisons may only become vector selects when FP traps are off (results do not change).
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/box_iou_cpu.cpp PROPERTIES COMPILE_OPTIONS "-fno-trapping-math")
