# detector: YOLO TorchScript exports, letterbox (src/core), decoding and batched NMS (src/core).
target_sources(trackkit PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/detector.cpp
  ${CMAKE_CURRENT_LIST_DIR}/yolo_decode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/yolo_model.cpp)
