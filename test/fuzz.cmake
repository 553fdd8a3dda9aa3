# SPDX-License-Identifier: BSD-2-Clause
# fuzz.cmake - the fuzz targets of test/fuzz/ as ctest tests (label "fuzz").
# Included by test/CMakeLists.txt.
#
#   fuzz_replay_<target>  the target built with the project's compiler (and its
#                         sanitizers in an AXIP_SANITIZE build) replays every input of
#                         test/fuzz/corpus/<target>/: seeds and crash regressions
#   fuzz_seeds_current    the committed seeds are what test/fuzz/gen_corpus.c writes
#   fuzz_short_<target>   libFuzzer run of 60 s from the committed corpus (clang with
#                         -fsanitize=fuzzer,address,undefined, built by
#                         test/fuzz/build_and_run.sh); only when clang can link a
#                         libFuzzer program, and not in the sanitizer build (the
#                         fuzzers carry their own sanitizers)
set(AXIP_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set(AXIP_FUZZ_TARGETS fuzz_stack_input fuzz_tcp_states fuzz_http_request fuzz_sock_calls)

if(NOT TARGET axip_http)
  add_subdirectory(${CMAKE_SOURCE_DIR}/examples/http ${CMAKE_BINARY_DIR}/http_lib)
endif()

foreach(t ${AXIP_FUZZ_TARGETS})
  add_executable(fuzz_replay_${t} ${AXIP_FUZZ_DIR}/replay_main.c ${AXIP_FUZZ_DIR}/${t}.c)
  target_include_directories(fuzz_replay_${t} PRIVATE ${AXIP_FUZZ_DIR})
  target_link_libraries(fuzz_replay_${t} PRIVATE axip_sim)
  if(t STREQUAL fuzz_http_request)
    target_link_libraries(fuzz_replay_${t} PRIVATE axip_http)
  endif()
  target_compile_options(fuzz_replay_${t} PRIVATE ${AXIP_WARN})
  add_test(NAME fuzz_replay_${t} COMMAND fuzz_replay_${t} ${AXIP_FUZZ_DIR}/corpus/${t})
  set_tests_properties(fuzz_replay_${t} PROPERTIES TIMEOUT 300 LABELS fuzz)
endforeach()

add_executable(fuzz_gen_corpus ${AXIP_FUZZ_DIR}/gen_corpus.c)
target_include_directories(fuzz_gen_corpus PRIVATE ${AXIP_FUZZ_DIR})
target_link_libraries(fuzz_gen_corpus PRIVATE axip_sim)
target_compile_options(fuzz_gen_corpus PRIVATE ${AXIP_WARN})
# fuzz_sock_calls' seeds have a generator of their own (no core or sim needed)
add_executable(fuzz_gen_corpus_sock ${AXIP_FUZZ_DIR}/gen_corpus_sock.c)
target_compile_options(fuzz_gen_corpus_sock PRIVATE ${AXIP_WARN})
add_test(NAME fuzz_seeds_current
         COMMAND ${AXIP_FUZZ_DIR}/check_seeds.sh $<TARGET_FILE:fuzz_gen_corpus>
                 ${AXIP_FUZZ_DIR}/corpus ${CMAKE_CURRENT_BINARY_DIR}/fuzz_seeds
                 $<TARGET_FILE:fuzz_gen_corpus_sock>)
set_tests_properties(fuzz_seeds_current PROPERTIES TIMEOUT 60 LABELS fuzz)

if(AXIP_SANITIZE)
  return()
endif()

# Can clang build a libFuzzer program here? (Debian: clang, libfuzzer-14-dev)
find_program(AXIP_FUZZ_CLANG NAMES clang clang-14)
set(AXIP_FUZZ_OK OFF)
if(AXIP_FUZZ_CLANG)
  set(probe_dir ${CMAKE_CURRENT_BINARY_DIR}/fuzz_probe)
  file(MAKE_DIRECTORY ${probe_dir})
  file(WRITE ${probe_dir}/probe.c
       "#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n")
  execute_process(COMMAND ${AXIP_FUZZ_CLANG} -fsanitize=fuzzer,address,undefined
                          ${probe_dir}/probe.c -o ${probe_dir}/probe
                  RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_QUIET)
  if(probe_rc EQUAL 0)
    set(AXIP_FUZZ_OK ON)
  endif()
endif()
if(NOT AXIP_FUZZ_OK)
  message(STATUS "fuzz: clang with libFuzzer not usable; fuzz_short_* tests not registered")
  return()
endif()

set(AXIP_FUZZ_OUT ${CMAKE_CURRENT_BINARY_DIR}/fuzz)
add_test(NAME fuzz_build COMMAND ${AXIP_FUZZ_DIR}/build_and_run.sh build ${AXIP_FUZZ_OUT})
set_tests_properties(fuzz_build PROPERTIES TIMEOUT 600 LABELS fuzz FIXTURES_SETUP fuzz_bin
                     ENVIRONMENT FUZZ_CC=${AXIP_FUZZ_CLANG})
foreach(t ${AXIP_FUZZ_TARGETS})
  add_test(NAME fuzz_short_${t}
           COMMAND ${AXIP_FUZZ_DIR}/build_and_run.sh run ${AXIP_FUZZ_OUT} ${t} 60)
  # one fuzzer at a time: each keeps a core busy for its whole minute
  set_tests_properties(fuzz_short_${t} PROPERTIES TIMEOUT 600 LABELS fuzz
                       FIXTURES_REQUIRED fuzz_bin RESOURCE_LOCK fuzz_cpu
                       ENVIRONMENT "FUZZ_CC=${AXIP_FUZZ_CLANG};FUZZ_FRESH=1")
endforeach()
