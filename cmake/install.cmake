# SPDX-License-Identifier: BSD-2-Clause
# install.cmake - what `cmake --install` puts where (GNUInstallDirs, relocatable):
#   component runtime  the shared libraries (lib/libaxip.so.*, lib/libaxip-xdp.so.*)
#   component dev      headers (include/axip/), static libraries, the .so links,
#                      pkg-config files (axip.pc, axip-xdp.pc), the CMake package
#                      (find_package(axip): axip::core, axip::xdp, ...)
#   component tools    the programs in AXIP_INSTALL_PROGRAMS
# The library targets install themselves (core/, xdp/); this file adds the rest.
# Included at the end of the top-level CMakeLists.txt.
include(CMakePackageConfigHelpers)

# Programs that are tools, installed when built. A new one (axip-run) is added
# here; test/install/programs.sh checks each one's --help/--version/bad option.
set(AXIP_INSTALL_PROGRAMS
  axip-httpd axip-http-get axip-udp-echo axip-tcp-echo axip-tcp-echo-mt axip-xdp-detach
  axip-run)
set(AXIP_INSTALLED_PROGRAMS)
foreach(prog ${AXIP_INSTALL_PROGRAMS})
  if(TARGET ${prog})
    install(TARGETS ${prog} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
    list(APPEND AXIP_INSTALLED_PROGRAMS ${prog})
  endif()
endforeach()

if(TARGET axip_xdp)
  set(AXIP_HAVE_XDP TRUE)
else()
  set(AXIP_HAVE_XDP FALSE)
endif()

# pkg-config: the prefix is found from the .pc file's own place (${pcfiledir}),
# so an installed tree can be moved.
file(RELATIVE_PATH AXIP_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" AXIP_PC_TO_PREFIX "${AXIP_PC_TO_PREFIX}")
set(AXIP_PC_FILES axip)
if(AXIP_HAVE_XDP)
  list(APPEND AXIP_PC_FILES axip-xdp)
endif()
foreach(pc ${AXIP_PC_FILES})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()

# CMake package: axipConfig.cmake, axipConfigVersion.cmake, axipTargets*.cmake.
# Until 1.0 a minor release may change the API: SameMinorVersion.
set(AXIP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/axip)
install(EXPORT axipTargets NAMESPACE axip:: DESTINATION ${AXIP_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/axipConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/axipConfig.cmake INSTALL_DESTINATION ${AXIP_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/axipConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/axipConfig.cmake ${PROJECT_BINARY_DIR}/cmake/axipConfigVersion.cmake
  DESTINATION ${AXIP_CMAKE_DIR} COMPONENT dev)

# Package names (cmake/package.cmake); the runtime package is named for the SONAME.
set(AXIP_PKG_runtime libaxip${AXIP_SOVERSION})
set(AXIP_PKG_dev libaxip-dev)
set(AXIP_PKG_tools axip-tools)
# The license goes with every package, where Debian keeps it.
foreach(comp runtime dev tools)
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${AXIP_PKG_${comp}}
          RENAME copyright COMPONENT ${comp})
endforeach()
