# embedder: batched crops (box / landmark-aligned affine sampling, CPU and CUDA kernels), TorchScript embedding models
# on the shared ScriptModel, and identity clustering.
target_sources(trackkit PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/crop.cpp
  ${CMAKE_CURRENT_LIST_DIR}/crop_cpu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/similarity.cpp
  ${CMAKE_CURRENT_LIST_DIR}/embedder.cpp)
if(TRACKKIT_WITH_CUDA)
  target_sources(trackkit PRIVATE ${CMAKE_CURRENT_LIST_DIR}/crop.cu)
  # No fused multiply-adds: the CPU kernel (-ffp-contract=off) rounds each product, so both devices sample alike.
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/crop.cu PROPERTIES COMPILE_OPTIONS "--fmad=false")
endif()
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/crop_cpu.cpp PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
target_sources(trackkit PRIVATE ${CMAKE_CURRENT_LIST_DIR}/cluster.cpp ${CMAKE_CURRENT_LIST_DIR}/cluster_cpu.cpp)
if(TRACKKIT_WITH_CUDA)
  target_sources(trackkit PRIVATE ${CMAKE_CURRENT_LIST_DIR}/cluster.cu)
  # Both devices update linkage distances with the same roundings (no fused multiply-adds), so they merge alike.
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/cluster.cu PROPERTIES COMPILE_OPTIONS "--fmad=false")
endif()
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/cluster_cpu.cpp PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
