# run_step(<command...>): runs a command in a ctest -P script and fails the
# test, naming the command, when it does not exit 0.
function(run_step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGN}")
  endif()
endfunction()

# require_vars(<name...>): the -D definitions a script needs.
function(require_vars)
  foreach(var IN LISTS ARGN)
    if(NOT DEFINED ${var})
      message(FATAL_ERROR "${CMAKE_CURRENT_LIST_FILE}: ${var} not set")
    endif()
  endforeach()
endfunction()
