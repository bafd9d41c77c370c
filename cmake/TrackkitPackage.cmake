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

# pkg-config file of the C ABI, <libdir>/pkgconfig/trackkit_c.pc. Its prefix is relative to its own folder
# (${pcfiledir}/../.. for lib/pkgconfig), so the installed tree stays relocatable; where CMAKE_INSTALL_LIBDIR is
# absolute the install is not relocatable anyway, and the file names the configured prefix.
set(_pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(TRACKKIT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(TRACKKIT_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _pc_up "/${_pc_dir}" "/") # lib/pkgconfig -> ../.. (lib/x86_64-linux-gnu/pkgconfig -> ../../..)
  string(REGEX REPLACE "/$" "" _pc_up "${_pc_up}")
  set(TRACKKIT_PC_PREFIX "\${pcfiledir}/${_pc_up}")
  set(TRACKKIT_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(TRACKKIT_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(TRACKKIT_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/trackkit_c.pc.in" "${PROJECT_BINARY_DIR}/trackkit_c.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/trackkit_c.pc" DESTINATION "${_pc_dir}")
