# Helpers that keep per-directory CMakeLists short: a library is every .cpp
# in its folder (so adding a file needs no CMake edit), with our warning set.

set(PATHMAP_WARNINGS -Wall -Wextra -Werror -Wno-missing-field-initializers)
# GCC 12 at -O3 reports -Wrestrict inside libstdc++'s std::string operator+
# (GCC bug 105329, fixed in 13): Debian 12's compiler would fail a Release build.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND PATHMAP_WARNINGS -Wno-restrict)
endif()

# pathmap_library(NAME DIR [DEPS ...]): every .cpp below DIR, subfolders
# included, except those under a folder listed in PATHMAP_EXCLUDE_DIRS.
function(pathmap_library name dir)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  foreach(ex ${PATHMAP_EXCLUDE_DIRS})
    list(FILTER sources EXCLUDE REGEX "^${ex}/")
  endforeach()
  if(NOT sources)
    # A folder with no code yet still gives a target others can link.
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${ARGN})
    return()
  endif()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${PATHMAP_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARGN})
endfunction()

# pathmap_test_dir(NAME DIR [DEPS ...]): one GoogleTest binary per test folder.
function(pathmap_test_dir name dir)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*_test.cpp)
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_compile_options(${name} PRIVATE ${PATHMAP_WARNINGS})
  target_compile_definitions(${name} PRIVATE PATHMAP_TEST_DATA="${PROJECT_SOURCE_DIR}/tests/data"
                                             PATHMAP_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                             PATHMAP_BINARY_DIR="${PROJECT_BINARY_DIR}")
  target_link_libraries(${name} PRIVATE ${ARGN} GTest::gtest GTest::gtest_main GTest::gmock)
  # GTEST_SKIP shows as skipped in ctest (scripts/test.sh counts skips and,
  # with PATHMAP_REQUIRE_PRIVILEGED=1, fails on them).
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit
                       SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
endfunction()
