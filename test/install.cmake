# SPDX-License-Identifier: BSD-2-Clause
# install.cmake - tests of what `cmake --install` and `cpack -G DEB` produce
# (test/install/install.sh; label install, the AF_XDP one also net). They need
# the shared libraries, which a sanitizer build does not make.
if(NOT AXIP_BUILD_SHARED)
  return()
endif()
set(AXIP_INSTALL_SH ${CMAKE_CURRENT_SOURCE_DIR}/install/install.sh)
# The programs (and so the axip-tools package) are built with the AF_XDP backend.
set(AXIP_INSTALL_MODES pkgconfig)
if(AXIP_BUILD_XDP)
  list(APPEND AXIP_INSTALL_MODES programs deb)
endif()
foreach(mode ${AXIP_INSTALL_MODES})
  string(REPLACE "-" "_" name ${mode})
  add_test(NAME install_${name} COMMAND bash ${AXIP_INSTALL_SH} ${mode} ${PROJECT_BINARY_DIR} ${PROJECT_VERSION})
  set_tests_properties(install_${name} PROPERTIES LABELS install TIMEOUT 120 SKIP_RETURN_CODE 77)
endforeach()
if(AXIP_BUILD_XDP AND NOT AXIP_STATIC)
  add_test(NAME install_cmake_xdp COMMAND bash ${AXIP_INSTALL_SH} cmake-xdp ${PROJECT_BINARY_DIR} ${PROJECT_VERSION})
  set_tests_properties(install_cmake_xdp PROPERTIES LABELS "install;net" TIMEOUT 180
                       SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
endif()
