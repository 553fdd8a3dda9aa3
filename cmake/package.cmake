# SPDX-License-Identifier: BSD-2-Clause
# package.cmake - Debian packages with CPack (`cpack -G DEB` in the build tree),
# one per install component (cmake/install.cmake):
#   libaxip<SOVERSION>  runtime: the shared libraries
#   libaxip-dev         headers, static libraries, pkg-config and CMake files
#   axip-tools          the programs (axip-httpd, axip-http-get, ...)
# Library dependencies come from dpkg-shlibdeps (package dpkg-dev); the
# development package names its -dev dependencies itself.
set(CPACK_PACKAGE_NAME axip)
set(CPACK_PACKAGE_VENDOR "The axip authors")
set(CPACK_PACKAGE_CONTACT "The axip authors")
# Every package's summary line; CPACK_DEBIAN_<COMPONENT>_DESCRIPTION follows it.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "axip: ${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_COMPONENTS_ALL runtime dev tools)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_STRIP_FILES ON)   # programs and shared libraries without debug information
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY "=")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ${AXIP_PKG_runtime})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
    "Shared libraries: the portable core (libaxip) and the AF_XDP backend (libaxip-xdp).")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME ${AXIP_PKG_dev})
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(AXIP_DEV_DEPENDS "${AXIP_PKG_runtime} (= ${PROJECT_VERSION})")
if(AXIP_HAVE_XDP)
  # axip-xdp.pc's Requires.private and the static library's link line
  string(APPEND AXIP_DEV_DEPENDS ", libxdp-dev, libbpf-dev, libmnl-dev")
endif()
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS ${AXIP_DEV_DEPENDS})
set(CPACK_DEBIAN_DEV_DESCRIPTION
    "Development files: headers, static libraries, pkg-config files (axip,\n axip-xdp) and the CMake package (find_package(axip)).")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME ${AXIP_PKG_tools})
# libaxip-preload.so (axip-run) links the shared libraries of the runtime
# package: dpkg-shlibdeps finds them in the build tree, the dependency on
# the runtime package is stated here (the generated ones are appended)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/core ${PROJECT_BINARY_DIR}/xdp)
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "${AXIP_PKG_runtime} (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_TOOLS_DESCRIPTION
    "Programs: HTTP server and client, echo servers and axip-xdp-detach on AF_XDP.")

include(CPack)
