# Installs the build into a scratch prefix and builds and runs a consumer
# project against it with find_package(lastword).
include(${CMAKE_CURRENT_LIST_DIR}/../cmake/RunStep.cmake)
require_vars(BINARY_DIR SOURCE_DIR WORK_DIR CXX_COMPILER GENERATOR)
file(REMOVE_RECURSE ${WORK_DIR})
run_step(${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${WORK_DIR}/prefix)
run_step(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
         -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run_step(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run_step(${WORK_DIR}/build/consumer)
run_step(${WORK_DIR}/prefix/bin/lastword --version)
# The installed editor launcher finds the installed plugin, also through a symlink.
if(EXISTS ${WORK_DIR}/prefix/bin/lastword-clang-tidy)
  file(CREATE_LINK ${WORK_DIR}/prefix/bin/lastword-clang-tidy ${WORK_DIR}/clang-tidy SYMBOLIC)
  execute_process(COMMAND ${WORK_DIR}/clang-tidy --checks=-*,gc-* --list-checks
                  RESULT_VARIABLE result OUTPUT_VARIABLE listed ERROR_VARIABLE errors)
  if(NOT result EQUAL 0 OR NOT listed MATCHES "gc-finalizer-self-reference")
    message(FATAL_ERROR "installed lastword-clang-tidy failed (${result}): ${listed}${errors}")
  endif()
endif()
