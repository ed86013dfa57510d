# Shared compile settings for the project's own targets (never for generated code).

set(LEDGER_WARNINGS -Wall -Wextra -Wshadow -Wconversion -Wnon-virtual-dtor -Wpedantic)
if(LEDGER_WERROR)
  list(APPEND LEDGER_WARNINGS -Werror)
endif()

if(LEDGER_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# Reproducible builds (ops/reproducible-build): no build paths in the output,
# so two checkouts at different places give byte-identical binaries.
option(LEDGER_REPRODUCIBLE "Strip build paths from outputs" ON)
if(LEDGER_REPRODUCIBLE)
  add_compile_options(-ffile-prefix-map=${PROJECT_SOURCE_DIR}=. -ffile-prefix-map=${PROJECT_BINARY_DIR}=build)
endif()

function(ledger_target_settings target)
  target_compile_options(${target} PRIVATE ${LEDGER_WARNINGS})
endfunction()

# ledger_library(NAME ALIAS SOURCES... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# One library per folder, public headers under include/.
function(ledger_library name alias)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  add_library(${alias} ALIAS ${name})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  ledger_target_settings(${name})
  set_property(GLOBAL APPEND PROPERTY LEDGER_LIBRARY_TARGETS ${alias})
endfunction()

# ledger_interface_library(NAME ALIAS [INCLUDE_DIR] [DEPS ...])
# A header-only library (its include/ folder, if any) or an aggregate of
# other targets (DEPS). Registered for the layer rules like ledger_library.
function(ledger_interface_library name alias)
  cmake_parse_arguments(ARG "INCLUDE_DIR" "" "DEPS" ${ARGN})
  add_library(${name} INTERFACE)
  add_library(${alias} ALIAS ${name})
  if(ARG_INCLUDE_DIR)
    target_include_directories(${name} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
  endif()
  target_link_libraries(${name} INTERFACE ${ARG_DEPS})
  set_property(GLOBAL APPEND PROPERTY LEDGER_LIBRARY_TARGETS ${alias})
endfunction()

# ledger_test(NAME SOURCES... DEPS ... LABELS ...)
function(ledger_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    LEDGER_TEST_VECTORS="${PROJECT_SOURCE_DIR}/tests/vectors"
    LEDGER_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  ledger_target_settings(${name})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
