# segmenter: SAM-family encoder + box decoder TorchScript pairs, COCO RLE and mask IoU.
target_sources(trackkit PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/segmenter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sam_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sam_prompts.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sam_transforms.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pil_resize.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pil_resize_cpu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rle.cpp)
if(TRACKKIT_WITH_CUDA)
  target_sources(trackkit PRIVATE ${CMAKE_CURRENT_LIST_DIR}/pil_resize.cu)
endif()
