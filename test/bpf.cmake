# SPDX-License-Identifier: BSD-2-Clause
# xdp_prog_fuzz: the embedded XDP program under BPF_PROG_TEST_RUN against a
# model of its rules (run by test/net/xdp_prog_fuzz.sh, which needs root).
if(AXIP_BUILD_XDP)
  add_executable(xdp_prog_fuzz ${CMAKE_CURRENT_LIST_DIR}/bpf/xdp_prog_fuzz.c)
  target_link_libraries(xdp_prog_fuzz PRIVATE axip_xdp)
  target_compile_options(xdp_prog_fuzz PRIVATE ${AXIP_WARN})
endif()
