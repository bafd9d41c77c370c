# core: errors, checks, devices, boxes, letterbox, NMS, GPU memory, models (TorchScript, AOTInductor), logging, version.
target_sources(trackkit PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/device.cpp
  ${CMAKE_CURRENT_LIST_DIR}/log.cpp
  ${CMAKE_CURRENT_LIST_DIR}/version.cpp
  ${CMAKE_CURRENT_LIST_DIR}/boxes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/binary_mask.cpp
  ${CMAKE_CURRENT_LIST_DIR}/box_iou_cpu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/device_memory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/script_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/model_runner.cpp
  ${CMAKE_CURRENT_LIST_DIR}/compiled_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/letterbox.cpp
  ${CMAKE_CURRENT_LIST_DIR}/letterbox_cpu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nms.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nms_cpu.cpp)
if(TRACKKIT_WITH_CUDA)
  target_sources(trackkit PRIVATE ${CMAKE_CURRENT_LIST_DIR}/box_iou.cu ${CMAKE_CURRENT_LIST_DIR}/letterbox.cu
                                  ${CMAKE_CURRENT_LIST_DIR}/nms.cu)
  # No fused multiply-adds in NMS: the CPU kernel (-ffp-contract=off below) rounds each product, so both
  # devices shift boxes and compute IoUs bit for bit alike and keep the same detections.
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/nms.cu PROPERTIES COMPILE_OPTIONS "--fmad=false")
endif()
# The IoU loop's comparisons may only become vector selects when FP traps are off (results do not change).
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/box_iou_cpu.cpp PROPERTIES COMPILE_OPTIONS "-fno-trapping-math")
# NMS: no fused multiply-adds (see nms.cu above); the class scan vectorises only without FP traps.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/nms_cpu.cpp PROPERTIES COMPILE_OPTIONS
                            "-ffp-contract=off;-fno-trapping-math")
