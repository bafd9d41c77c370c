# e2p: equirectangular (360°) frames -> pinhole views, CPU and CUDA (docs/e2p.md).
target_sources(trackkit PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/e2p.cpp
  ${CMAKE_CURRENT_LIST_DIR}/e2p_views.cpp
  ${CMAKE_CURRENT_LIST_DIR}/e2p_cpu.cpp)
if(TRACKKIT_WITH_CUDA)
  target_sources(trackkit PRIVATE ${CMAKE_CURRENT_LIST_DIR}/e2p.cu ${CMAKE_CURRENT_LIST_DIR}/e2p_u8_tiled.cu)
endif()
