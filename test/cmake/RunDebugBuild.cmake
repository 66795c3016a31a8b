# Configures, builds and tests the project at -O0 -g (CMAKE_BUILD_TYPE=Debug) without the
# checks: the runtime and its GoogleTest suite, the validation programs (behaviour only: the
# checks' verdicts are tested by the main build) and the examples. Users build Debug too.
include(${CMAKE_CURRENT_LIST_DIR}/RunStep.cmake)
require_vars(SOURCE_DIR BINARY_DIR CXX_COMPILER C_COMPILER GENERATOR)
set(configure_args -S ${SOURCE_DIR} -B ${BINARY_DIR} -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_C_COMPILER=${C_COMPILER}
    -DCMAKE_BUILD_TYPE=Debug -DLASTWORD_BUILD_CHECKS=OFF -DLASTWORD_RUNTIME_SANITIZER_TESTS=OFF
    -DBUILD_TESTING=ON)
if(DEFINED LAUNCHER AND NOT LAUNCHER STREQUAL "")
  list(APPEND configure_args -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER} -DCMAKE_C_COMPILER_LAUNCHER=${LAUNCHER})
endif()
run_step(${CMAKE_COMMAND} ${configure_args})
run_step(${CMAKE_COMMAND} --build ${BINARY_DIR} -j 2)
run_step(${CMAKE_CTEST_COMMAND} --test-dir ${BINARY_DIR} --output-on-failure -j 2 --timeout 300)
