# SPDX-License-Identifier: BSD-2-Clause
# packetdrill conformance suite (test/packetdrill/, docs/conformance.md).
#
# packetdrill itself (GPLv2, unmodified upstream) is never part of this tree:
# it is built out of tree from PACKETDRILL_SRC (default: ../shared/third_party/
# packetdrill beside the repository) into <build>/packetdrill/. The adapter,
# axip_packetdrill.so, is axip's core plus test/packetdrill/axip_packetdrill.c,
# built position-independent; it includes packetdrill.h (the interface header)
# from that source. Every test/packetdrill/**/*.pkt outside pending/ is one
# ctest test labelled `packetdrill`; without the source (or bison/flex) they
# skip (exit 77) with a message saying how to provide it.
if(DEFINED ENV{PACKETDRILL_SRC} AND NOT "$ENV{PACKETDRILL_SRC}" STREQUAL "")
  set(AXIP_PACKETDRILL_SRC "$ENV{PACKETDRILL_SRC}")
else()
  set(AXIP_PACKETDRILL_SRC "${CMAKE_SOURCE_DIR}/../shared/third_party/packetdrill")
endif()
get_filename_component(AXIP_PACKETDRILL_SRC "${AXIP_PACKETDRILL_SRC}" ABSOLUTE)
set(AXIP_PD_TOOL_DIR "${AXIP_PACKETDRILL_SRC}/gtests/net/packetdrill")
set(AXIP_PD_RUNNER "${CMAKE_SOURCE_DIR}/scripts/packetdrill.sh")
set(AXIP_PD_ARGS "")

find_program(AXIP_BISON bison)
find_program(AXIP_FLEX flex)
if(EXISTS "${AXIP_PD_TOOL_DIR}/packetdrill.h" AND AXIP_BISON AND AXIP_FLEX)
  set(AXIP_PD_BIN "${CMAKE_BINARY_DIR}/packetdrill/packetdrill")
  file(GLOB AXIP_PD_TOOL_SOURCES "${AXIP_PD_TOOL_DIR}/*.c" "${AXIP_PD_TOOL_DIR}/*.h"
       "${AXIP_PD_TOOL_DIR}/*.y" "${AXIP_PD_TOOL_DIR}/*.l")
  add_custom_command(
    OUTPUT "${AXIP_PD_BIN}"
    COMMAND "${CMAKE_SOURCE_DIR}/test/packetdrill/build_packetdrill.sh"
            "${AXIP_PACKETDRILL_SRC}" "${CMAKE_BINARY_DIR}/packetdrill"
    DEPENDS ${AXIP_PD_TOOL_SOURCES} "${CMAKE_SOURCE_DIR}/test/packetdrill/build_packetdrill.sh"
    COMMENT "Building packetdrill from ${AXIP_PACKETDRILL_SRC}")
  add_custom_target(packetdrill_tool ALL DEPENDS "${AXIP_PD_BIN}")

  # The core compiled again, position-independent, into the adapter.
  file(GLOB AXIP_PD_CORE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/core/src/*.c)
  add_library(axip_packetdrill MODULE ${CMAKE_CURRENT_SOURCE_DIR}/packetdrill/axip_packetdrill.c
              ${AXIP_PD_CORE_SOURCES})
  set_target_properties(axip_packetdrill PROPERTIES PREFIX "" POSITION_INDEPENDENT_CODE ON
                        C_VISIBILITY_PRESET hidden)
  target_include_directories(axip_packetdrill PRIVATE ${CMAKE_SOURCE_DIR}/core/include)
  # -iquote: only "packetdrill.h" comes from there (its directory also holds
  # an assert.h and other names that must not shadow the system's)
  target_compile_options(axip_packetdrill PRIVATE ${AXIP_WARN} -iquote "${AXIP_PD_TOOL_DIR}")
  target_link_libraries(axip_packetdrill PRIVATE pthread)
  # a missing symbol fails here, not at packetdrill's dlopen()
  target_link_options(axip_packetdrill PRIVATE -Wl,--no-undefined)
  list(APPEND AXIP_PD_ARGS --packetdrill "${AXIP_PD_BIN}" --adapter $<TARGET_FILE:axip_packetdrill>)
  if(AXIP_SANITIZE)
    # packetdrill is not instrumented and dlopen()s the adapter: the
    # sanitizer runtimes are preloaded, behind a shim that drops the
    # RTLD_DEEPBIND they refuse (nodeepbind.c, itself not instrumented)
    add_library(axip_pd_nodeepbind MODULE ${CMAKE_CURRENT_SOURCE_DIR}/packetdrill/nodeepbind.c)
    set_target_properties(axip_pd_nodeepbind PROPERTIES PREFIX "")
    target_compile_options(axip_pd_nodeepbind PRIVATE ${AXIP_WARN} -fno-sanitize=all)
    target_link_options(axip_pd_nodeepbind PRIVATE -fno-sanitize=all)
    target_link_libraries(axip_pd_nodeepbind PRIVATE dl)
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                    OUTPUT_VARIABLE AXIP_PD_ASAN OUTPUT_STRIP_TRAILING_WHITESPACE)
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libubsan.so
                    OUTPUT_VARIABLE AXIP_PD_UBSAN OUTPUT_STRIP_TRAILING_WHITESPACE)
    list(APPEND AXIP_PD_ARGS --preload
         "$<TARGET_FILE:axip_pd_nodeepbind>:${AXIP_PD_ASAN}:${AXIP_PD_UBSAN}")
  endif()
elseif(NOT EXISTS "${AXIP_PD_TOOL_DIR}/packetdrill.h")
  message(STATUS "packetdrill source not found at ${AXIP_PACKETDRILL_SRC} (set PACKETDRILL_SRC): packetdrill tests will skip")
else()
  message(STATUS "bison/flex not found: packetdrill is not built, packetdrill tests will skip")
endif()

file(GLOB_RECURSE AXIP_PD_SCRIPTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/packetdrill/*.pkt)
foreach(pkt ${AXIP_PD_SCRIPTS})
  file(RELATIVE_PATH rel ${CMAKE_CURRENT_SOURCE_DIR}/packetdrill ${pkt})
  if(rel MATCHES "^pending/")
    continue()
  endif()
  string(REGEX REPLACE "\\.pkt$" "" name ${rel})
  string(REPLACE "/" "." name ${name})
  add_test(NAME packetdrill.${name} COMMAND ${AXIP_PD_RUNNER} ${AXIP_PD_ARGS} ${pkt})
  set_tests_properties(packetdrill.${name} PROPERTIES LABELS packetdrill SKIP_RETURN_CODE 77
                       TIMEOUT 120)
endforeach()
