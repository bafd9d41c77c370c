# gmc: global motion compensation (ECC, ORB, SIFT, sparse optical flow; batched ECC on CUDA).
target_sources(trackkit PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/gmc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gmc_options.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gmc_warp.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gmc_prepare_cpu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gmc_estimate_cpu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gmc_ecc_torch.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gmc_downscale_cpu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gmc_ecc_gram_cpu.cpp)
if(TRACKKIT_WITH_CUDA)
  target_sources(trackkit PRIVATE ${CMAKE_CURRENT_LIST_DIR}/gmc_downscale.cu ${CMAKE_CURRENT_LIST_DIR}/gmc_ecc_gram.cu)
endif()
