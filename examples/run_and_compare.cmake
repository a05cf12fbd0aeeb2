# run_and_compare.cmake: cmake -DCOMMAND=exe -DARGS="a;b" -DEXPECTED=file -P run_and_compare.cmake
# Runs COMMAND ARGS and fails unless it exits 0 and its stdout equals EXPECTED exactly.
execute_process(COMMAND ${COMMAND} ${ARGS} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
file(READ ${EXPECTED} want)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${COMMAND} exited ${rc}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(NOT out STREQUAL want)
  message(FATAL_ERROR "output differs from ${EXPECTED}\n--- got:\n${out}--- expected:\n${want}")
endif()
message(STATUS "output matches ${EXPECTED}")
