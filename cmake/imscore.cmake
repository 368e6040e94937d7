# imscore_module(NAME SOURCES a.c b.c DEPS target...)
# Builds the static library imscore_NAME from common/NAME. The public header of
# the module is common/NAME/NAME.h and is included as "NAME/NAME.h".
function(imscore_module name)
    cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
    add_library(imscore_${name} STATIC ${M_SOURCES})
    target_include_directories(imscore_${name} PUBLIC ${CMAKE_SOURCE_DIR}/common)
    target_link_libraries(imscore_${name} PUBLIC ${M_DEPS})
endfunction()

# imscore_unit_test(NAME SOURCES a.c DEPS target... [LABELS l...])
# A CMocka test binary registered with ctest under the label "unit".
function(imscore_unit_test name)
    cmake_parse_arguments(T "" "" "SOURCES;DEPS;LABELS" ${ARGN})
    add_executable(${name} ${T_SOURCES})
    target_link_libraries(${name} PRIVATE ${T_DEPS} PkgConfig::CMOCKA)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "unit;${T_LABELS}" TIMEOUT 120
        ENVIRONMENT "IMSCORE_SOURCE_DIR=${CMAKE_SOURCE_DIR};IMSCORE_BINARY_DIR=${CMAKE_BINARY_DIR}")
endfunction()
