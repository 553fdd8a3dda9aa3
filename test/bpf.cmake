# SPDX-License-Identifier: BSD-2-Clause
# xdp_prog_fuzz: the embedded XDP program under BPF_PROG_TEST_RUN against a
# model of its rules (run by test/net/xdp_prog_fuzz.sh, which needs root).
if(AXIP_BUILD_XDP)
  add_executable(xdp_prog_fuzz ${CMAKE_CURRENT_LIST_DIR}/bpf/xdp_prog_fuzz.c)
  target_link_libraries(xdp_prog_fuzz PRIVATE axip_xdp)
  target_compile_options(xdp_prog_fuzz PRIVATE ${AXIP_WARN})
endif()
# xdp_steer6: the attached program with an IPv6 address through
# steer_set_cfg (run by test/net/xdp_steer6.sh); it reaches into the
# backend's internals for steer_set_cfg, which the backend calls itself.
if(AXIP_BUILD_XDP)
  add_executable(xdp_steer6 ${CMAKE_CURRENT_LIST_DIR}/bpf/xdp_steer6.c)
  target_link_libraries(xdp_steer6 PRIVATE axip_xdp)
  target_include_directories(xdp_steer6 PRIVATE ${PROJECT_SOURCE_DIR}/xdp/src)
  target_compile_options(xdp_steer6 PRIVATE ${AXIP_WARN})
endif()
