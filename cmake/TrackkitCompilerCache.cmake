# ccache, when installed, makes re-builds of the LibTorch-heavy sources cheap (CI re-uses its cache dir).
find_program(TRACKKIT_CCACHE ccache)
if(TRACKKIT_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_C_COMPILER_LAUNCHER "${TRACKKIT_CCACHE}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${TRACKKIT_CCACHE}")
  set(CMAKE_CUDA_COMPILER_LAUNCHER "${TRACKKIT_CCACHE}")
endif()
