# SPDX-License-Identifier: BSD-2-Clause
# axip-sim-demo: two instances on the simulated link (gratuitous ARP, ARP
# resolution, ping, UDP echo small and fragmented); exits 0 only if all worked.
add_executable(axip-sim-demo ${CMAKE_CURRENT_SOURCE_DIR}/demo/axip-sim-demo.c)
target_link_libraries(axip-sim-demo PRIVATE axip_sim axip_cli_opt)
target_compile_options(axip-sim-demo PRIVATE ${AXIP_WARN})
add_test(NAME sim_demo COMMAND axip-sim-demo)
add_test(NAME sim_demo_lossy COMMAND axip-sim-demo --loss 20 --seed 7)
set_tests_properties(sim_demo sim_demo_lossy PROPERTIES TIMEOUT 120 LABELS demo)
