# SPDX-License-Identifier: BSD-2-Clause
# Network tests: namespaces + veth pairs with axip attached over AF_XDP. They
# need root and the AF_XDP examples (they skip with code 77 otherwise).
if(AXIP_BUILD_XDP)
  file(GLOB AXIP_NET_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/net/*.sh)
  list(REMOVE_ITEM AXIP_NET_TESTS ${CMAKE_CURRENT_LIST_DIR}/net/lib.sh)
  foreach(script ${AXIP_NET_TESTS})
    get_filename_component(name ${script} NAME_WE)
    add_test(NAME net_${name} COMMAND bash ${script})
    set_tests_properties(net_${name} PROPERTIES
      TIMEOUT 180 LABELS net SKIP_RETURN_CODE 77 RUN_SERIAL TRUE
      ENVIRONMENT "AXIP_BUILD_DIR=${CMAKE_BINARY_DIR}")
  endforeach()
endif()
