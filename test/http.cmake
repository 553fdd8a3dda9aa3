# SPDX-License-Identifier: BSD-2-Clause
# HTTP library tests: test/unit/test_http_*.c are registered by the unit-test
# glob; they also need the axip_http library from examples/http.
if(NOT TARGET axip_http)
  add_subdirectory(${CMAKE_SOURCE_DIR}/examples/http ${CMAKE_BINARY_DIR}/http_lib)
endif()
foreach(t test_http_parser test_http_sim)
  if(TARGET ${t})
    target_link_libraries(${t} PRIVATE axip_http)
  endif()
endforeach()
