# Configures, builds (Debug) and runs the lit suite with an ASan+UBSan driver.
include(${CMAKE_CURRENT_LIST_DIR}/RunStep.cmake)
require_vars(SOURCE_DIR BINARY_DIR CXX_COMPILER GENERATOR PYTHON LIT)
run_step(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR} -G ${GENERATOR}
         -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Debug
         -DLASTWORD_SANITIZE=address,undefined -DLASTWORD_BUILD_RUNTIME=OFF -DBUILD_TESTING=ON)
run_step(${CMAKE_COMMAND} --build ${BINARY_DIR} --target lastword)
run_step(${PYTHON} ${LIT} -sv --param tools=driver ${BINARY_DIR}/test)
