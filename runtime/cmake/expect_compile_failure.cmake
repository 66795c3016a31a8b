# Compiles one case of test/compile_fail.cpp and checks the outcome.
# Usage: cmake -DCXX=... -DSOURCE=... -DINCLUDE=... -DCASE=n -DEXPECT=<regex or empty for success> -P expect_compile_failure.cmake
execute_process(
  COMMAND ${CXX} -std=c++20 -fsyntax-only -I${INCLUDE} -DCASE=${CASE} ${SOURCE}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(EXPECT STREQUAL "")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "case ${CASE} should compile:\n${err}")
  endif()
  return()
endif()
if(result EQUAL 0)
  message(FATAL_ERROR "case ${CASE} compiled, but must fail with: ${EXPECT}")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "case ${CASE} failed without the expected message '${EXPECT}':\n${err}")
endif()
