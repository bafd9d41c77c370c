# `cmake --install` layout: a relocatable CMake package (every path is relative to the install prefix,
# except LibTorch's, which trackkitConfig.cmake locates again the way the build did).
include(CMakePackageConfigHelpers)

install(TARGETS trackkit trackkit_c EXPORT trackkitTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/trackkit" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/capi/include/trackkit" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES "${PROJECT_BINARY_DIR}/include/trackkit/export.hpp" "${PROJECT_BINARY_DIR}/include/trackkit/version.hpp"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/trackkit)
install(FILES "${PROJECT_BINARY_DIR}/include/dlpack/dlpack.h" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dlpack)

set(_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/trackkit)
install(EXPORT trackkitTargets NAMESPACE trackkit:: DESTINATION ${_cmake_dir})
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/trackkitConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/trackkitConfig.cmake" INSTALL_DESTINATION ${_cmake_dir})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/trackkitConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/trackkitConfig.cmake" "${PROJECT_BINARY_DIR}/trackkitConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/TrackkitTorch.cmake"
        DESTINATION ${_cmake_dir})
