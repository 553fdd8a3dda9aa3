# SPDX-License-Identifier: BSD-2-Clause
# portability.cmake - the core's portability checks as ctest tests (label "portability").
# Included by test/CMakeLists.txt. The checks read the sources when they run, so
# they always see the current files; the tools they need (gcc -m32, clang, tcc,
# powerpc-linux-gnu-gcc, qemu-ppc) are installed by scripts/test.sh.
# They do not depend on how this tree is built, so a sanitizer build skips them.
if(AXIP_SANITIZE)
  return()
endif()

set(AXIP_PORT_DIR ${CMAKE_CURRENT_SOURCE_DIR}/portability)
set(AXIP_PORT_OUT ${CMAKE_CURRENT_BINARY_DIR}/portability)

# (a) every core/src/*.c and public header compiles freestanding, warnings as errors
set(AXIP_FREESTANDING_FLAGS -std=c99 -ffreestanding -nostdinc -nostdlib -Wall -Wextra -Werror -pedantic -O2)
foreach(cfg gcc64 gcc32 clang64 clang32)
  string(REGEX REPLACE "[0-9]+$" "" cc ${cfg})
  string(REGEX MATCH "[0-9]+$" bits ${cfg})
  add_test(NAME port_freestanding_${cfg}
           COMMAND ${AXIP_PORT_DIR}/freestanding.sh ${CMAKE_SOURCE_DIR} ${AXIP_PORT_OUT}/${cfg}
                   ${cc} -m${bits} ${AXIP_FREESTANDING_FLAGS})
endforeach()
# tcc has no -Wextra, -ffreestanding or -m32; -Wunsupported turns any flag it would ignore into an error.
add_test(NAME port_tcc
         COMMAND ${AXIP_PORT_DIR}/freestanding.sh ${CMAKE_SOURCE_DIR} ${AXIP_PORT_OUT}/tcc
                 tcc -std=c99 -nostdinc -nostdlib -Wall -Wwrite-strings -Wunsupported -Werror)

# (b) rules a compiler does not enforce: source (headers, builtins, asm, float, libc),
# libcalls (no memcpy/memset/__udivdi3/... in the linked objects), globals (no mutable data)
add_test(NAME port_core_source_rules
         COMMAND ${AXIP_PORT_DIR}/core_rules.sh ${CMAKE_SOURCE_DIR} ${AXIP_PORT_OUT}/source source)
add_test(NAME port_no_libcalls
         COMMAND ${AXIP_PORT_DIR}/core_rules.sh ${CMAKE_SOURCE_DIR} ${AXIP_PORT_OUT}/libcalls libcalls)
add_test(NAME port_no_global_state
         COMMAND ${AXIP_PORT_DIR}/core_rules.sh ${CMAKE_SOURCE_DIR} ${AXIP_PORT_OUT}/globals globals)

# (c) the unit tests of the core on 32-bit big-endian PowerPC (qemu-ppc) and on
# 32-bit x86. Left out: tests of hosted libraries, which need more than the core
# and the sim (the HTTP tests link examples/http), and tests listed by name in
# AXIP_PORT_UNIT_EXCLUDE. Under emulation the long TCP tests transfer a quarter
# of their bytes (AXIP_TEST_SCALE, read by test_tcp_bulk and test_tcp_churn).
set(AXIP_PORT_UNIT_EXCLUDE_REGEX "^test_http_")
set(AXIP_PORT_UNIT_EXCLUDE)
file(GLOB AXIP_PORT_UNIT_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_*.c)
set(AXIP_PORT_UNITS)
foreach(src ${AXIP_PORT_UNIT_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  if(NOT name IN_LIST AXIP_PORT_UNIT_EXCLUDE AND NOT name MATCHES "${AXIP_PORT_UNIT_EXCLUDE_REGEX}")
    list(APPEND AXIP_PORT_UNITS ${name})
  endif()
endforeach()
foreach(arch bigendian_ppc i386)
  string(REGEX REPLACE "^bigendian_" "" tool_arch ${arch})
  set(out ${AXIP_PORT_OUT}/unit_${tool_arch})
  add_test(NAME port_${arch}_build
           COMMAND ${AXIP_PORT_DIR}/unit_cross.sh build ${tool_arch} ${CMAKE_SOURCE_DIR} ${out} ${AXIP_PORT_UNITS})
  set_tests_properties(port_${arch}_build PROPERTIES FIXTURES_SETUP port_${arch})
  foreach(name ${AXIP_PORT_UNITS})
    add_test(NAME port_${arch}_${name}
             COMMAND ${AXIP_PORT_DIR}/unit_cross.sh run ${tool_arch} ${CMAKE_SOURCE_DIR} ${out} ${name})
    set_tests_properties(port_${arch}_${name} PROPERTIES FIXTURES_REQUIRED port_${arch} TIMEOUT 600)
    if(arch STREQUAL "bigendian_ppc")
      set_tests_properties(port_${arch}_${name} PROPERTIES ENVIRONMENT AXIP_TEST_SCALE=4)
    endif()
  endforeach()
endforeach()

get_property(AXIP_PORT_TESTS DIRECTORY PROPERTY TESTS)
list(FILTER AXIP_PORT_TESTS INCLUDE REGEX "^port_")
set_tests_properties(${AXIP_PORT_TESTS} PROPERTIES LABELS portability)
